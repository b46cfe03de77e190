package org.egressaudit.analyzers.decode;

/** bzip2 ("BZh1".."BZh9" followed by a block or end-of-stream magic), concatenated streams included. */
public final class Bzip2Decoder extends CompressionDecoder {
    @Override
    public String name() {
        return "bzip2";
    }

    @Override
    public int priority() {
        return 113;
    }

    @Override
    boolean matches(byte[] d, int off, int len) {
        if (len < 10 || d[off] != 'B' || d[off + 1] != 'Z' || d[off + 2] != 'h' || d[off + 3] < '1' || d[off + 3] > '9') {
            return false;
        }
        int m = (d[off + 4] & 0xff) << 24 | (d[off + 5] & 0xff) << 16 | (d[off + 6] & 0xff) << 8 | (d[off + 7] & 0xff);
        return m == 0x31415926 || m == 0x17724538;
    }

    @Override
    String run(byte[] d, int off, int len, BoundedSink sink, DecodeContext ctx) {
        Decompressors.bzip2(d, off, len, sink);
        return null;
    }
}
