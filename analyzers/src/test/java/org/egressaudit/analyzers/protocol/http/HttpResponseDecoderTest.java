package org.egressaudit.analyzers.protocol.http;

import static org.egressaudit.analyzers.protocol.http.HttpTestSupport.describeAll;
import static org.egressaudit.analyzers.protocol.http.HttpTestSupport.layers;
import static org.egressaudit.analyzers.protocol.http.HttpTestSupport.root;
import static org.egressaudit.analyzers.protocol.http.HttpTestSupport.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.protocol.Transmission;
import org.egressaudit.analyzers.protocol.http.HttpTestSupport.Conn;
import org.junit.jupiter.api.Test;

class HttpResponseDecoderTest {

    private static List<Transmission> responses(Conn c) {
        return c.sink.of(Direction.SERVER_TO_CLIENT);
    }

    @Test
    void responseWithBodyIsADownloadWithAnEvent() {
        Conn c = new Conn().client("GET /f HTTP/1.1\r\nHost: d.example\r\n\r\n")
                .server("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello");
        c.close();
        Transmission r = responses(c).get(0);
        assertEquals("http", r.protocol());
        assertFalse(r.outbound());
        assertEquals("d.example", r.destination());
        assertEquals("HTTP/1.1 200 OK (response to GET /f)", r.summary());
        assertEquals("200", r.attributes().get("status"));
        assertEquals("OK", r.attributes().get("reason"));
        assertEquals("GET", r.attributes().get("request-method"));
        assertEquals("/f", r.attributes().get("request-uri"));
        assertEquals(List.of("http-response-body"), layers(r));
        assertEquals("hello", text(root(r, "http-response-body")));
        assertEquals("text/html", root(r, "http-response-body").hint("content-type"));
        assertEquals(List.of("http-response: HTTP/1.1 200 OK (response to GET /f)"), c.sink.events);
    }

