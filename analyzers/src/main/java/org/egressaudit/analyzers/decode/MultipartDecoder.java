package org.egressaudit.analyzers.decode;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;

/**
 * multipart/* bodies (form-data uploads, mixed, related) with the boundary of the content-type hint: one child
 * per part, named by its filename (or else its field name), with the part's Content-Type as hint and its
 * Content-Transfer-Encoding (base64, quoted-printable) undone. Preamble and epilogue are ignored. A body cut
 * before the closing boundary keeps its last part as truncated, with a note.
 */
public final class MultipartDecoder implements ContentDecoder {
    /** RFC 2046 allows 70; longer ones are accepted up to this size, past it the hint is not trusted. */
    private static final int MAX_BOUNDARY = 256;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    @Override
    public String name() {
        return "multipart";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public boolean accepts(ContentObject o) {
        MediaType mt = MediaType.parse(o.hint("content-type"));
        String b = mt.param("boundary");
        return mt.type().startsWith("multipart/") && b != null && !b.isEmpty() && o.length() > 0;
    }

    @Override
    public void decode(ContentObject o, DecodeContext ctx) {
        String boundary = MediaType.parse(o.hint("content-type")).param("boundary");
        if (boundary == null || boundary.isEmpty()) {
            return;
        }
        if (boundary.length() > MAX_BOUNDARY) {
            o.addNote("corrupt: multipart boundary longer than " + MAX_BOUNDARY + " characters, body not split");
            return;
        }
        byte[] d = o.data();
        int base = o.offset();
        int n = o.length();
        byte[] delim = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int at = findDelimiter(d, base, n, delim, 0);
        if (at < 0) {
            o.addNote("corrupt: multipart boundary not found in the body");
            return;
        }
        int max = ctx.limits().maxArchiveEntries();
        int parts = 0;
        boolean closed = false;
        while (true) {
            int q = at + delim.length;
            if (q + 2 <= n && d[base + q] == '-' && d[base + q + 1] == '-') {
                closed = true;
                break;
            }
            int lineEnd = indexOf(d, base, n, (byte) '\n', q);
            if (lineEnd < 0) {
                break;
            }
            int headersStart = lineEnd + 1;
            int bodyStart = headersEnd(d, base, n, headersStart);
            if (bodyStart < 0) {
                o.addNote("corrupt: multipart part headers cut short");
                break;
            }
            Map<String, String> headers = parseHeaders(new String(d, base + headersStart, bodyStart - headersStart,
                    StandardCharsets.UTF_8));
            int next = findDelimiter(d, base, n, delim, bodyStart);
            int bodyEnd;
            if (next < 0) {
                bodyEnd = n;
            } else {
                bodyEnd = next;
                if (bodyEnd > bodyStart && d[base + bodyEnd - 1] == '\n') {
                    bodyEnd--;
                    if (bodyEnd > bodyStart && d[base + bodyEnd - 1] == '\r') {
                        bodyEnd--;
                    }
                }
            }
            if (parts == max) {
                o.addNote("decode-limit: multipart has more than " + max + " parts, the rest not expanded");
                return;
            }
            parts++;
            part(o, ctx, headers, bodyStart, bodyEnd, next < 0);
            if (next < 0) {
                break;
            }
            at = next;
        }
        if (!closed) {
            o.addNote("corrupt: multipart closing boundary missing (body truncated?), " + parts + " parts kept");
        }
    }

    private static void part(ContentObject o, DecodeContext ctx, Map<String, String> headers, int start, int end,
                             boolean cut) {
        MediaType disposition = MediaType.parse(headers.get("content-disposition"));
        String name = fileName(disposition);
        if (name == null || name.isEmpty()) {
            name = disposition.param("name");
        }
        Map<String, String> hints = new LinkedHashMap<>();
        if (headers.containsKey("content-type")) {
            hints.put("content-type", headers.get("content-type"));
        }
        if (headers.containsKey("content-encoding")) {
            hints.put("content-encoding", headers.get("content-encoding"));
        }
        String cte = headers.getOrDefault("content-transfer-encoding", "").trim().toLowerCase(Locale.ROOT);
        byte[] d = o.data();
        int base = o.offset();
        if (cte.equals("base64") || cte.equals("quoted-printable")) {
            byte[] decoded = cte.equals("base64") ? Base64Codec.decode(d, base + start, end - start)
                    : QuotedPrintableCodec.decode(d, base + start, end - start);
            ctx.child(o, "multipart", name, decoded, 0, decoded.length, -1, decoded.length, cut, hints);
        } else {
            ctx.child(o, "multipart", name, d, base + start, end - start, start, end - start, cut, hints);
        }
    }

    /** filename*=UTF-8''... (RFC 5987) wins over filename=; path components sent by old browsers are kept. */
    private static String fileName(MediaType disposition) {
        String ext = disposition.param("filename*");
        if (ext != null) {
            int q = ext.indexOf("''");
            if (q >= 0) {
                byte[] raw = ext.substring(q + 2).getBytes(StandardCharsets.ISO_8859_1);
                return new String(PercentCodec.decode(raw, 0, raw.length, false), StandardCharsets.UTF_8);
            }
        }
        return disposition.param("filename");
    }

    /** Delimiter "--boundary" at the body start or at the start of a line, searched from {@code from}. */
    private static int findDelimiter(byte[] d, int base, int n, byte[] delim, int from) {
        for (int i = from; i + delim.length <= n; i++) {
            if ((i == 0 || d[base + i - 1] == '\n') && d[base + i] == delim[0] && matches(d, base + i, delim)) {
                return i;
            }
            // Jump to the next line: a delimiter only ever starts one.
            int nl = indexOf(d, base, n, (byte) '\n', i);
            if (nl < 0) {
                return -1;
            }
            i = nl;
        }
        return -1;
    }

    private static boolean matches(byte[] d, int at, byte[] p) {
        for (int k = 0; k < p.length; k++) {
            if (d[at + k] != p[k]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] d, int base, int n, byte b, int from) {
        for (int i = from; i < n; i++) {
            if (d[base + i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Offset just after the blank line ending the headers that start at {@code from}; -1 if none. */
    private static int headersEnd(byte[] d, int base, int n, int from) {
        int limit = Math.min(n, from + MAX_HEADER_BYTES);
        int lineStart = from;
        for (int i = from; i < limit; i++) {
            if (d[base + i] == '\n') {
                int len = i - lineStart;
                if (len == 0 || (len == 1 && d[base + lineStart] == '\r')) {
                    return i + 1;
                }
                lineStart = i + 1;
            }
        }
        return -1;
    }

    private static Map<String, String> parseHeaders(String block) {
        Map<String, String> out = new LinkedHashMap<>();
        String last = null;
        for (String line : block.split("\r?\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && last != null) {
                out.put(last, out.get(last) + " " + line.trim());
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            last = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            out.putIfAbsent(last, line.substring(colon + 1).trim());
        }
        return out;
    }
}
