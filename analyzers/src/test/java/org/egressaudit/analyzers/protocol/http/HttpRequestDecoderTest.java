package org.egressaudit.analyzers.protocol.http;

import static org.egressaudit.analyzers.protocol.http.HttpTestSupport.bytes;
import static org.egressaudit.analyzers.protocol.http.HttpTestSupport.describeAll;
import static org.egressaudit.analyzers.protocol.http.HttpTestSupport.layers;
import static org.egressaudit.analyzers.protocol.http.HttpTestSupport.root;
import static org.egressaudit.analyzers.protocol.http.HttpTestSupport.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.protocol.Transmission;
import org.egressaudit.analyzers.protocol.http.HttpTestSupport.Conn;
import org.junit.jupiter.api.Test;

class HttpRequestDecoderTest {

    private static final String POST = "POST /upload?id=7 HTTP/1.1\r\n"
            + "Host: Files.Example:8080\r\n"
            + "Content-Type: text/plain\r\n"
            + "X-Tag: a\r\n"
            + "x-tag: b\r\n"
            + "Content-Length: 11\r\n"
            + "\r\n";
    private static final String GET = "GET /next HTTP/1.1\r\nHost: files.example\r\n\r\n";

    private static List<String> runSplit(byte[] input, int... cuts) {
        Conn c = new Conn();
        int from = 0;
        for (int cut : cuts) {
            c.client(Arrays.copyOfRange(input, from, cut));
            from = cut;
        }
        c.client(Arrays.copyOfRange(input, from, input.length));
        return describeAll(c.close());
    }

    @Test
    void requestWithBody() {
        List<Transmission> ts = new Conn().client(POST + "hello world" + GET).close();
        assertEquals(2, ts.size());
        Transmission t = ts.get(0);
        assertEquals("http", t.protocol());
        assertEquals(Direction.CLIENT_TO_SERVER, t.direction());
        assertEquals("files.example", t.destination());
        assertEquals("POST /upload?id=7 HTTP/1.1", t.summary());
        assertEquals(0, t.streamOffset());
        assertEquals("POST", t.attributes().get("method"));
        assertEquals("/upload?id=7", t.attributes().get("uri"));
        assertEquals("files.example", t.attributes().get("host"));
        assertEquals("HTTP/1.1", t.attributes().get("http-version"));
        assertEquals("Files.Example:8080", t.attributes().get("header:host"));
        assertEquals("a, b", t.attributes().get("header:x-tag"));
        assertEquals(List.of("http-headers", "http-query", "http-body"), layers(t));
        assertEquals(POST, text(root(t, "http-headers")));
        ContentObject query = root(t, "http-query");
        assertEquals("id=7", text(query));
        assertEquals("application/x-www-form-urlencoded", query.hint("content-type"));
        ContentObject body = root(t, "http-body");
        assertEquals("hello world", text(body));
        assertFalse(body.truncated());
        assertEquals(Map.of("content-type", "text/plain"), body.hints());
        assertTrue(t.notes().isEmpty(), t.notes().toString());

        Transmission next = ts.get(1);
        assertEquals("GET /next HTTP/1.1", next.summary());
        assertEquals(POST.length() + 11, next.streamOffset());
        assertEquals(List.of("http-headers"), layers(next));
    }

