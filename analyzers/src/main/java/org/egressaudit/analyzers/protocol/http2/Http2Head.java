package org.egressaudit.analyzers.protocol.http2;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A decoded header list split into pseudo-header fields and regular fields, with its text rendering (one
 * {@code name: value} line per field in wire order, CRLF-terminated, then an empty line) so that content analysis sees
 * every name and value as it was sent, and the position of the query string of {@code :path} in that rendering.
 */
final class Http2Head {

    private final Map<String, String> pseudo = new HashMap<>();
    private final List<HeaderField> regular = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final byte[] rendering;
    /** The query of {@code :path} in {@link #rendering} as [start, end), or start -1. */
    final int queryStart;
    final int queryEnd;

    private Http2Head(List<HeaderField> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int qs = -1;
        int qe = -1;
        boolean regularSeen = false;
        boolean orderNoted = false;
        boolean caseNoted = false;
        for (HeaderField f : fields) {
            byte[] name = f.name().getBytes(StandardCharsets.ISO_8859_1);
            byte[] value = f.value().getBytes(StandardCharsets.ISO_8859_1);
            out.write(name, 0, name.length);
            out.write(':');
            out.write(' ');
            int valueStart = out.size();
            out.write(value, 0, value.length);
            out.write('\r');
            out.write('\n');
            if (!caseNoted && !f.name().equals(f.name().toLowerCase(Locale.ROOT))) {
                caseNoted = true;
                notes.add("uppercase header field name '" + f.name() + "'");
            }
            if (f.pseudo()) {
                if (regularSeen && !orderNoted) {
                    orderNoted = true;
                    notes.add("pseudo-header field " + f.name() + " after regular fields");
                }
                if (pseudo.putIfAbsent(f.name(), f.value()) != null) {
                    notes.add("repeated pseudo-header field " + f.name());
                } else if (f.name().equals(":path")) {
                    int q = f.value().indexOf('?');
                    if (q >= 0) {
                        int h = f.value().indexOf('#', q);
                        int end = h >= 0 ? h : f.value().length();
                        if (end > q + 1) {
                            qs = valueStart + q + 1;
                            qe = valueStart + end;
                        }
                    }
                }
            } else {
                regularSeen = true;
                regular.add(f);
            }
        }
        out.write('\r');
        out.write('\n');
        rendering = out.toByteArray();
        queryStart = qs;
        queryEnd = qe;
    }

    static Http2Head of(List<HeaderField> fields) {
        return new Http2Head(fields);
    }

    String pseudo(String name) {
        return pseudo.get(name);
    }

    /** All values of a regular field (name compared ignoring case) joined with ", ", or null. */
    String joined(String lowercaseName) {
        StringBuilder sb = null;
        for (HeaderField f : regular) {
            if (f.name().equalsIgnoreCase(lowercaseName)) {
                sb = sb == null ? new StringBuilder(f.value()) : sb.append(", ").append(f.value());
            }
        }
        return sb == null ? null : sb.toString();
    }

    /** One entry per distinct regular field name, {@code prefix + name} to the joined values, first-seen order. */
    Map<String, String> attributes(String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        for (HeaderField f : regular) {
            out.merge(prefix + f.name().toLowerCase(Locale.ROOT), f.value(), (a, b) -> a + ", " + b);
        }
        return out;
    }

    /** content-length as a number, or -1 when absent or not a plain decimal. */
    long contentLength() {
        String v = joined("content-length");
        if (v == null || v.isEmpty() || v.length() > 18) {
            return -1;
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(v);
    }

    /** See {@link org.egressaudit.analyzers.protocol.Authority#hostWithoutPort}. */
    static String hostWithoutPort(String authority) {
        return org.egressaudit.analyzers.protocol.Authority.hostWithoutPort(authority);
    }
}
