package org.egressaudit.analyzers.protocol.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import org.egressaudit.analyzers.content.MemoryBudget;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.TcpProtocol.Recognition;
import org.junit.jupiter.api.Test;

class HttpProtocolTest {

    private final HttpProtocol http = new HttpProtocol();

    private Recognition recognize(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        byte[] padded = new byte[b.length + 10];
        System.arraycopy(b, 0, padded, 0, b.length);
        return http.recognize(HttpTestSupport.FLOW, padded, b.length);
    }

    @Test
    void knownMethodWithTargetIsEnough() {
        assertEquals(Recognition.YES, recognize("GET /"));
        assertEquals(Recognition.YES, recognize("POST /upload?data=" + "A".repeat(500)));
        assertEquals(Recognition.YES, recognize("PROPFIND /dav/ HTTP/1.1\r\n"));
        assertEquals(Recognition.YES, recognize("CONNECT host.example:443 HTTP/1.1\r\n"));
        assertEquals(Recognition.YES, recognize("\r\nGET / HTTP/1.1\r\n"));
    }

    @Test
    void anyTokenWithACompleteRequestLine() {
        assertEquals(Recognition.NEED_MORE, recognize("FROBNICATE /x HTTP/1."));
        assertEquals(Recognition.YES, recognize("FROBNICATE /x HTTP/1.1\r\n"));
        assertEquals(Recognition.YES, recognize("get /x HTTP/1.0\n"));
    }

    @Test
    void shortPrefixesNeedMore() {
        assertEquals(Recognition.NEED_MORE, recognize(""));
        assertEquals(Recognition.NEED_MORE, recognize("G"));
        assertEquals(Recognition.NEED_MORE, recognize("GET"));
        assertEquals(Recognition.NEED_MORE, recognize("GET "));
        assertEquals(Recognition.NEED_MORE, recognize("\r\n"));
    }

    @Test
    void otherProtocolsAreRejectedEarly() {
        assertEquals(Recognition.NO, recognize("\u0016\u0003\u0001\u0000"));
        assertEquals(Recognition.NO, recognize("SSH-2.0-OpenSSH_9.2\r\n"));
        assertEquals(Recognition.NO, recognize("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        assertEquals(Recognition.NO, recognize("*1\r\n$4\r\nPING\r\n"));
        assertEquals(Recognition.NO, recognize("GET  /x HTTP/1.1\r\n"));
        assertEquals(Recognition.NO, recognize("GET /x HTTP/1.1 extra\r\n"));
        assertEquals(Recognition.NO, recognize("OPTIONS rtsp://cam.example/ RTSP/1.0\r\n"));
        assertEquals(Recognition.NO, recognize("A".repeat(40)));
        assertEquals(Recognition.NO, recognize("\r\n\r\n\r\nGET / HTTP/1.1\r\n"));
        assertEquals(Recognition.NO, recognize("GET /a\u0000b HTTP/1.1\r\n"));
    }

    @Test
    void createsAConnectionHandler() {
        ProtocolContext ctx = new ProtocolContext(new org.egressaudit.analyzers.protocol.RecordingSink(), new MemoryBudget(1024), 128, 16);
        assertEquals("http", http.name());
        assertInstanceOf(HttpConnectionHandler.class, http.create(HttpTestSupport.FLOW, true, 0, ctx));
    }
}
