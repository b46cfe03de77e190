package org.egressaudit.analyzers.decode;

/** MIME quoted-printable (RFC 2045): "=XX" escapes and "=" soft line breaks; bad escapes kept literally. */
final class QuotedPrintableCodec {
    private QuotedPrintableCodec() {
    }

    static byte[] decode(byte[] d, int off, int len) {
        byte[] out = new byte[len];
        int n = 0;
        int end = off + len;
        for (int i = off; i < end; i++) {
            byte b = d[i];
            if (b != '=') {
                out[n++] = b;
                continue;
            }
            if (i + 2 < end && HexCodec.value(d[i + 1] & 0xff) >= 0
                    && HexCodec.value(d[i + 2] & 0xff) >= 0) {
                out[n++] = (byte) (HexCodec.value(d[i + 1] & 0xff) << 4 | HexCodec.value(d[i + 2] & 0xff));
                i += 2;
                continue;
            }
            // Soft line break: "=" then optional trailing blanks then CRLF or LF.
            int j = i + 1;
            while (j < end && (d[j] == ' ' || d[j] == '\t')) {
                j++;
            }
            if (j < end && d[j] == '\r' && j + 1 < end && d[j + 1] == '\n') {
                i = j + 1;
            } else if (j < end && d[j] == '\n') {
                i = j;
            } else if (j == end) {
                i = j;
            } else {
                out[n++] = b;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
