package org.egressaudit.analyzers.decode;

import java.nio.charset.StandardCharsets;
import org.egressaudit.analyzers.content.ContentObject;

/**
 * application/x-www-form-urlencoded data (form bodies and, by the HTTP layer's hint, query strings): one child
 * per field value, percent-decoded with '+' as space and named by the field name. Values shorter than
 * {@link #MIN_VALUE} bytes carry nothing worth matching and are skipped. A value without escapes is a slice.
 */
public final class FormUrlEncodedDecoder implements ContentDecoder {
    static final int MIN_VALUE = 4;
    /** Bytes inspected to tell a real form from a mislabelled file. */
    static final int SNIFF_BYTES = 4096;

    @Override
    public String name() {
        return "form-urlencoded";
    }

    @Override
    public int priority() {
        return 105;
    }

    @Override
    public boolean accepts(ContentObject o) {
        if (!MediaType.parse(o.hint("content-type")).type().equals("application/x-www-form-urlencoded")) {
            return false;
        }
        // Mislabelled bodies are common: curl --data-binary and wget --post-file label any file as a form.
        // A real form is printable ASCII (everything else is percent-encoded); splitting JSON on '&' or a
        // binary file on '&' and '=' would only produce noise, and noise that looks opaque.
        byte[] d = o.data();
        int end = o.offset() + Math.min(o.length(), SNIFF_BYTES);
        int first = -1;
        for (int i = o.offset(); i < end; i++) {
            int b = d[i] & 0xff;
            if (b < 0x20 && b != '\t' && b != '\r' && b != '\n' || b > 0x7e) {
                return false;
            }
            if (first < 0 && b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                first = b;
            }
        }
        return first >= 0 && first != '{' && first != '[';
    }

    @Override
    public void decode(ContentObject o, DecodeContext ctx) {
        byte[] d = o.data();
        int base = o.offset();
        int n = o.length();
        int max = ctx.limits().maxArchiveEntries();
        int fields = 0;
        int start = 0;
        while (start <= n) {
            int end = start;
            while (end < n && d[base + end] != '&') {
                end++;
            }
            int eq = start;
            while (eq < end && d[base + eq] != '=') {
                eq++;
            }
            int vStart = eq < end ? eq + 1 : start; // a bare token ("a&b") is a value without a name
            String name = eq < end ? new String(PercentCodec.decode(d, base + start, eq - start, true),
                    StandardCharsets.UTF_8) : null;
            if (end - vStart >= MIN_VALUE) {
                if (fields == max) {
                    o.addNote("decode-limit: form has more than " + max + " fields, the rest not expanded");
                    return;
                }
                fields++;
                if (needsDecoding(d, base + vStart, end - vStart)) {
                    byte[] v = PercentCodec.decode(d, base + vStart, end - vStart, true);
                    if (v.length >= MIN_VALUE) {
                        ctx.child(o, "form-urlencoded", name, v, 0, v.length, -1, v.length, false, null);
                    }
                } else {
                    ctx.child(o, "form-urlencoded", name, d, base + vStart, end - vStart, vStart, end - vStart, false,
                            null);
                }
            }
            start = end + 1;
        }
    }

    private static boolean needsDecoding(byte[] d, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (d[i] == '%' || d[i] == '+') {
                return true;
            }
        }
        return false;
    }
}
