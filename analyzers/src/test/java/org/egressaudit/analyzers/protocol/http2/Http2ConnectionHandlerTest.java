package org.egressaudit.analyzers.protocol.http2;

import static org.egressaudit.analyzers.protocol.http2.H2TestSupport.describeAll;
import static org.egressaudit.analyzers.protocol.http2.H2TestSupport.layers;
import static org.egressaudit.analyzers.protocol.http2.H2TestSupport.root;
import static org.egressaudit.analyzers.protocol.http2.H2TestSupport.text;
import static org.egressaudit.analyzers.protocol.http2.H2Wire.block;
import static org.egressaudit.analyzers.protocol.http2.H2Wire.bytes;
import static org.egressaudit.analyzers.protocol.http2.H2Wire.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.protocol.Transmission;
import org.junit.jupiter.api.Test;

class Http2ConnectionHandlerTest {

    private static final String PART_1A = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"secret";
    private static final String PART_1B = ".docx\"\r\nContent-Type: application/octet-stream\r\n\r\nPK\u0003\u0004 planted ";
    private static final String PART_1C = "document bytes\r\n--XyZ--\r\n";
    private static final String BODY_3 = "{\"token\":\"CANARY-7f3a\",\"host\":\"workstation\"}";

    /** Request 1 (stream 1): multipart upload with a query; literal and Huffman strings, indexed names. */
    static byte[] request1Block() {
        return block()
                .indexed(3)                                   // :method POST
                .indexed(6)                                   // :scheme http
                .literalIndexedName(4, "/upload?user=alice&case=42")
                .literalIndexingIndexedName(1, "files.example:8443", true) // :authority -> dynamic 62
                .literalIndexedName(31, "multipart/form-data; boundary=XyZ")
                .literalHuffman("x-agent-id", "AV-123")
                .bytes();
    }

    /** Request 2 (stream 3): reuses the dynamic table entry for :authority. */
    static byte[] request3Block() {
        return block()
                .indexed(3)
                .indexed(6)
                .literalIndexedName(4, "/api/v1/telemetry")
                .indexed(62)                                  // :authority files.example:8443
                .literalIndexedName(31, "application/json")
                .literal("content-encoding", "identity")
                .bytes();
    }

    /** Like request 3 but without dynamic table references, for connections that start with it. */
    static byte[] standaloneBlock() {
        return block()
                .indexed(3)
                .indexed(6)
                .literalIndexedName(4, "/api/v1/telemetry")
                .literalIndexedName(1, "files.example:8443")
                .literalIndexedName(31, "application/json")
                .literal("content-encoding", "identity")
                .bytes();
    }

    /** The client side of a conversation with two interleaved uploads. */
    static byte[] clientConversation() {
        return concat(H2Wire.PREFACE,
                H2Wire.settings(0x1, 4096, 0x3, 100, 0x4, 65535),
                H2Wire.windowUpdate(0, 1 << 20),
                H2Wire.headers(1, false, request1Block()),
                H2Wire.data(1, false, PART_1A),
                H2Wire.headers(3, false, request3Block()),
                H2Wire.data(3, false, BODY_3.substring(0, 10)),
                H2Wire.data(1, false, PART_1B),
                H2Wire.settingsAck(),
                H2Wire.data(3, true, BODY_3.substring(10)),
                H2Wire.ping(0x0102030405060708L),
                H2Wire.data(1, true, PART_1C));
    }

    static byte[] serverConversation() {
        return concat(H2Wire.settings(0x3, 128, 0x5, 32768),
                H2Wire.settingsAck(),
                H2Wire.headers(3, false, block().indexed(8).literalIndexedName(31, "text/plain").bytes()),
                H2Wire.data(3, true, "accepted"),
                H2Wire.headers(1, true, block().literalIndexedName(8, "201").bytes()));
    }

