package org.egressaudit.analyzers.decode;

/** Lenient base64 (standard and URL-safe alphabets together): skips anything else, stops at padding. */
final class Base64Codec {
    private static final int[] VALUE = new int[128];

    static {
        java.util.Arrays.fill(VALUE, -1);
        String a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < a.length(); i++) {
            VALUE[a.charAt(i)] = i;
        }
        VALUE['-'] = 62;
        VALUE['_'] = 63;
    }

    /** VALUE over all byte values: -1 for anything outside the alphabets (including '='). */
    private static final int[] FAST = new int[256];

    static {
        java.util.Arrays.fill(FAST, -1);
        System.arraycopy(VALUE, 0, FAST, 0, 128);
    }

    private Base64Codec() {
    }

    static boolean isAlphabet(int c) {
        return c >= 0 && c < 128 && VALUE[c] >= 0;
    }

    /**
     * Decodes the alphabet characters of {@code s[off, off+len)}; a trailing lone character is dropped. Groups of
     * four alphabet characters are decoded at once; anything else (line breaks, stray bytes) takes the slow path.
     */
    static byte[] decode(byte[] s, int off, int len) {
        byte[] out = new byte[(int) ((long) len * 6 / 8)];
        int n = 0;
        int acc = 0;
        int bits = 0;
        int end = off + len;
        int i = off;
        while (i < end) {
            if (bits == 0) {
                // Fast path: four alphabet characters are three bytes.
                while (i + 4 <= end) {
                    int v0 = FAST[s[i] & 0xff];
                    int v1 = FAST[s[i + 1] & 0xff];
                    int v2 = FAST[s[i + 2] & 0xff];
                    int v3 = FAST[s[i + 3] & 0xff];
                    if ((v0 | v1 | v2 | v3) < 0) {
                        break;
                    }
                    int w = v0 << 18 | v1 << 12 | v2 << 6 | v3;
                    out[n] = (byte) (w >> 16);
                    out[n + 1] = (byte) (w >> 8);
                    out[n + 2] = (byte) w;
                    n += 3;
                    i += 4;
                }
                if (i >= end) {
                    break;
                }
            }
            int c = s[i++] & 0xff;
            if (c == '=') {
                break;
            }
            int v = FAST[c];
            if (v < 0) {
                continue;
            }
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[n++] = (byte) ((acc >> bits) & 0xff);
            }
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }
}
