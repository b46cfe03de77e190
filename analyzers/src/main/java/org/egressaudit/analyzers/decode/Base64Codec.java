package org.egressaudit.analyzers.decode;

import java.io.ByteArrayOutputStream;

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

    private Base64Codec() {
    }

    static boolean isAlphabet(int c) {
        return c >= 0 && c < 128 && VALUE[c] >= 0;
    }

    /** Decodes the alphabet characters of {@code s[off, off+len)}; a trailing lone character is dropped. */
    static byte[] decode(byte[] s, int off, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len * 3 / 4 + 3);
        int acc = 0;
        int bits = 0;
        for (int i = off; i < off + len; i++) {
            int c = s[i] & 0xff;
            if (c == '=') {
                break;
            }
            int v = c < 128 ? VALUE[c] : -1;
            if (v < 0) {
                continue;
            }
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out.write((acc >> bits) & 0xff);
            }
        }
        return out.toByteArray();
    }
}
