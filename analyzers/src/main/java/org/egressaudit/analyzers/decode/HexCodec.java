package org.egressaudit.analyzers.decode;

/** Hex digits to bytes, either case; a trailing odd digit is dropped. */
final class HexCodec {
    private HexCodec() {
    }

    static int value(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    static byte[] decode(byte[] s, int off, int len) {
        byte[] out = new byte[len / 2];
        int n = 0;
        int hi = -1;
        for (int i = off; i < off + len; i++) {
            int v = value(s[i] & 0xff);
            if (v < 0) {
                continue;
            }
            if (hi < 0) {
                hi = v;
            } else {
                out[n++] = (byte) (hi << 4 | v);
                hi = -1;
            }
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }
}
