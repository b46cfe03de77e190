package org.egressaudit.analyzers.protocol.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.egressaudit.analyzers.protocol.http.BodyFraming.Kind;
import org.junit.jupiter.api.Test;

class BodyFramingTest {

    private static HttpHeaders headers(String... nameValues) {
        HttpHeaders h = new HttpHeaders();
        for (int i = 0; i < nameValues.length; i += 2) {
            h.add(nameValues[i], nameValues[i + 1]);
        }
        return h;
    }

    @Test
    void requestWithoutLengthHasNoBody() {
        assertEquals(Kind.NONE, BodyFraming.forRequest(headers(), "HTTP/1.1").kind());
        assertEquals(Kind.NONE, BodyFraming.forRequest(headers("content-length", "0"), "HTTP/1.1").kind());
    }

    @Test
    void contentLengthVariants() {
        BodyFraming f = BodyFraming.forRequest(headers("content-length", "42"), "HTTP/1.1");
        assertEquals(Kind.FIXED, f.kind());
        assertEquals(42, f.length());
        assertEquals(42, BodyFraming.forRequest(headers("content-length", "42, 42"), "HTTP/1.1").length());
        assertEquals(Kind.INVALID, BodyFraming.forRequest(headers("content-length", "42, 43"), "HTTP/1.1").kind());
        assertEquals(Kind.INVALID, BodyFraming.forRequest(headers("content-length", "-1"), "HTTP/1.1").kind());
        assertEquals(Kind.INVALID, BodyFraming.forRequest(headers("content-length", "+5"), "HTTP/1.1").kind());
        assertEquals(Kind.INVALID, BodyFraming.forRequest(headers("content-length", "9".repeat(30)), "HTTP/1.1").kind());
    }

    @Test
    void chunkedWinsAndOtherCodingsBecomeAHint() {
        BodyFraming f = BodyFraming.forRequest(headers("transfer-encoding", "gzip, Chunked", "content-length", "3"),
                "HTTP/1.1");
        assertEquals(Kind.CHUNKED, f.kind());
        assertEquals("gzip", f.transferCodings());
        assertTrue(f.notes().get(0).contains("request smuggling"));
        assertNull(BodyFraming.forRequest(headers("transfer-encoding", "chunked"), "HTTP/1.1").transferCodings());
    }

    @Test
    void requestTransferEncodingWithoutFinalChunkedIsInvalid() {
        assertEquals(Kind.INVALID, BodyFraming.forRequest(headers("transfer-encoding", "gzip"), "HTTP/1.1").kind());
        assertEquals(Kind.INVALID, BodyFraming.forRequest(headers("transfer-encoding", "chunked, chunked"), "HTTP/1.1").kind());
    }

    @Test
    void responseFraming() {
        assertEquals(Kind.NONE, BodyFraming.forResponse(200, "HEAD", headers("content-length", "9"), "HTTP/1.1").kind());
        assertEquals(Kind.NONE, BodyFraming.forResponse(103, "GET", headers(), "HTTP/1.1").kind());
        assertEquals(Kind.NONE, BodyFraming.forResponse(204, "GET", headers(), "HTTP/1.1").kind());
        assertEquals(Kind.NONE, BodyFraming.forResponse(304, "GET", headers("content-length", "9"), "HTTP/1.1").kind());
        assertEquals(Kind.TUNNEL, BodyFraming.forResponse(101, "GET", headers(), "HTTP/1.1").kind());
        assertEquals(Kind.TUNNEL, BodyFraming.forResponse(200, "CONNECT", headers(), "HTTP/1.1").kind());
        assertEquals(Kind.FIXED, BodyFraming.forResponse(407, "CONNECT", headers("content-length", "2"), "HTTP/1.1").kind());
        assertEquals(Kind.UNTIL_CLOSE, BodyFraming.forResponse(200, "GET", headers(), "HTTP/1.0").kind());
        assertEquals(Kind.UNTIL_CLOSE, BodyFraming.forResponse(200, null, headers("transfer-encoding", "gzip"), "HTTP/1.1").kind());
        assertEquals(Kind.CHUNKED, BodyFraming.forResponse(200, null, headers("transfer-encoding", "chunked"), "HTTP/1.1").kind());
    }
}