    @Test
    void responseToHeadHasNoBodyDespiteContentLength() {
        Conn c = new Conn().client("HEAD /f HTTP/1.1\r\nHost: h.example\r\n\r\nGET /g HTTP/1.1\r\nHost: h.example\r\n\r\n")
                .server("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
        c.close();
        List<Transmission> rs = responses(c);
        assertEquals(2, rs.size(), describeAll(rs).toString());
        assertEquals("HTTP/1.1 200 OK (response to HEAD /f)", rs.get(0).summary());
        assertTrue(rs.get(0).roots().isEmpty());
        assertEquals("1000", rs.get(0).attributes().get("header:content-length"));
        assertEquals("HTTP/1.1 200 OK (response to GET /g)", rs.get(1).summary());
        assertEquals("abc", text(root(rs.get(1), "http-response-body")));
    }

    @Test
    void responses204And304HaveNoBody() {
        Conn c = new Conn().client("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n")
                .server("HTTP/1.1 204 No Content\r\n\r\n"
                        + "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        c.close();
        List<Transmission> rs = responses(c);
        assertEquals(List.of("HTTP/1.1 204 No Content (response to GET /a)",
                "HTTP/1.1 304 Not Modified (response to GET /b)", "HTTP/1.1 200 OK (response to GET /c)"),
                rs.stream().map(Transmission::summary).toList());
        assertTrue(rs.get(0).roots().isEmpty());
        assertTrue(rs.get(1).roots().isEmpty());
        assertEquals("ok", text(root(rs.get(2), "http-response-body")));
    }

    @Test
    void expect100ContinueInterimResponseKeepsTheRequestPending() {
        Conn c = new Conn();
        c.client("PUT /doc HTTP/1.1\r\nHost: up.example\r\nExpect: 100-continue\r\nContent-Length: 6\r\n\r\n");
        assertTrue(c.sink.transmissions.isEmpty(), "the request waits for its body");
        c.server("HTTP/1.1 100 Continue\r\n\r\n");
        c.client("secret");
        c.server("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        c.close();
        Transmission req = c.sink.of(Direction.CLIENT_TO_SERVER).get(0);
        assertEquals("secret", text(root(req, "http-body")));
        assertEquals("100-continue", req.attributes().get("header:expect"));
        assertEquals(List.of("HTTP/1.1 100 Continue (response to PUT /doc)", "HTTP/1.1 201 Created (response to PUT /doc)"),
                responses(c).stream().map(Transmission::summary).toList());
        assertEquals(2, c.sink.events.size());
    }

    @Test
    void responseUntilClose() {
        Conn c = new Conn().client("GET /stream HTTP/1.0\r\n\r\n")
                .server("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nfirst part, ")
                .server("second part");
        assertTrue(responses(c).isEmpty(), "a body read until close ends with the stream");
        c.endServer(StreamEnd.FIN);
        Transmission r = responses(c).get(0);
        ContentObject body = root(r, "http-response-body");
        assertEquals("first part, second part", text(body));
        assertFalse(body.truncated());
        assertTrue(r.notes().isEmpty());
        c.close();
    }

    @Test
    void responseUntilCloseEndedByResetIsMarkedIncomplete() {
        Conn c = new Conn().client("GET / HTTP/1.1\r\n\r\n").server("HTTP/1.1 200 OK\r\n\r\nsome bytes")
                .endServer(StreamEnd.RST);
        ContentObject body = root(responses(c).get(0), "http-response-body");
        assertTrue(body.truncated());
        assertTrue(responses(c).get(0).notes().get(0).contains("RST"));
        c.close();
    }

    @Test
    void gapInBodyReadUntilCloseSplitsIt() {
        Conn c = new Conn().client("GET / HTTP/1.1\r\n\r\n").server("HTTP/1.1 200 OK\r\n\r\nbefore").serverGap(100)
                .server("after");
        c.close();
        List<Transmission> rs = responses(c);
        assertEquals(2, rs.size());
        assertEquals("before", text(root(rs.get(0), "http-response-body")));
        assertEquals("after", text(root(rs.get(1), "http-response-body")));
        assertEquals("106", rs.get(1).attributes().get("piece-offset"));
    }

    @Test
    void chunkedResponseFedOneByteAtATime() {
        String resp = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n4\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n";
        Conn c = new Conn().client("GET /z HTTP/1.1\r\n\r\n");
        for (char ch : resp.toCharArray()) {
            c.server(String.valueOf(ch));
        }
        c.server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        c.close();
        List<Transmission> rs = responses(c);
        assertEquals(2, rs.size(), describeAll(rs).toString());
        ContentObject body = root(rs.get(0), "http-response-body");
        assertEquals("abcdef", text(body));
        assertEquals("gzip", body.hint("transfer-encoding"));
        assertTrue(rs.get(1).notes().contains("response without a pending request"));
    }

    @Test
    void switchingProtocolsTurnsBothDirectionsRaw() {
        Conn c = new Conn();
        c.client("GET /ws HTTP/1.1\r\nHost: ws.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        c.server("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u0081\u0002hi");
        c.client("\u0081\u0085maskedframe");
        c.close();
        List<Transmission> out = c.sink.of(Direction.CLIENT_TO_SERVER);
        assertEquals("tunnel after Upgrade: websocket", out.get(1).summary());
        List<Transmission> in = responses(c);
        assertEquals(2, in.size());
        assertEquals("\u0081\u0002hi", text(root(in.get(1), "tcp-stream")));
    }

    @Test
    void malformedStatusLineFallsBackToRaw() {
        Conn c = new Conn().client("GET / HTTP/1.1\r\n\r\n").server("HTTP/1.1 2x0 Nope\r\nbody");
        c.close();
        List<Transmission> rs = responses(c);
        assertEquals(1, rs.size());
        assertEquals("tcp", rs.get(0).protocol());
        assertEquals("HTTP/1.1 2x0 Nope\r\nbody", text(root(rs.get(0), "tcp-stream")));
    }

    @Test
    void responseSplitAtEveryOffsetGivesTheSameTransmissions() {
        String resp = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\ndef\r\n0\r\nT: 1\r\n\r\n"
                + "HTTP/1.1 200 OK\r\n\r\nuntil close";
        List<String> whole = run(resp, resp.length());
        for (int i = 1; i < resp.length(); i++) {
            assertEquals(whole, run(resp, i), "split at " + i);
        }
    }

    private static List<String> run(String resp, int cut) {
        Conn c = new Conn().client("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n");
        c.server(resp.substring(0, cut));
        if (cut < resp.length()) {
            c.server(resp.substring(cut));
        }
        c.close();
        return describeAll(responses(c));
    }
}
