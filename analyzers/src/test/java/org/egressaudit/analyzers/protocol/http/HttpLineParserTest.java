package org.egressaudit.analyzers.protocol.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpLineParserTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static HttpLineParser.RequestLine request(String s, List<String> notes) throws HttpParseException {
        byte[] d = b(s);
        return HttpLineParser.parseRequestLine(d, 0, d.length, notes);
    }

    @Test
    void requestLine() throws HttpParseException {
        List<String> notes = new ArrayList<>();
        assertEquals(new HttpLineParser.RequestLine("GET", "/a?b=c", "HTTP/1.1"), request("GET /a?b=c HTTP/1.1", notes));
        assertTrue(notes.isEmpty());
        assertEquals("/a b", request("GET /a b HTTP/1.1", notes).target());
        assertEquals(1, notes.size());
        assertEquals("/caf\u00e9", request("GET /caf\u00c3\u00a9 HTTP/1.1", notes).target(), "UTF-8 decoded");
    }

    @Test
    void badRequestLines() {
        List<String> notes = new ArrayList<>();
        assertThrows(HttpParseException.class, () -> request("GET /", notes));
        assertThrows(HttpParseException.class, () -> request("GET / HTTP/2.0", notes));
        assertThrows(HttpParseException.class, () -> request("G(T / HTTP/1.1", notes));
        assertThrows(HttpParseException.class, () -> request(" / HTTP/1.1", notes));
        assertThrows(HttpParseException.class, () -> request("GET /\u0001 HTTP/1.1", notes));
    }

    @Test
    void statusLine() throws HttpParseException {
        byte[] d = b("HTTP/1.1 404 Not Found");
        HttpLineParser.StatusLine s = HttpLineParser.parseStatusLine(d, 0, d.length);
        assertEquals(404, s.status());
        assertEquals("Not Found", s.reason());
        byte[] bare = b("HTTP/1.0 200");
        assertEquals("", HttpLineParser.parseStatusLine(bare, 0, bare.length).reason());
        byte[] bad = b("HTTP/1.1 20 OK");
        assertThrows(HttpParseException.class, () -> HttpLineParser.parseStatusLine(bad, 0, bad.length));
    }

    @Test
    void headerLine() throws HttpParseException {
        List<String> notes = new ArrayList<>();
        byte[] d = b("X-Name :  value with spaces \t");
        HttpLineParser.HeaderField f = HttpLineParser.parseHeaderLine(d, 0, d.length, notes);
        assertEquals("x-name", f.name());
        assertEquals("value with spaces", f.value());
        assertTrue(notes.get(0).contains("whitespace between header name and colon"));
    }

    @Test
    void chunkSize() throws HttpParseException {
        byte[] d = b("1aF ;a=b;c");
        HttpLineParser.ChunkSize c = HttpLineParser.parseChunkSize(d, 0, d.length);
        assertEquals(0x1af, c.size());
        assertEquals(";a=b;c", c.extensions());
        byte[] overflow = b("1".repeat(17));
        assertThrows(HttpParseException.class, () -> HttpLineParser.parseChunkSize(overflow, 0, overflow.length));
        byte[] junk = b("xyz");
        assertThrows(HttpParseException.class, () -> HttpLineParser.parseChunkSize(junk, 0, junk.length));
    }
}