    @Test
    void twoInterleavedUploadsBecomeTwoRequests() {
        H2TestSupport.Conn c = new H2TestSupport.Conn().client(clientConversation()).server(serverConversation());
        c.close();
        List<Transmission> client = c.client();
        assertEquals(2, client.size(), describeAll(client).toString());

        Transmission t3 = client.get(0);
        assertEquals("h2", t3.protocol());
        assertEquals("POST /api/v1/telemetry (h2 stream 3)", t3.summary());
        assertEquals("files.example", t3.destination());
        assertEquals(List.of("http-headers", "http-body"), layers(t3));
        assertEquals(BODY_3, text(root(t3, "http-body")));
        assertEquals(Map.of("content-type", "application/json", "content-encoding", "identity"),
                root(t3, "http-body").hints());
        assertFalse(root(t3, "http-body").truncated());
        assertEquals(List.of(), t3.notes());

        Transmission t1 = client.get(1);
        assertEquals("POST /upload?user=alice&case=42 (h2 stream 1)", t1.summary());
        assertEquals(List.of("http-headers", "http-query", "http-body"), layers(t1));
        assertEquals("POST", t1.attributes().get("method"));
        assertEquals("/upload?user=alice&case=42", t1.attributes().get("uri"));
        assertEquals("files.example", t1.attributes().get("host"));
        assertEquals("1", t1.attributes().get("h2-stream"));
        assertEquals("AV-123", t1.attributes().get("header:x-agent-id"));
        assertEquals("user=alice&case=42", text(root(t1, "http-query")));
        assertEquals("application/x-www-form-urlencoded", root(t1, "http-query").hint("content-type"));
        assertEquals(PART_1A + PART_1B + PART_1C, text(root(t1, "http-body")));
        assertEquals("multipart/form-data; boundary=XyZ", root(t1, "http-body").hint("content-type"));
        String head = text(root(t1, "http-headers"));
        assertEquals(":method: POST\r\n:scheme: http\r\n:path: /upload?user=alice&case=42\r\n"
                + ":authority: files.example:8443\r\ncontent-type: multipart/form-data; boundary=XyZ\r\n"
                + "x-agent-id: AV-123\r\n\r\n", head);
        // the request starts at its HEADERS frame: preface 24 + SETTINGS 27 + WINDOW_UPDATE 13
        assertEquals(24 + 27 + 13, t1.streamOffset());

        List<Transmission> server = c.server();
        assertEquals(2, server.size(), describeAll(server).toString());
        assertEquals("HTTP/2 200 (response to POST /api/v1/telemetry, h2 stream 3)", server.get(0).summary());
        assertEquals("accepted", text(root(server.get(0), "http-response-body")));
        assertEquals("text/plain", root(server.get(0), "http-response-body").hint("content-type"));
        assertEquals("files.example", server.get(0).destination());
        assertEquals("HTTP/2 201 (response to POST /upload?user=alice&case=42, h2 stream 1)",
                server.get(1).summary());
        assertEquals("201", server.get(1).attributes().get("status"));
        assertTrue(c.sink.events.contains("http-response: HTTP/2 201 (response to POST /upload?user=alice&case=42, "
                + "h2 stream 1)"), c.sink.events.toString());
        assertTrue(c.sink.events.contains("h2-settings: HEADER_TABLE_SIZE=4096 MAX_CONCURRENT_STREAMS=100 "
                + "INITIAL_WINDOW_SIZE=65535"), c.sink.events.toString());
    }

    @Test
    void splitAtEveryOffsetGivesTheSameTransmissions() {
        byte[] client = clientConversation();
        byte[] server = serverConversation();
        List<String> whole = describeAll(new H2TestSupport.Conn().client(client).server(server).close());
        for (int cut = 1; cut < client.length; cut++) {
            List<String> split = describeAll(new H2TestSupport.Conn()
                    .client(H2Wire.slice(client, 0, cut), H2Wire.slice(client, cut, client.length))
                    .server(server).close());
            assertEquals(whole, split, "client split at " + cut);
        }
        for (int cut = 1; cut < server.length; cut++) {
            List<String> split = describeAll(new H2TestSupport.Conn().client(client)
                    .server(H2Wire.slice(server, 0, cut), H2Wire.slice(server, cut, server.length)).close());
            assertEquals(whole, split, "server split at " + cut);
        }
        H2TestSupport.Conn bytewise = new H2TestSupport.Conn();
        for (byte b : client) {
            bytewise.client(new byte[] {b});
        }
        for (byte b : server) {
            bytewise.server(new byte[] {b});
        }
        assertEquals(whole, describeAll(bytewise.close()));
    }

