package org.egressaudit.analyzers.protocol.tls;

import static org.egressaudit.analyzers.protocol.AppLayerTestSink.feed;
import static org.egressaudit.analyzers.protocol.AppLayerTestSink.feedBytewise;
import static org.egressaudit.analyzers.protocol.AppLayerTestSink.root;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.protocol.AppLayerTestSink;
import org.egressaudit.analyzers.protocol.Transmission;
import org.egressaudit.analyzers.protocol.raw.RawLimits;
import org.junit.jupiter.api.Test;

class TlsStreamHandlerTest {
    private static final FlowKey KEY = AppLayerTestSink.tcp(50000, 443);

    private static final byte[] CLIENT;
    private static final byte[] SERVER;
    private static final long CLIENT_APP_DATA = 100 + 2000 + 5;

    static {
        try {
            CLIENT = TlsTestMessages.concat(
                    TlsTestMessages.jdkClientHello("upload.example", "h2"),
                    TlsTestMessages.records(20, new byte[] {1}, 10),
                    TlsTestMessages.records(23, TlsTestMessages.filled(100, 1), 16384),
                    TlsTestMessages.records(23, TlsTestMessages.filled(2000, 2), 16384),
                    TlsTestMessages.records(23, TlsTestMessages.filled(5, 3), 16384));
            SERVER = TlsTestMessages.concat(
                    TlsTestMessages.records(22, TlsTestMessages.serverHello13(), 16384),
                    TlsTestMessages.records(20, new byte[] {1}, 10),
                    TlsTestMessages.records(23, TlsTestMessages.filled(3000, 4), 1000));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static TlsStreamHandler handler(AppLayerTestSink sink) {
        return new TlsStreamHandler(KEY, sink.context(), TlsLimits.DEFAULTS, RawLimits.DEFAULTS);
    }

    private static void close(TlsStreamHandler h) {
        h.clientToServer().onEnd(StreamEnd.FIN, 9);
        h.serverToClient().onEnd(StreamEnd.FIN, 9);
        h.onClose(null);
    }

    private static void checkSummary(AppLayerTestSink sink) {
        assertEquals(1, sink.transmissions.size(), sink.transmissions.toString());
        Transmission t = sink.transmissions.get(0);
        assertEquals("tls", t.protocol());
        assertEquals(Direction.CLIENT_TO_SERVER, t.direction());
        assertEquals("upload.example", t.destination());
        assertEquals("TLS to upload.example (opaque)", t.summary());
        assertEquals("upload.example", t.attributes().get("sni"));
        assertEquals("h2", t.attributes().get("alpn"));
        assertEquals("TLS 1.3", t.attributes().get("tls-version"));
        assertEquals("0x1301 TLS_AES_128_GCM_SHA256", t.attributes().get("cipher"));
        assertEquals(Long.toString(CLIENT.length), t.attributes().get("client-bytes"));
        assertEquals(Long.toString(SERVER.length), t.attributes().get("server-bytes"));
        assertEquals(Long.toString(CLIENT_APP_DATA), t.attributes().get("client-application-data-bytes"));
        assertEquals("3000", t.attributes().get("server-application-data-bytes"));
        assertTrue(t.attributes().get("ja3").startsWith("771,"));
        assertEquals(CLIENT_APP_DATA, t.opaqueBytes(), "application data; the one-byte CCS is plaintext");
        assertArrayEquals("upload.example".getBytes(StandardCharsets.US_ASCII), root(t, "tls-sni"));
        assertEquals(1, t.roots().size());
        assertEquals(List.of(), t.notes());
        assertEquals(1, sink.events("tls-server-hello").size());
    }

    @Test
    void countsRecordsSplitAtEveryOffset() {
        for (int cut = 0; cut <= CLIENT.length; cut += 1) {
            AppLayerTestSink sink = new AppLayerTestSink();
            TlsStreamHandler h = handler(sink);
            feed(h.clientToServer(), CLIENT, 1, cut);
            feed(h.serverToClient(), SERVER, 2, Math.min(cut, SERVER.length - 1));
            close(h);
            checkSummary(sink);
        }
    }

    @Test
    void countsRecordsFedOneByteAtATime() {
        AppLayerTestSink sink = new AppLayerTestSink();
        TlsStreamHandler h = handler(sink);
        feedBytewise(h.clientToServer(), CLIENT, 1);
        feedBytewise(h.serverToClient(), SERVER, 2);
        close(h);
        checkSummary(sink);
    }

    @Test
    void manyRecordsInOneSegment() {
        AppLayerTestSink sink = new AppLayerTestSink();
        TlsStreamHandler h = handler(sink);
        feed(h.clientToServer(), CLIENT, 1);
        feed(h.serverToClient(), SERVER, 2);
        close(h);
        checkSummary(sink);
    }

    @Test
    void gapInsideARecordBodyKeepsFraming() {
        AppLayerTestSink sink = new AppLayerTestSink();
        TlsStreamHandler h = handler(sink);
        int bigRecordBody = CLIENT.length - (5 + 5) - (5 + 2000) + 5 + 100; // start of the 2000-byte body + 100
        h.clientToServer().onData(ByteBuffer.wrap(CLIENT), 0, bigRecordBody, 0, 1);
        h.clientToServer().onGap(bigRecordBody, 500, 2);
        h.clientToServer().onData(ByteBuffer.wrap(CLIENT), bigRecordBody + 500, CLIENT.length - bigRecordBody - 500,
                bigRecordBody + 500, 3);
        close(h);
        Transmission t = sink.transmissions.get(0);
        assertEquals(Long.toString(CLIENT_APP_DATA - 500), t.attributes().get("client-application-data-bytes"));
        assertTrue(t.notes().contains("500 client bytes missing at stream offset " + bigRecordBody), t.notes().toString());
        assertTrue(t.notes().stream().noneMatch(n -> n.contains("framing lost")), t.notes().toString());
    }

    @Test
    void plaintextAfterTheHelloIsAnalysedRaw() throws Exception {
        byte[] hello = TlsTestMessages.jdkClientHello("upload.example", "h2");
        byte[] secret = "PLAINTEXT: the quarterly report follows ...".getBytes(StandardCharsets.US_ASCII);
        byte[] stream = TlsTestMessages.concat(hello, secret);
        for (int cut : new int[] {hello.length - 1, hello.length, hello.length + 1, hello.length + 3, hello.length + 4}) {
            AppLayerTestSink sink = new AppLayerTestSink();
            TlsStreamHandler h = handler(sink);
            feed(h.clientToServer(), stream, 1, cut);
            close(h);
            List<Transmission> raw = sink.withRoot("tcp-stream");
            assertEquals(1, raw.size(), "cut " + cut);
            assertArrayEquals(secret, root(raw.get(0), "tcp-stream"), "cut " + cut);
            assertEquals(hello.length, raw.get(0).streamOffset());
            Transmission tls = sink.transmissions(t -> t.protocol().equals("tls")).get(0);
            assertEquals("upload.example", tls.attributes().get("sni"));
            assertTrue(tls.notes().stream().anyMatch(n -> n.contains("not TLS at stream offset " + hello.length)),
                    tls.notes().toString());
        }
    }

    @Test
    void fakeTlsWithAnUnparseableHelloIsAnalysedRawFromTheStart() {
        byte[] body = "SECRET//NOFORN smuggled behind a handshake record header".getBytes(StandardCharsets.US_ASCII);
        byte[] rec = TlsTestMessages.concat(new byte[] {22, 3, 1, 0, (byte) (body.length + 4), 1, 0, 0,
                (byte) body.length}, body);
        byte[] more = "and the rest of the upload".getBytes(StandardCharsets.US_ASCII);
        byte[] stream = TlsTestMessages.concat(rec, more);
        AppLayerTestSink sink = new AppLayerTestSink();
        TlsStreamHandler h = handler(sink);
        feed(h.clientToServer(), stream, 1, 7, rec.length);
        close(h);
        List<Transmission> raw = sink.withRoot("tcp-stream");
        assertEquals(1, raw.size());
        assertArrayEquals(stream, root(raw.get(0), "tcp-stream"));
        assertEquals(0, raw.get(0).streamOffset());
        Transmission tls = sink.transmissions(t -> t.protocol().equals("tls")).get(0);
        assertEquals(0, tls.opaqueBytes());
    }

    @Test
    void helloCutShortByAGapIsAnalysedRaw() throws Exception {
        byte[] hello = TlsTestMessages.jdkClientHello("upload.example", "h2");
        AppLayerTestSink sink = new AppLayerTestSink();
        TlsStreamHandler h = handler(sink);
        h.clientToServer().onData(ByteBuffer.wrap(hello), 0, 50, 0, 1);
        h.clientToServer().onGap(50, 20, 2);
        h.clientToServer().onData(ByteBuffer.wrap(hello), 70, hello.length - 70, 70, 3);
        close(h);
        List<Transmission> raw = sink.withRoot("tcp-stream");
        assertEquals(2, raw.size());
        assertArrayEquals(Arrays.copyOf(hello, 50), root(raw.get(0), "tcp-stream"));
        assertArrayEquals(Arrays.copyOfRange(hello, 70, hello.length), root(raw.get(1), "tcp-stream"));
        assertTrue(raw.get(1).notes().contains("20 bytes missing at stream offset 50"));
    }
}
