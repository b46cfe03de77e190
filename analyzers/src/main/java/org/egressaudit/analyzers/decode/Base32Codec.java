package org.egressaudit.analyzers.decode;

/** RFC 4648 base32, either case; skips anything else, stops at padding. */
final class Base32Codec {
    private Base32Codec() {
    }

    static int value(int c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a';
        }
        if (c >= '2' && c <= '7') {
            return c - '2' + 26;
        }
        return -1;
    }

    static byte[] decode(byte[] s, int off, int len) {
        byte[] out = new byte[(int) ((long) len * 5 / 8)];
        int n = 0;
        long acc = 0;
        int bits = 0;
        for (int i = off; i < off + len; i++) {
            int c = s[i] & 0xff;
            if (c == '=') {
                break;
            }
            int v = value(c);
            if (v < 0) {
                continue;
            }
            acc = (acc << 5) | v;
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                out[n++] = (byte) (acc >> bits);
            }
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }
}
