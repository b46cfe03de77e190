package org.egressaudit.harness.network;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads HTTP/1.1 responses off a raw socket, so tests see exactly what went over the wire. */
final class HttpWire {
    record Response(int status, List<String[]> headers, byte[] body) {
        List<String> all(String name) {
            List<String> v = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    v.add(h[1]);
                }
            }
            return v;
        }

        String first(String name) {
            List<String> v = all(name);
            return v.isEmpty() ? null : v.get(0);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private HttpWire() {
    }

    /** One response; its body is read by Content-Length (the sink always sends one), none for 1xx. */
    static Response read(InputStream in) throws IOException {
        String status = line(in);
        if (status == null) {
            throw new IOException("connection closed before a response");
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        List<String[]> headers = new ArrayList<>();
        String l;
        while (!(l = line(in)).isEmpty()) {
            int c = l.indexOf(':');
            headers.add(new String[] {l.substring(0, c).trim(), l.substring(c + 1).trim()});
        }
        Response r = new Response(code, headers, new byte[0]);
        if (code < 200) {
            return r;
        }
        String len = r.first("content-length");
        byte[] body = in.readNBytes(len == null ? 0 : Integer.parseInt(len));
        return new Response(code, headers, body);
    }

    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }
}
