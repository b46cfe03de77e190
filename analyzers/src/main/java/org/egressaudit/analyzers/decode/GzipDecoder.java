package org.egressaudit.analyzers.decode;

/** gzip (RFC 1952), all concatenated members; the child carries the header's original file name. */
public final class GzipDecoder extends CompressionDecoder {
    @Override
    public String name() {
        return "gzip";
    }

    @Override
    public int priority() {
        return 110;
    }

    @Override
    boolean matches(byte[] d, int off, int len) {
        return len >= 10 && Decompressors.isGzip(d, off, len);
    }

    @Override
    String run(byte[] d, int off, int len, BoundedSink sink, DecodeContext ctx) {
        return Decompressors.gunzip(d, off, len, sink, ctx.limits().maxArchiveEntries());
    }
}