    @Test
    void requestSplitAtEveryOffsetGivesTheSameTransmissions() {
        byte[] input = bytes(POST + "hello world" + GET);
        List<String> whole = runSplit(input);
        for (int i = 1; i < input.length; i++) {
            assertEquals(whole, runSplit(input, i), "split at " + i);
        }
        int[] everyByte = new int[input.length - 1];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i + 1;
        }
        assertEquals(whole, runSplit(input, everyByte), "one byte at a time");
    }

    @Test
    void pipelinedRequestsInOneSegment() {
        String a = "GET /a HTTP/1.1\r\nHost: p.example\r\n\r\n";
        String b = "POST /b HTTP/1.1\r\nHost: p.example\r\nContent-Length: 3\r\n\r\nxyz";
        String c = "HEAD /c HTTP/1.1\r\nHost: p.example\r\n\r\n";
        List<Transmission> ts = new Conn().client(a + b + c).close();
        assertEquals(List.of("GET /a HTTP/1.1", "POST /b HTTP/1.1", "HEAD /c HTTP/1.1"),
                ts.stream().map(Transmission::summary).toList());
        assertEquals(List.of(0L, (long) a.length(), (long) (a + b).length()),
                ts.stream().map(Transmission::streamOffset).toList());
        assertEquals("xyz", text(root(ts.get(1), "http-body")));
    }

    @Test
    void requestsWithoutBodyAreEmittedAsSoonAsTheHeadEnds() {
        Conn c = new Conn().client("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"
                + "DELETE /x HTTP/1.0\r\nHost: a.example\r\n\r\n");
        assertEquals(2, c.sink.transmissions.size(), "emitted before the stream ends");
        for (Transmission t : c.sink.transmissions) {
            assertEquals(List.of("http-headers"), layers(t));
        }
        assertEquals("HTTP/1.0", c.sink.transmissions.get(1).attributes().get("http-version"));
        assertEquals(2, c.close().size());
    }

    @Test
    void queryStringBecomesItsOwnRoot() {
        Transmission t = new Conn().client("GET /search?q=secret%20data&x=1#frag HTTP/1.1\r\nHost: q.example\r\n\r\n")
                .close().get(0);
        assertEquals("q=secret%20data&x=1", text(root(t, "http-query")));
        assertEquals("/search?q=secret%20data&x=1#frag", t.attributes().get("uri"));
        assertEquals(List.of("http-headers"), layers(new Conn().client("GET /plain? HTTP/1.1\r\n\r\n").close().get(0)),
                "an empty query gives no root");
    }

    @Test
    void destinationFallsBackToAbsoluteTargetThenServerAddress() {
        Transmission proxied = new Conn().client("GET http://user@Proxy.Example:3128/x HTTP/1.1\r\nHost: other.example\r\n\r\n")
                .close().get(0);
        assertEquals("proxy.example", proxied.destination());
        Transmission noHost = new Conn().client("GET / HTTP/1.0\r\n\r\n").close().get(0);
        assertEquals("203.0.113.5", noHost.destination());
        assertFalse(noHost.attributes().containsKey("host"));
        Transmission v6 = new Conn().client("GET / HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n\r\n").close().get(0);
        assertEquals("2001:db8::1", v6.destination());
    }

    @Test
    void keepAliveSequenceAcrossSegments() {
        Conn c = new Conn();
        c.client("GET /one HTTP/1.1\r\nHost: k.example\r\n\r\n");
        c.server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        c.client("POST /two HTTP/1.1\r\nHost: k.example\r\nContent-Length: 4\r\n\r\n");
        c.client("data");
        c.server("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        c.client("GET /three HTTP/1.1\r\nHost: k.example\r\n\r\n");
        c.server("HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nx");
        c.close();
        assertEquals(List.of("GET /one HTTP/1.1", "POST /two HTTP/1.1", "GET /three HTTP/1.1"),
                c.sink.of(Direction.CLIENT_TO_SERVER).stream().map(Transmission::summary).toList());
        assertEquals(List.of("HTTP/1.1 200 OK (response to GET /one)", "HTTP/1.1 201 Created (response to POST /two)",
                        "HTTP/1.1 404 Not Found (response to GET /three)"),
                c.sink.of(Direction.SERVER_TO_CLIENT).stream().map(Transmission::summary).toList());
        assertEquals("data", text(root(c.sink.of(Direction.CLIENT_TO_SERVER).get(1), "http-body")));
    }

    private static final String CHUNKED = "POST /c HTTP/1.1\r\nHost: x.example\r\nTransfer-Encoding: chunked\r\n"
            + "Content-Encoding: gzip\r\n\r\n"
            + "5;name=val\r\nhello\r\n6 ; ext2\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n";

    @Test
    void chunkedWithExtensionsAndTrailers() {
        List<Transmission> ts = new Conn().client(CHUNKED + GET).close();
        assertEquals(2, ts.size());
        Transmission t = ts.get(0);
        assertEquals(List.of("http-headers", "http-chunked", "http-chunk-extensions", "http-trailers"), layers(t));
        ContentObject body = root(t, "http-chunked");
        assertEquals("hello world", text(body));
        assertFalse(body.truncated());
        assertEquals("gzip", body.hint("content-encoding"));
        assertEquals(";name=val\n; ext2\n", text(root(t, "http-chunk-extensions")));
        assertEquals("X-Checksum: abc\r\n\r\n", text(root(t, "http-trailers")));
        assertEquals("abc", t.attributes().get("trailer:x-checksum"));
        assertEquals(CHUNKED.length(), ts.get(1).streamOffset());
    }

    @Test
    void chunkedSplitAtEveryOffsetGivesTheSameTransmissions() {
        byte[] input = bytes(CHUNKED + GET);
        List<String> whole = runSplit(input);
        for (int i = 1; i < input.length; i++) {
            assertEquals(whole, runSplit(input, i), "split at " + i);
        }
        for (int i = 1; i < input.length - 1; i += 3) {
            assertEquals(whole, runSplit(input, i, i + 1), "split at " + i + " and " + (i + 1));
        }
    }

    @Test
    void transferEncodingWinsOverContentLength() {
        String smuggle = "POST /s HTTP/1.1\r\nHost: s.example\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n0\r\n\r\n";
        List<Transmission> ts = new Conn().client(smuggle + GET).close();
        assertEquals(2, ts.size());
        assertEquals("abc", text(root(ts.get(0), "http-chunked")));
        assertTrue(ts.get(0).notes().stream().anyMatch(n -> n.contains("request smuggling")), ts.get(0).notes().toString());
        assertEquals("GET /next HTTP/1.1", ts.get(1).summary());
    }

    @Test
    void repeatedEqualContentLengthIsNotedAndUsed() {
        Transmission t = new Conn().client("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc").close().get(0);
        assertEquals("abc", text(root(t, "http-body")));
        assertTrue(t.notes().stream().anyMatch(n -> n.contains("repeated Content-Length")), t.notes().toString());
    }

    @Test
    void conflictingContentLengthFallsBackToRaw() {
        String head = "POST /x HTTP/1.1\r\nHost: c.example\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\n";
        List<Transmission> ts = new Conn().client(head + "abcdefgh").close();
        assertEquals(2, ts.size());
        assertEquals(List.of("http-headers"), layers(ts.get(0)));
        assertTrue(ts.get(0).notes().stream().anyMatch(n -> n.contains("conflicting Content-Length")));
        Transmission raw = ts.get(1);
        assertEquals("tcp", raw.protocol());
        assertEquals("abcdefgh", text(root(raw, "tcp-stream")));
        assertEquals(head.length(), raw.streamOffset());
        assertEquals("c.example", raw.destination());
    }

    @Test
    void obsoleteLineFoldingIsJoinedAndNoted() {
        Transmission t = new Conn().client("GET / HTTP/1.1\r\nX-Long: first\r\n  second\r\n\tthird\r\n\r\n").close().get(0);
        assertEquals("first second third", t.attributes().get("header:x-long"));
        assertTrue(t.notes().stream().anyMatch(n -> n.contains("line folding")));
    }

    @Test
    void headerNamesAreCaseInsensitive() {
        Transmission t = new Conn().client("POST / HTTP/1.1\r\ncOnTeNt-LeNgTh: 2\r\nHOST: h.example\r\n\r\nhi").close().get(0);
        assertEquals("hi", text(root(t, "http-body")));
        assertEquals("h.example", t.destination());
    }

    @Test
    void tooManyHeadersFallsBackToRawKeepingEveryByte() {
        StringBuilder bad = new StringBuilder("POST /big HTTP/1.1\r\n");
        for (int i = 0; i < 300; i++) {
            bad.append("X-H").append(i).append(": v\r\n");
        }
        bad.append("Content-Length: 5\r\n\r\nMARKR and more bytes");
        String first = "GET /ok HTTP/1.1\r\nHost: f.example\r\n\r\n";
        List<Transmission> ts = new Conn().client(first + bad).close();
        assertEquals(2, ts.size());
        assertEquals("GET /ok HTTP/1.1", ts.get(0).summary());
        Transmission raw = ts.get(1);
        assertEquals("tcp", raw.protocol());
        assertEquals(List.of("tcp-stream"), layers(raw));
        assertEquals(bad.toString(), text(root(raw, "tcp-stream")));
        assertEquals(first.length(), raw.streamOffset());
        assertTrue(raw.notes().get(0).contains("more than 256 fields"), raw.notes().toString());
    }

    @Test
    void headerSectionLargerThanLimitFallsBackToRaw() {
        HttpLimits small = new HttpLimits(1024, 100, 256, 1024, 16);
        Conn c = new Conn(1 << 20, 64, small, 1L << 30);
        String req = "GET / HTTP/1.1\r\nX-Big: " + "a".repeat(200) + "\r\n\r\n";
        List<Transmission> ts = c.client(req).close();
        assertEquals(1, ts.size());
        assertEquals(req, text(root(ts.get(0), "tcp-stream")));
        assertTrue(ts.get(0).notes().get(0).contains("header section larger than 100 bytes"));
    }

    @Test
    void requestLineLongerThanLimitFallsBackToRaw() {
        HttpLimits small = new HttpLimits(64, 1024, 256, 1024, 16);
        String req = "GET /" + "q".repeat(100) + " HTTP/1.1\r\n\r\n";
        List<Transmission> ts = new Conn(1 << 20, 64, small, 1L << 30).client(req).close();
        assertEquals(1, ts.size());
        assertEquals(req, text(root(ts.get(0), "tcp-stream")));
        assertTrue(ts.get(0).notes().get(0).contains("start line longer than 64 bytes"));
    }

    @Test
    void headerLineWithoutColonFallsBackToRaw() {
        String req = "GET / HTTP/1.1\r\nHost: m.example\r\nthis is not a header\r\n\r\n";
        List<Transmission> ts = new Conn().client(req).close();
        assertEquals(1, ts.size());
        assertEquals(req, text(root(ts.get(0), "tcp-stream")));
        assertTrue(ts.get(0).notes().get(0).contains("no colon"));
    }

    @Test
    void garbageAfterValidRequestFallsBackToRaw() {
        String ok = "GET / HTTP/1.1\r\nHost: g.example\r\n\r\n";
        String garbage = "\u0016\u0003\u0001\u0000\u00a5binary\r\nstuff";
        Conn c = new Conn().client(ok);
        c.client(garbage);
        List<Transmission> ts = c.close();
        assertEquals(2, ts.size());
        Transmission raw = ts.get(1);
        assertEquals("tcp", raw.protocol());
        assertEquals(garbage, text(root(raw, "tcp-stream")));
        assertEquals(ok.length(), raw.streamOffset());
        assertEquals("g.example", raw.destination());
        assertTrue(raw.notes().get(0).contains("not an HTTP start line"), raw.notes().toString());
    }

    @Test
    void gapInsideFixedBodyKeepsFramingAndSplitsTheBody() {
        String head = "POST /g HTTP/1.1\r\nHost: gap.example\r\nContent-Length: 20\r\n\r\n";
        Conn c = new Conn().client(head + "01234").clientGap(5).client("ABCDEFGHIJ" + GET);
        List<Transmission> ts = c.close();
        assertEquals(3, ts.size(), describeAll(ts).toString());
        Transmission first = ts.get(0);
        assertEquals("POST /g HTTP/1.1 [piece 1]", first.summary());
        assertEquals(List.of("http-headers", "http-body"), layers(first));
        ContentObject b1 = root(first, "http-body");
        assertEquals("01234", text(b1));
        assertTrue(b1.truncated());
        assertEquals(20, b1.declaredLength());
        assertTrue(first.notes().contains("5 bytes missing at body offset 5"), first.notes().toString());

        Transmission second = ts.get(1);
        assertEquals("POST /g HTTP/1.1 [piece 2]", second.summary());
        assertEquals(List.of("http-body"), layers(second));
        assertEquals("ABCDEFGHIJ", text(root(second, "http-body")));
        assertEquals("10", second.attributes().get("piece-offset"));
        assertTrue(root(second, "http-body").truncated());

        assertEquals("GET /next HTTP/1.1", ts.get(2).summary());
        assertEquals(head.length() + 20, ts.get(2).streamOffset());
    }

    @Test
    void gapCoveringTheEndOfABodyIsNotedOnTheNextRequest() {
        String head = "POST /g HTTP/1.1\r\nContent-Length: 10\r\n\r\n";
        List<Transmission> ts = new Conn().client(head + "0123").clientGap(6 + 7).client(GET).close();
        // the 7 bytes after the body were lost too: the next bytes still start a request here
        assertEquals(2, ts.size(), describeAll(ts).toString());
        assertTrue(ts.get(0).notes().contains("6 bytes missing at body offset 4"));
        assertTrue(ts.get(1).notes().stream().anyMatch(n -> n.startsWith("7 bytes missing at stream offset "
                + (head.length() + 10))), ts.get(1).notes().toString());
    }

    @Test
    void gapInChunkedFramingFallsBackToRaw() {
        String head = "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        String sent = head + "5\r\nhel";
        List<Transmission> ts = new Conn().client(sent).clientGap(10).client("more data").close();
        assertEquals(2, ts.size(), describeAll(ts).toString());
        Transmission req = ts.get(0);
        ContentObject body = root(req, "http-chunked");
        assertEquals("hel", text(body));
        assertTrue(body.truncated());
        assertTrue(req.notes().stream().anyMatch(n -> n.contains("10 bytes missing at stream offset " + sent.length())));
        Transmission raw = ts.get(1);
        assertEquals("more data", text(root(raw, "tcp-stream")));
        assertEquals(sent.length() + 10, raw.streamOffset());
    }

    @Test
    void gapInsideHeadersFallsBackToRawWithTheHeadBytes() {
        String partial = "GET /h HTTP/1.1\r\nHost: par";
        List<Transmission> ts = new Conn().client(partial).clientGap(4).client("tial\r\n\r\n").close();
        List<String> raw = ts.stream().map(t -> text(root(t, "tcp-stream"))).toList();
        assertEquals(List.of(partial, "tial\r\n\r\n"), raw);
        assertTrue(root(ts.get(0), "tcp-stream").truncated());
        assertEquals(partial.length() + 4, ts.get(1).streamOffset());
        assertTrue(ts.stream().allMatch(t -> t.protocol().equals("tcp")));
    }

    @Test
    void bodyLargerThanPieceSizeIsEmittedInOverlappingPieces() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 200; i++) {
            sb.append((char) ('a' + i % 26));
        }
        String body = sb.substring(0, 200);
        Conn c = new Conn(64, 16, HttpLimits.DEFAULTS, 1L << 30);
        List<Transmission> ts = c.client("PUT /big HTTP/1.1\r\nHost: b.example\r\nContent-Length: 200\r\n\r\n" + body)
                .close();
        assertEquals(4, ts.size(), describeAll(ts).toString());
        long[] starts = {0, 48, 96, 144};
        for (int i = 0; i < 4; i++) {
            Transmission t = ts.get(i);
            assertEquals("PUT /big HTTP/1.1 [piece " + (i + 1) + "]", t.summary());
            assertEquals(Integer.toString(i + 1), t.attributes().get("piece"));
            assertEquals(Long.toString(starts[i]), t.attributes().get("piece-offset"));
            assertEquals(0, t.streamOffset());
            ContentObject r = root(t, "http-body");
            int end = (int) Math.min(200, starts[i] + 64);
            assertEquals(body.substring((int) starts[i], end), text(r));
            assertEquals(200, r.declaredLength());
            assertTrue(r.truncated());
            assertEquals(i == 0, t.roots().stream().anyMatch(o -> o.layer().equals("http-headers")));
            assertTrue(t.reservedBytes() > 0);
        }
    }

    @Test
    void budgetRefusalIsNotedWithTheCount() {
        Conn c = new Conn(4096, 16, HttpLimits.DEFAULTS, 100);
        List<Transmission> ts = c.client("POST / HTTP/1.1\r\nContent-Length: 50\r\n\r\n" + "z".repeat(50)).close();
        assertEquals(1, ts.size());
        ContentObject body = root(ts.get(0), "http-body");
        assertEquals(0, body.length());
        assertTrue(body.truncated());
        assertEquals(50, body.declaredLength());
        assertTrue(ts.get(0).notes().contains("50 body bytes not buffered (memory budget exhausted)"),
                ts.get(0).notes().toString());
    }

    @Test
    void streamEndingInsideBodyEmitsWhatThereIsTruncated() {
        Conn c = new Conn().client("POST /e HTTP/1.1\r\nContent-Length: 100\r\n\r\npartial");
        assertTrue(c.sink.transmissions.isEmpty());
        c.endClient(StreamEnd.RST);
        Transmission t = c.sink.transmissions.get(0);
        ContentObject body = root(t, "http-body");
        assertEquals("partial", text(body));
        assertTrue(body.truncated());
        assertTrue(t.notes().stream().anyMatch(n -> n.contains("RST") && n.contains("after 7 of 100")), t.notes().toString());
        c.close();
    }

    @Test
    void streamEndingInsideHeadKeepsTheBytesAsRaw() {
        List<Transmission> ts = new Conn().client("GET /unfinished?k=v HTTP/1.1\r\nHost: u.exa").close();
        assertEquals(1, ts.size());
        assertEquals("GET /unfinished?k=v HTTP/1.1\r\nHost: u.exa", text(root(ts.get(0), "tcp-stream")));
    }

    @Test
    void chunkSizeLineLongerThanLimitFallsBackToRaw() {
        String head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        String rest = "5;" + "e".repeat(2000) + "\r\nhello\r\n0\r\n\r\n";
        List<Transmission> ts = new Conn().client(head + rest).close();
        assertEquals(2, ts.size());
        assertTrue(ts.get(0).notes().stream().anyMatch(n -> n.contains("chunk-size line longer than 1024")));
        assertEquals(rest, text(root(ts.get(1), "tcp-stream")));
        assertEquals(head.length(), ts.get(1).streamOffset());
    }

    @Test
    void malformedChunkSizeFallsBackToRaw() {
        String head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        List<Transmission> ts = new Conn().client(head + "3\r\nabc\r\nzz\r\nrest").close();
        assertEquals(2, ts.size());
        assertEquals("abc", text(root(ts.get(0), "http-chunked")));
        assertTrue(root(ts.get(0), "http-chunked").truncated());
        assertEquals("zz\r\nrest", text(root(ts.get(1), "tcp-stream")));
    }

    @Test
    void chunkedNotFinalInRequestIsInvalidFraming() {
        List<Transmission> ts = new Conn().client("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\nbody").close();
        assertEquals(2, ts.size());
        assertEquals("body", text(root(ts.get(1), "tcp-stream")));
    }

    @Test
    void gapBetweenRequestsIsNotedOnTheNextOne() {
        String a = "GET /a HTTP/1.1\r\n\r\n";
        List<Transmission> ts = new Conn().client(a).clientGap(30).client(GET).close();
        assertEquals(2, ts.size());
        assertEquals(List.of("30 bytes missing at stream offset " + a.length() + " (between HTTP messages)"),
                ts.get(1).notes());
    }

    @Test
    void connectFollowedByTunnelledBytes() {
        Conn c = new Conn();
        c.client("CONNECT vault.example:443 HTTP/1.1\r\nHost: vault.example:443\r\n\r\n");
        c.server("HTTP/1.1 200 Connection established\r\n\r\n");
        c.client("\u0016\u0003\u0001\u0002\u0000client hello");
        c.server("\u0016\u0003\u0003server hello");
        c.close();
        List<Transmission> out = c.sink.of(Direction.CLIENT_TO_SERVER);
        assertEquals(2, out.size());
        assertEquals("vault.example", out.get(0).destination());
        assertEquals("tunnel after CONNECT vault.example:443", out.get(1).summary());
        assertEquals("\u0016\u0003\u0001\u0002\u0000client hello", text(root(out.get(1), "tcp-stream")));
        List<Transmission> in = c.sink.of(Direction.SERVER_TO_CLIENT);
        assertEquals(2, in.size());
        assertEquals("tunnel after HTTP/1.1 200 Connection established", in.get(1).summary());
        assertEquals("\u0016\u0003\u0003server hello", text(root(in.get(1), "tcp-stream")));
    }

    @Test
    void leadingEmptyLinesAreSkipped() {
        Transmission t = new Conn().client("\r\n\r\nGET /x HTTP/1.1\r\n\r\n").close().get(0);
        assertEquals("GET /x HTTP/1.1", t.summary());
        assertEquals(4, t.streamOffset());
    }

    @Test
    void spaceInsideTargetIsToleratedWithANote() {
        Transmission t = new Conn().client("GET /a b HTTP/1.1\r\nHost: w.example\r\n\r\n").close().get(0);
        assertEquals("http", t.protocol());
        assertEquals("/a b", t.attributes().get("uri"));
        assertTrue(t.notes().get(0).contains("extra whitespace"), t.notes().toString());
    }

    @Test
    void binaryAfterARequestIsRejectedBeforeAnyLineEnd() {
        Conn c = new Conn().client("GET / HTTP/1.1\r\n\r\n").client("\u0000\u0001\u0002 no line end yet");
        // no LF has arrived, yet the bytes are already known not to be HTTP
        assertEquals(HttpMessageDecoder.State.RAW_FALLBACK, ((HttpMessageDecoder) c.handler.clientToServer()).state());
        List<Transmission> ts = c.close();
        assertEquals("\u0000\u0001\u0002 no line end yet", text(root(ts.get(1), "tcp-stream")));
    }

    @Test
    void pipeliningDeeperThanTheLimitStopsPairing() {
        Conn c = new Conn(1 << 20, 64, new HttpLimits(1024, 1024, 16, 64, 2), 1L << 30);
        c.client("HEAD /1 HTTP/1.1\r\n\r\nHEAD /2 HTTP/1.1\r\n\r\nHEAD /3 HTTP/1.1\r\n\r\n");
        c.server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        c.close();
        Transmission r = c.sink.of(Direction.SERVER_TO_CLIENT).get(0);
        assertEquals("HTTP/1.1 200 OK", r.summary());
        assertTrue(r.notes().get(0).contains("more pipelined requests than 2"), r.notes().toString());
    }
}
