package org.egressaudit.analyzers.decode;

/** Zstandard frames (magic 28 B5 2F FD), concatenated frames included. */
public final class ZstdDecoder extends CompressionDecoder {
    @Override
    public String name() {
        return "zstd";
    }

    @Override
    public int priority() {
        return 112;
    }

    @Override
    boolean matches(byte[] d, int off, int len) {
        return len >= 6 && Decompressors.le32(d, off) == 0xFD2FB528;
    }

    @Override
    String run(byte[] d, int off, int len, BoundedSink sink, DecodeContext ctx) {
        Decompressors.zstd(d, off, len, sink);
        return null;
    }
}