    @Test
    void continuationPaddingAndPriorityAreStripped() {
        byte[] blk = request1Block();
        byte[] client = concat(H2Wire.PREFACE, H2Wire.settings(),
                H2Wire.headersStart(1, false, H2Wire.slice(blk, 0, 5)),
                H2Wire.continuation(1, false, H2Wire.slice(blk, 5, 30)),
                H2Wire.continuation(1, true, H2Wire.slice(blk, 30, blk.length)),
                H2Wire.paddedData(1, false, bytes("first "), 7, (byte) 0),
                H2Wire.paddedData(1, true, bytes("second"), 0, (byte) 0),
                H2Wire.headersPaddedPriority(3, true, request3Block(), 12));
        H2TestSupport.Conn c = new H2TestSupport.Conn().client(client);
        c.close();
        List<Transmission> ts = c.client();
        assertEquals(2, ts.size(), describeAll(ts).toString());
        assertEquals("POST /upload?user=alice&case=42 (h2 stream 1)", ts.get(0).summary());
        assertEquals("first second", text(root(ts.get(0), "http-body")));
        assertEquals(List.of(), ts.get(0).notes());
        assertEquals("POST /api/v1/telemetry (h2 stream 3)", ts.get(1).summary());
        assertEquals("files.example", ts.get(1).destination());
        assertEquals(List.of("http-headers"), layers(ts.get(1)));
    }

    @Test
    void nonZeroPaddingAndUnknownFramesAreKeptAsExtras() {
        byte[] client = concat(H2Wire.PREFACE, H2Wire.settings(),
                H2Wire.headers(1, false, standaloneBlock()),
                H2Wire.paddedData(1, false, bytes("body"), 4, (byte) 'Z'),
                H2Wire.frame(0xfa, 0, 0, bytes("hidden in an extension frame")),
                H2Wire.data(1, true, "!"));
        H2TestSupport.Conn c = new H2TestSupport.Conn().client(client);
        c.close();
        List<Transmission> ts = c.client();
        assertEquals(2, ts.size(), describeAll(ts).toString());
        assertEquals("body!", text(root(ts.get(0), "http-body")));
        assertTrue(ts.get(0).notes().contains("padding bytes that are not zero (kept for analysis)"),
                ts.get(0).notes().toString());
        Transmission extras = ts.get(1);
        assertEquals("HTTP/2 frame bytes outside messages", extras.summary());
        assertEquals("ZZZZhidden in an extension frame", text(root(extras, "h2-frame-extras")));
        assertEquals(List.of("bytes outside HTTP messages: DATA padding, frame type 0xfa payload"), extras.notes());
    }

