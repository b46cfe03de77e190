package org.egressaudit.analyzers.decode;

/** xz (FD '7zXZ' 00), within a memory limit for the dictionary the header asks for. */
public final class XzDecoder extends CompressionDecoder {
    @Override
    public String name() {
        return "xz";
    }

    @Override
    public int priority() {
        return 114;
    }

    @Override
    boolean matches(byte[] d, int off, int len) {
        return len >= 12 && (d[off] & 0xff) == 0xFD && d[off + 1] == '7' && d[off + 2] == 'z' && d[off + 3] == 'X'
                && d[off + 4] == 'Z' && d[off + 5] == 0;
    }

    @Override
    String run(byte[] d, int off, int len, BoundedSink sink, DecodeContext ctx) {
        Decompressors.xz(d, off, len, sink, Decompressors.memoryLimitKiB(ctx.limits()));
        return null;
    }
}
