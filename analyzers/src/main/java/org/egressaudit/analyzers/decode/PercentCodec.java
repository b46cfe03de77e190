package org.egressaudit.analyzers.decode;

/** URL percent-decoding; malformed escapes are kept literally (as browsers and servers do). */
final class PercentCodec {
    private PercentCodec() {
    }

    static boolean isEscape(byte[] d, int i, int end) {
        return d[i] == '%' && i + 2 < end && HexCodec.value(d[i + 1] & 0xff) >= 0 && HexCodec.value(d[i + 2] & 0xff) >= 0;
    }

    /** Decodes {@code d[off, off+len)}; {@code plusAsSpace} for form encoding. */
    static byte[] decode(byte[] d, int off, int len, boolean plusAsSpace) {
        byte[] out = new byte[len];
        int n = 0;
        int end = off + len;
        for (int i = off; i < end; i++) {
            byte b = d[i];
            if (b == '%' && isEscape(d, i, end)) {
                out[n++] = (byte) (HexCodec.value(d[i + 1] & 0xff) << 4 | HexCodec.value(d[i + 2] & 0xff));
                i += 2;
            } else if (b == '+' && plusAsSpace) {
                out[n++] = ' ';
            } else {
                out[n++] = b;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