    @Test
    void dynamicTableIsSharedAcrossRequestsAndHuffmanDecodes() {
        // RFC 7541 C.4.1-C.4.3 as three requests on one connection
        byte[] client = concat(H2Wire.PREFACE, H2Wire.settings(),
                H2Wire.headers(1, true, HpackDecoderTest.hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff")),
                H2Wire.headers(3, true, HpackDecoderTest.hex("8286 84be 5886 a8eb 1064 9cbf")),
                H2Wire.headers(5, true, HpackDecoderTest.hex(
                        "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf")));
        H2TestSupport.Conn c = new H2TestSupport.Conn().client(client);
        c.close();
        List<Transmission> ts = c.client();
        assertEquals(3, ts.size());
        assertEquals("GET / (h2 stream 1)", ts.get(0).summary());
        assertEquals("www.example.com", ts.get(1).destination());
        assertEquals("no-cache", ts.get(1).attributes().get("header:cache-control"));
        assertEquals("GET /index.html (h2 stream 5)", ts.get(2).summary());
        assertEquals("https", ts.get(2).attributes().get("scheme"));
        assertEquals("custom-value", ts.get(2).attributes().get("header:custom-key"));
        assertTrue(text(root(ts.get(2), "http-headers")).contains("custom-key: custom-value\r\n"));
    }

    @Test
    void streamResetMidBodyIsEmittedTruncatedWithANote() {
        byte[] client = concat(H2Wire.PREFACE, H2Wire.settings(),
                H2Wire.headers(1, false, request1Block()),
                H2Wire.data(1, false, PART_1A),
                H2Wire.rst(1, 0x8),
                H2Wire.headers(3, true, standaloneBlock()));
        H2TestSupport.Conn c = new H2TestSupport.Conn().client(client);
        c.close();
        List<Transmission> ts = c.client();
        assertEquals(2, ts.size(), describeAll(ts).toString());
        ContentObject body = root(ts.get(0), "http-body");
        assertEquals(PART_1A, text(body));
        assertTrue(body.truncated());
        assertEquals(List.of("stream reset by the client (CANCEL)"), ts.get(0).notes());
        assertEquals("POST /api/v1/telemetry (h2 stream 3)", ts.get(1).summary());
        assertTrue(c.sink.events.contains("h2-rst-stream: stream 1: stream reset by the client (CANCEL)"));
    }

    @Test
    void serverResetEndsTheClientsUpload() {
        H2TestSupport.Conn c = new H2TestSupport.Conn()
                .client(H2Wire.PREFACE, H2Wire.settings(), H2Wire.headers(1, false, request1Block()),
                        H2Wire.data(1, false, PART_1A))
                .server(H2Wire.settings(), H2Wire.rst(1, 0x7));
        List<Transmission> ts = c.client();
        assertEquals(1, ts.size(), "emitted when the server resets, before the connection ends");
        assertEquals(List.of("stream reset by the server (REFUSED_STREAM)"), ts.get(0).notes());
        assertTrue(root(ts.get(0), "http-body").truncated());
        c.close();
    }

    @Test
    void connectionEndBeforeEndStreamEmitsWithANote() {
        H2TestSupport.Conn c = new H2TestSupport.Conn().client(H2Wire.PREFACE, H2Wire.settings(),
                H2Wire.headers(1, false, request1Block()), H2Wire.data(1, false, PART_1A),
                H2Wire.slice(H2Wire.data(1, true, PART_1B), 0, 12));
        c.handler.clientToServer().onEnd(StreamEnd.RST, H2TestSupport.TS);
        List<Transmission> ts = c.client();
        assertEquals(1, ts.size(), describeAll(ts).toString());
        assertEquals(PART_1A + PART_1B.substring(0, 3), text(root(ts.get(0), "http-body")));
        assertEquals(List.of("stream ended (RST) inside a frame at stream offset "
                        + (24 + 9 + 9 + request1Block().length + 9 + PART_1A.length()),
                "stream ended (RST) before END_STREAM"), ts.get(0).notes());
        c.close();
    }

    @Test
    void trailersAndInterimResponses() {
        H2TestSupport.Conn c = new H2TestSupport.Conn()
                .client(H2Wire.PREFACE, H2Wire.settings(), H2Wire.headers(1, false, standaloneBlock()),
                        H2Wire.data(1, false, BODY_3),
                        H2Wire.headers(1, true, block().literal("x-checksum", "abc123").bytes()))
                .server(H2Wire.settings(),
                        H2Wire.headers(1, false, block().literalIndexedName(8, "100").bytes()),
                        H2Wire.headers(1, false, block().indexed(8).bytes()),
                        H2Wire.data(1, true, "ok"));
        c.close();
        Transmission req = c.client().get(0);
        assertEquals(List.of("http-headers", "http-body", "http-trailers"), layers(req));
        assertEquals("x-checksum: abc123\r\n\r\n", text(root(req, "http-trailers")));
        assertEquals("abc123", req.attributes().get("trailer:x-checksum"));
        assertEquals(1, c.server().size());
        assertEquals("HTTP/2 200 (response to POST /api/v1/telemetry, h2 stream 1)", c.server().get(0).summary());
        assertTrue(c.sink.events.contains("http-response: HTTP/2 100 (interim, response to POST /api/v1/telemetry, "
                + "h2 stream 1)"), c.sink.events.toString());
    }

    @Test
    void serverPushIsRecordedAndItsResponseNamed() {
        H2TestSupport.Conn c = new H2TestSupport.Conn()
                .client(H2Wire.PREFACE, H2Wire.settings(),
                        H2Wire.headers(1, true, HpackDecoderTest.hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff")))
                .server(H2Wire.settings(),
                        H2Wire.pushPromise(1, 2, block().indexed(2).indexed(6).literalIndexedName(4, "/style.css")
                                .literalIndexedName(1, "www.example.com").bytes()),
                        H2Wire.headers(1, false, block().indexed(8).bytes()), H2Wire.data(1, true, "<html>"),
                        H2Wire.headers(2, false, block().indexed(8).bytes()), H2Wire.data(2, true, "body{}"));
        c.close();
        assertTrue(c.sink.events.contains("h2-push-promise: GET /style.css (promised stream 2 on stream 1)"),
                c.sink.events.toString());
        List<Transmission> server = c.server();
        assertEquals(2, server.size());
        assertEquals("HTTP/2 200 (response to GET /style.css, h2 stream 2)", server.get(1).summary());
        assertEquals("body{}", text(root(server.get(1), "http-response-body")));
    }

    @Test
    void gapInsideDataKeepsFramingAndSplitsTheBody() {
        byte[] data = H2Wire.data(1, true, "0123456789abcdefghij");
        H2TestSupport.Conn c = new H2TestSupport.Conn().client(H2Wire.PREFACE, H2Wire.settings(),
                H2Wire.headers(1, false, standaloneBlock()), H2Wire.slice(data, 0, 9 + 5));
        c.clientGap(5).client(H2Wire.slice(data, 9 + 10, data.length), H2Wire.headers(3, true, standaloneBlock()));
        c.close();
        List<Transmission> ts = c.client();
        assertEquals(3, ts.size(), describeAll(ts).toString());
        assertEquals("POST /api/v1/telemetry (h2 stream 1) [piece 1]", ts.get(0).summary());
        assertEquals("01234", text(root(ts.get(0), "http-body")));
        assertEquals("abcdefghij", text(root(ts.get(1), "http-body")));
        assertEquals("10", ts.get(1).attributes().get("piece-offset"));
        assertEquals(List.of("5 bytes missing at body offset 5"), ts.get(0).notes());
        assertEquals("POST /api/v1/telemetry (h2 stream 3)", ts.get(2).summary());
    }

    @Test
    void gapOutsideDataLosesFramingAndTheRestIsRaw() {
        H2TestSupport.Conn c = new H2TestSupport.Conn().client(H2Wire.PREFACE, H2Wire.settings(),
                H2Wire.headers(1, false, standaloneBlock()), H2Wire.data(1, false, "before"));
        c.clientGap(40).client(bytes("after the gap: CANARY-bytes"));
        c.close();
        List<Transmission> ts = c.client();
        assertEquals(2, ts.size(), describeAll(ts).toString());
        assertEquals("before", text(root(ts.get(0), "http-body")));
        assertTrue(ts.get(0).notes().get(0).startsWith("HTTP/2 framing lost: 40 bytes missing"), ts.get(0).notes()
                .toString());
        Transmission raw = ts.get(1);
        assertEquals("tcp", raw.protocol());
        assertEquals(Http2DirectionDecoder.RAW_SUMMARY, raw.summary());
        assertEquals("after the gap: CANARY-bytes", text(root(raw, "tcp-stream")));
    }

    @Test
    void frameAboveTheLimitFallsBackToRawFromTheFrameStart() {
        Http2Limits limits = new Http2Limits(1024, 256 * 1024, 100, 64 * 1024, 64 * 1024);
        byte[] big = H2Wire.data(3, true, "X".repeat(2000));
        byte[] prefix = concat(H2Wire.PREFACE, H2Wire.settings(), H2Wire.headers(1, true, standaloneBlock()),
                H2Wire.headers(3, false, standaloneBlock()));
        H2TestSupport.Conn c = new H2TestSupport.Conn(limits).client(prefix, big);
        c.close();
        List<Transmission> ts = c.client();
        assertEquals(3, ts.size(), describeAll(ts).toString());
        assertEquals("POST /api/v1/telemetry (h2 stream 1)", ts.get(0).summary());
        assertEquals(List.of("HTTP/2 framing lost: frame of 2000 bytes exceeds the limit of 1024"),
                ts.get(1).notes());
        Transmission raw = ts.get(2);
        assertEquals(prefix.length, raw.streamOffset());
        assertEquals(big.length, root(raw, "tcp-stream").length());
        assertEquals("frame of 2000 bytes exceeds the limit of 1024", raw.attributes().get("h2-fallback"));
        assertTrue(raw.notes().get(0).endsWith("the rest of the direction is analysed raw"), raw.notes().toString());
    }

    @Test
    void headerListAboveTheLimitFallsBackWithTheUndecodedBlock() {
        Http2Limits limits = new Http2Limits(1 << 24, 200, 100, 64 * 1024, 64 * 1024);
        byte[] blk = block().indexed(3).literalIndexedName(4, "/x").literal("x-big", "Y".repeat(150)).bytes();
        H2TestSupport.Conn c = new H2TestSupport.Conn(limits).client(H2Wire.PREFACE, H2Wire.settings(),
                H2Wire.headers(1, true, blk), H2Wire.data(1, true, "after"));
        c.close();
        List<Transmission> ts = c.client();
        assertEquals(2, ts.size(), describeAll(ts).toString());
        assertEquals("undecoded header block (h2 stream 1)", ts.get(0).summary());
        assertTrue(text(root(ts.get(0), "h2-header-block")).contains("YYYY"));
        Transmission raw = ts.get(1);
        assertTrue(raw.attributes().get("h2-fallback").contains("header list larger than 200 bytes"));
        assertEquals(9 + blk.length + 9 + 5, root(raw, "tcp-stream").length());
    }

    @Test
    void tooManyConcurrentStreamsFallsBack() {
        Http2Limits limits = new Http2Limits(1 << 24, 256 * 1024, 2, 64 * 1024, 64 * 1024);
        H2TestSupport.Conn c = new H2TestSupport.Conn(limits).client(H2Wire.PREFACE, H2Wire.settings(),
                H2Wire.headers(1, false, standaloneBlock()), H2Wire.headers(3, false, standaloneBlock()),
                H2Wire.headers(5, false, standaloneBlock()), H2Wire.data(1, true, "x"));
        c.close();
        List<Transmission> ts = c.client();
        assertEquals(3, ts.size(), describeAll(ts).toString());
        assertTrue(ts.get(2).attributes().get("h2-fallback").contains("more than 2 concurrent streams"));
        assertEquals(9 + standaloneBlock().length + 9 + 1, root(ts.get(2), "tcp-stream").length());
    }

    @Test
    void hpackTableSizeUpdateAboveTheLimitFallsBack() {
        Http2Limits limits = new Http2Limits(1 << 24, 256 * 1024, 100, 8192, 64 * 1024);
        H2TestSupport.Conn c = new H2TestSupport.Conn(limits).client(H2Wire.PREFACE, H2Wire.settings(),
                H2Wire.headers(1, true, block().sizeUpdate(1 << 20).raw(standaloneBlock()).bytes()));
        c.close();
        List<Transmission> ts = c.client();
        assertTrue(ts.get(ts.size() - 1).attributes().get("h2-fallback").contains("exceeds the limit of 8192"),
                describeAll(ts).toString());
    }

    @Test
    void missingContinuationFallsBack() {
        byte[] blk = standaloneBlock();
        H2TestSupport.Conn c = new H2TestSupport.Conn().client(H2Wire.PREFACE, H2Wire.settings(),
                H2Wire.headersStart(1, true, H2Wire.slice(blk, 0, 4)), H2Wire.data(1, true, "x"));
        c.close();
        List<Transmission> ts = c.client();
        assertEquals(2, ts.size(), describeAll(ts).toString());
        assertEquals("undecoded header block (h2 stream 1)", ts.get(0).summary());
        assertEquals("expected CONTINUATION of the header block of stream 1, got DATA on stream 1",
                ts.get(1).attributes().get("h2-fallback"));
    }

    @Test
    void malformedPrefaceIsRawFromTheStart() {
        byte[] bad = concat(H2Wire.slice(H2Wire.PREFACE, 0, 10), bytes("not http2 at all"));
        H2TestSupport.Conn c = new H2TestSupport.Conn().client(bad);
        c.close();
        List<Transmission> ts = c.client();
        assertEquals(1, ts.size());
        assertEquals(0, ts.get(0).streamOffset());
        assertEquals(new String(bad, java.nio.charset.StandardCharsets.ISO_8859_1), text(root(ts.get(0),
                "tcp-stream")));
    }

    @Test
    void largeBodiesArePiecedAndBudgetShortfallIsNoted() {
        String body = "0123456789".repeat(100);
        H2TestSupport.Conn c = new H2TestSupport.Conn(256, 16, Http2Limits.DEFAULTS, 1L << 30)
                .client(H2Wire.PREFACE, H2Wire.settings(), H2Wire.headers(1, false, standaloneBlock()),
                        H2Wire.data(1, false, body.substring(0, 333)), H2Wire.data(1, true, body.substring(333)));
        c.close();
        List<Transmission> ts = c.client();
        assertTrue(ts.size() >= 4, describeAll(ts).toString());
        assertEquals(List.of("http-headers", "http-body"), layers(ts.get(0)));
        assertEquals("POST /api/v1/telemetry (h2 stream 1) [piece 1]", ts.get(0).summary());
        StringBuilder joined = new StringBuilder();
        for (Transmission t : ts) {
            ContentObject b = root(t, "http-body");
            String s = text(b);
            joined.append(joined.length() == 0 ? s : s.substring(16));
        }
        assertEquals(body, joined.toString());

        H2TestSupport.Conn poor = new H2TestSupport.Conn(1 << 20, 16, Http2Limits.DEFAULTS, 4096 + 300)
                .client(H2Wire.PREFACE, H2Wire.settings(), H2Wire.headers(1, false, standaloneBlock()),
                        H2Wire.data(1, true, "Z".repeat(10_000)));
        poor.close();
        Transmission t = poor.client().get(poor.client().size() - 1);
        assertTrue(t.notes().stream().anyMatch(n -> n.contains("not buffered (memory budget exhausted)")),
                describeAll(poor.client()).toString());
    }

    @Test
    void oversizedFrameWithinTheLimitIsOnlyNoted() {
        H2TestSupport.Conn c = new H2TestSupport.Conn().client(H2Wire.PREFACE, H2Wire.settings(),
                H2Wire.headers(1, false, standaloneBlock()), H2Wire.data(1, true, "Q".repeat(20_000)));
        c.close();
        Transmission t = c.client().get(0);
        assertEquals(20_000, root(t, "http-body").length());
        assertEquals(List.of("frame of 20000 bytes exceeds the announced SETTINGS_MAX_FRAME_SIZE 16384"), t.notes());
    }

    @Test
    void goawayDebugDataIsKeptAndErrorsNoted() {
        H2TestSupport.Conn c = new H2TestSupport.Conn().client(H2Wire.PREFACE, H2Wire.settings(),
                H2Wire.goaway(0, 0x2, "debug: exfil-candidate"));
        c.close();
        List<Transmission> ts = c.client();
        assertEquals(2, ts.size(), describeAll(ts).toString());
        assertEquals("debug: exfil-candidate", text(root(ts.get(0), "h2-frame-extras")));
        assertEquals(List.of("GOAWAY from the client (INTERNAL_ERROR, last stream 0)"), ts.get(1).notes());
    }

    @Test
    void contentLengthMismatchIsNoted() {
        H2TestSupport.Conn c = new H2TestSupport.Conn().client(H2Wire.PREFACE, H2Wire.settings(),
                H2Wire.headers(1, false, block().indexed(3).literalIndexedName(4, "/u")
                        .literalIndexedName(28, "10").bytes()),
                H2Wire.data(1, true, "only six"));
        c.close();
        assertEquals(List.of("content-length 10 but the DATA frames carried 8 bytes"), c.client().get(0).notes());
        assertEquals(10, root(c.client().get(0), "http-body").declaredLength());
    }
}
