package org.egressaudit.analyzers.protocol;

import static org.egressaudit.analyzers.protocol.AppLayerTestSink.root;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.flow.StreamListener;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.flow.TcpFlowStats;
import org.junit.jupiter.api.Test;

class AppLayerDispatcherTest {

    /** An HTTP-like recogniser whose handler logs everything it receives. */
    static final class FakeHttp implements TcpProtocol {
        final List<LoggingHandler> created = new ArrayList<>();
        final int needBytes;
        int failOnClientCall = -1;

        FakeHttp(int needBytes) {
            this.needBytes = needBytes;
        }

        @Override
        public String name() {
            return "fake-http";
        }

        @Override
        public Recognition recognize(FlowKey key, byte[] prefix, int length) {
            byte[] get = "GET ".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < Math.min(length, get.length); i++) {
                if (prefix[i] != get[i]) {
                    return Recognition.NO;
                }
            }
            return length >= Math.max(needBytes, get.length) ? Recognition.YES : Recognition.NEED_MORE;
        }

        @Override
        public TcpConnectionHandler create(FlowKey key, boolean handshakeSeen, long firstSeenNanos,
                                           ProtocolContext context) {
            LoggingHandler h = new LoggingHandler(failOnClientCall);
            created.add(h);
            return h;
        }
    }

    static final class LoggingHandler implements TcpConnectionHandler {
        final List<String> log = new ArrayList<>();
        final ByteArrayOutputStream client = new ByteArrayOutputStream();
        final ByteArrayOutputStream server = new ByteArrayOutputStream();
        final int failOnClientCall;
        int clientCalls;
        boolean closed;

        LoggingHandler(int failOnClientCall) {
            this.failOnClientCall = failOnClientCall;
        }

        private StreamListener listener(String dir, ByteArrayOutputStream sink) {
            return new StreamListener() {
                long next;

                @Override
                public void onData(ByteBuffer buffer, int offset, int length, long streamOffset, long ts) {
                    if (dir.equals("c") && clientCalls++ == failOnClientCall) {
                        throw new IllegalStateException("parser bug");
                    }
                    assertEquals(next, streamOffset, dir + " offsets are contiguous from 0");
                    next = streamOffset + length;
                    byte[] b = new byte[length];
                    buffer.get(offset, b, 0, length);
                    sink.write(b, 0, length);
                    log.add(dir + ":data@" + streamOffset);
                }

                @Override
                public void onGap(long streamOffset, long length, long ts) {
                    assertEquals(next, streamOffset);
                    next = streamOffset + length;
                    log.add(dir + ":gap@" + streamOffset + "+" + length);
                }

                @Override
                public void onEnd(StreamEnd end, long ts) {
                    log.add(dir + ":end");
                }
            };
        }

        private final StreamListener c = listener("c", client);
        private final StreamListener s = listener("s", server);

        @Override
        public StreamListener clientToServer() {
            return c;
        }

        @Override
        public StreamListener serverToClient() {
            return s;
        }

        @Override
        public void onClose(TcpFlowStats stats) {
            closed = true;
        }
    }

    private static final byte[] REQUEST = ("GET /upload HTTP/1.1\r\nHost: files.example\r\nContent-Length: 10\r\n\r\n"
            + "0123456789").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private static void data(StreamListener l, byte[] b, int from, int to, long ts) {
        if (to > from) {
            l.onData(ByteBuffer.wrap(b), from, to - from, from, ts);
        }
    }

    private static void close(TcpConnectionHandler h) {
        h.clientToServer().onEnd(StreamEnd.FIN, 99);
        h.serverToClient().onEnd(StreamEnd.FIN, 99);
        h.onClose(null);
    }

    @Test
    void replaysHeldBytesExactlyForEverySplit() {
        for (int a = 0; a <= REQUEST.length; a++) {
            // b >= 1: the client speaks before the server's early answer (else it is server-first, see below).
            for (int b = Math.max(a, 1); b <= Math.min(REQUEST.length, a + 40); b += 3) {
                AppLayerTestSink sink = new AppLayerTestSink();
                FakeHttp http = new FakeHttp(12);
                AppLayerDispatcher d = AppLayerDispatcher.create(sink.context(), List.of(http));
                TcpConnectionHandler h = d.newTcpConnection(AppLayerTestSink.tcp(1234, 80), 0, true);
                data(h.clientToServer(), REQUEST, 0, a, 1);
                data(h.clientToServer(), REQUEST, a, b, 2);
                data(h.serverToClient(), RESPONSE, 0, 10, 3); // server answers early (held if undecided)
                data(h.clientToServer(), REQUEST, b, REQUEST.length, 4);
                data(h.serverToClient(), RESPONSE, 10, RESPONSE.length, 5);
                close(h);
                assertEquals(1, http.created.size(), "cuts " + a + "/" + b);
                LoggingHandler lh = http.created.get(0);
                assertArrayEquals(REQUEST, lh.client.toByteArray(), "cuts " + a + "/" + b);
                assertArrayEquals(RESPONSE, lh.server.toByteArray(), "cuts " + a + "/" + b);
                assertTrue(lh.closed);
                assertEquals(List.of("c:end", "s:end"), lh.log.subList(lh.log.size() - 2, lh.log.size()));
                assertEquals(0, sink.transmissions.size());
                assertEquals("fake-http", sink.events("protocol").get(0).detail());
            }
        }
    }

    @Test
    void replayKeepsArrivalOrderAcrossDirections() {
        AppLayerTestSink sink = new AppLayerTestSink();
        FakeHttp http = new FakeHttp(30);
        AppLayerDispatcher d = AppLayerDispatcher.create(sink.context(), List.of(http));
        TcpConnectionHandler h = d.newTcpConnection(AppLayerTestSink.tcp(1234, 80), 0, true);
        data(h.clientToServer(), REQUEST, 0, 5, 1);
        data(h.serverToClient(), RESPONSE, 0, 4, 2);
        h.serverToClient().onGap(4, 6, 3);
        h.serverToClient().onData(ByteBuffer.wrap(RESPONSE), 10, 5, 10, 4);
        data(h.clientToServer(), REQUEST, 5, REQUEST.length, 5);
        LoggingHandler lh = http.created.get(0);
        assertEquals(List.of("c:data@0", "s:data@0", "s:gap@4+6", "s:data@10", "c:data@5"), lh.log);
    }

    @Test
    void picksTlsAfterAnUndecidedRecogniser() throws Exception {
        byte[] hello = jdkClientHello("pick.example");
        for (int cut = 1; cut < 12; cut++) {
            AppLayerTestSink sink = new AppLayerTestSink();
            AppLayerDispatcher d = AppLayerDispatcher.create(sink.context(), List.of(new FakeHttp(12)));
            TcpConnectionHandler h = d.newTcpConnection(AppLayerTestSink.tcp(1234, 8443), 0, true);
            data(h.clientToServer(), hello, 0, cut, 1);
            data(h.clientToServer(), hello, cut, hello.length, 2);
            close(h);
            Transmission t = sink.transmissions(x -> x.protocol().equals("tls")).get(0);
            assertEquals("pick.example", t.attributes().get("sni"), "cut " + cut);
            assertEquals(Long.toString(hello.length), t.attributes().get("client-bytes"));
            assertEquals("tls", sink.events("protocol").get(0).detail());
        }
    }

    @Test
    void picksDnsOverTcpOnPort53Only() {
        byte[] q1 = dnsQuery(1, "a.example.test");
        byte[] q2 = dnsQuery(2, "b.example.test");
        byte[] stream = new byte[4 + q1.length + q2.length];
        stream[1] = (byte) q1.length;
        System.arraycopy(q1, 0, stream, 2, q1.length);
        stream[2 + q1.length + 1] = (byte) q2.length;
        System.arraycopy(q2, 0, stream, 4 + q1.length, q2.length);
        for (int cut = 0; cut <= stream.length; cut++) {
            AppLayerTestSink sink = new AppLayerTestSink();
            AppLayerDispatcher d = AppLayerDispatcher.create(sink.context(), List.of(new FakeHttp(12)));
            TcpConnectionHandler h = d.newTcpConnection(AppLayerTestSink.tcp(1234, 53), 0, true);
            data(h.clientToServer(), stream, 0, cut, 1);
            data(h.clientToServer(), stream, cut, stream.length, 2);
            close(h);
            assertEquals(List.of("a.example.test", "b.example.test"),
                    sink.queries.stream().map(AppLayerTestSink.Query::name).toList(), "cut " + cut);
            Transmission t = sink.withRoot("dns-name").get(1);
            assertEquals(2 + q1.length, t.streamOffset());
            assertEquals("tcp", t.attributes().get("transport"));
        }
        AppLayerTestSink sink = new AppLayerTestSink();
        AppLayerDispatcher d = AppLayerDispatcher.create(sink.context(), List.of());
        TcpConnectionHandler h = d.newTcpConnection(AppLayerTestSink.tcp(1234, 5353), 0, true);
        data(h.clientToServer(), stream, 0, stream.length, 1);
        close(h);
        assertEquals(0, sink.queries.size());
        assertArrayEquals(stream, root(sink.withRoot("tcp-stream").get(0), "tcp-stream"));
    }

    @Test
    void unknownBytesGoRawIntact() {
        byte[] data = new byte[10_000];
        new Random(9).nextBytes(data);
        data[0] = 'G'; // starts like GET, then is not
        data[1] = 'X';
        AppLayerTestSink sink = new AppLayerTestSink();
        AppLayerDispatcher d = AppLayerDispatcher.create(sink.context(), List.of(new FakeHttp(12)));
        TcpConnectionHandler h = d.newTcpConnection(AppLayerTestSink.tcp(1234, 4444), 0, true);
        data(h.clientToServer(), data, 0, 1, 1);
        data(h.clientToServer(), data, 1, 3000, 2);
        data(h.clientToServer(), data, 3000, data.length, 3);
        close(h);
        assertArrayEquals(data, root(sink.withRoot("tcp-stream").get(0), "tcp-stream"));
        assertEquals("raw", sink.events("protocol").get(0).detail());
    }

    @Test
    void serverSpeakingFirstMeansRaw() {
        byte[] banner = "220 mail.example ESMTP ready\r\n".getBytes(StandardCharsets.US_ASCII);
        AppLayerTestSink sink = new AppLayerTestSink();
        FakeHttp http = new FakeHttp(4);
        AppLayerDispatcher d = AppLayerDispatcher.create(sink.context(), List.of(http));
        TcpConnectionHandler h = d.newTcpConnection(AppLayerTestSink.tcp(1234, 25), 0, true);
        data(h.serverToClient(), banner, 0, banner.length, 1);
        data(h.clientToServer(), REQUEST, 0, REQUEST.length, 2);
        close(h);
        assertEquals(0, http.created.size());
        assertTrue(sink.events("protocol").get(0).detail().contains("server spoke first"));
        assertArrayEquals(REQUEST, root(sink.transmissions(t -> t.outbound()).get(0), "tcp-stream"));
        Transmission s2c = sink.transmissions(t -> !t.outbound()).get(0);
        assertArrayEquals(banner, root(s2c, "tcp-stream"));
    }

    @Test
    void recognitionIsBoundedThenRaw() {
        TcpProtocol undecided = new TcpProtocol() {
            @Override
            public String name() {
                return "never-sure";
            }

            @Override
            public Recognition recognize(FlowKey key, byte[] prefix, int length) {
                assertTrue(length <= DispatchLimits.DEFAULTS.maxRecognitionBytes());
                return Recognition.NEED_MORE;
            }

            @Override
            public TcpConnectionHandler create(FlowKey key, boolean hs, long first, ProtocolContext context) {
                throw new AssertionError("never chosen");
            }
        };
        byte[] data = new byte[1000];
        new Random(1).nextBytes(data);
        data[0] = 0x42;
        AppLayerTestSink sink = new AppLayerTestSink();
        AppLayerDispatcher d = AppLayerDispatcher.create(sink.context(), List.of(undecided));
        TcpConnectionHandler h = d.newTcpConnection(AppLayerTestSink.tcp(1234, 4444), 0, true);
        for (int i = 0; i < data.length; i += 7) {
            data(h.clientToServer(), data, i, Math.min(data.length, i + 7), i);
        }
        close(h);
        assertArrayEquals(data, root(sink.withRoot("tcp-stream").get(0), "tcp-stream"));
    }

    @Test
    void endOrGapBeforeADecisionStillDelivers() {
        AppLayerTestSink sink = new AppLayerTestSink();
        FakeHttp http = new FakeHttp(12);
        AppLayerDispatcher d = AppLayerDispatcher.create(sink.context(), List.of(http));
        TcpConnectionHandler h = d.newTcpConnection(AppLayerTestSink.tcp(1234, 80), 0, true);
        data(h.clientToServer(), REQUEST, 0, 3, 1);
        close(h);
        assertArrayEquals("GET".getBytes(StandardCharsets.US_ASCII),
                root(sink.withRoot("tcp-stream").get(0), "tcp-stream"));

        AppLayerTestSink sink2 = new AppLayerTestSink();
        AppLayerDispatcher d2 = AppLayerDispatcher.create(sink2.context(), List.of(http));
        TcpConnectionHandler h2 = d2.newTcpConnection(AppLayerTestSink.tcp(1234, 80), 0, false);
        h2.clientToServer().onGap(0, 100, 1);
        h2.clientToServer().onData(ByteBuffer.wrap(REQUEST), 0, REQUEST.length, 100, 2);
        close(h2);
        Transmission t = sink2.withRoot("tcp-stream").get(0);
        assertEquals(100, t.streamOffset());
        assertTrue(t.notes().contains("100 bytes missing at stream offset 0"), t.notes().toString());
        assertTrue(sink2.events("connection").get(0).detail().contains("mid-stream"));
    }

    @Test
    void handlerFailureFallsBackToRawWithTheFailingBytes() {
        AppLayerTestSink sink = new AppLayerTestSink();
        FakeHttp http = new FakeHttp(4);
        http.failOnClientCall = 1;
        AppLayerDispatcher d = AppLayerDispatcher.create(sink.context(), List.of(http));
        TcpConnectionHandler h = d.newTcpConnection(AppLayerTestSink.tcp(1234, 80), 0, true);
        data(h.clientToServer(), REQUEST, 0, 20, 1);
        data(h.clientToServer(), REQUEST, 20, 50, 2);
        data(h.clientToServer(), REQUEST, 50, REQUEST.length, 3);
        close(h);
        assertTrue(sink.events("analyzer-error").get(0).detail().contains("parser bug"));
        Transmission raw = sink.withRoot("tcp-stream").get(0);
        assertEquals(20, raw.streamOffset());
        assertArrayEquals(java.util.Arrays.copyOfRange(REQUEST, 20, REQUEST.length), root(raw, "tcp-stream"));
        assertTrue(http.created.get(0).closed);
    }

    @Test
    void everyConnectionIsRecorded() {
        AppLayerTestSink sink = new AppLayerTestSink();
        AppLayerDispatcher d = AppLayerDispatcher.create(sink.context(), List.of());
        close(d.newTcpConnection(AppLayerTestSink.tcp(1, 2), 5, true));
        close(d.newTcpConnection(AppLayerTestSink.tcp(3, 4), 6, true));
        assertEquals(2, sink.events("connection").size());
        assertEquals(AppLayerTestSink.tcp(3, 4), sink.events("connection").get(1).flow());
        assertEquals(0, sink.transmissions.size());
    }

    @Test
    void udpGoesToDnsOrRawAndIcmpToRaw() {
        AppLayerTestSink sink = new AppLayerTestSink();
        AppLayerDispatcher d = AppLayerDispatcher.create(sink.context(), List.of());
        byte[] q = dnsQuery(9, "host.example.test");
        d.onUdpDatagram(AppLayerTestSink.udp(3333, 53), Direction.CLIENT_TO_SERVER, ByteBuffer.wrap(q), 0, q.length, 1);
        // A plausible query to another port is DNS too.
        d.onUdpDatagram(AppLayerTestSink.udp(3334, 5300), Direction.CLIENT_TO_SERVER, ByteBuffer.wrap(q), 0, q.length, 2);
        // Anything else is raw payload, concatenated per flow.
        byte[] p1 = "first datagram|".getBytes(StandardCharsets.US_ASCII);
        byte[] p2 = "second datagram".getBytes(StandardCharsets.US_ASCII);
        d.onUdpDatagram(AppLayerTestSink.udp(3335, 5300), Direction.CLIENT_TO_SERVER, ByteBuffer.wrap(p1), 0, p1.length, 3);
        d.onUdpDatagram(AppLayerTestSink.udp(3335, 5300), Direction.CLIENT_TO_SERVER, ByteBuffer.wrap(p2), 0, p2.length, 4);
        // Garbage to port 53 is still recorded as DNS, its bytes kept as content.
        d.onUdpDatagram(AppLayerTestSink.udp(3336, 53), Direction.CLIENT_TO_SERVER, ByteBuffer.wrap(p1), 0, p1.length, 5);
        byte[] ping = "ping payload".getBytes(StandardCharsets.US_ASCII);
        d.onIcmp(AppLayerTestSink.icmp(), Direction.CLIENT_TO_SERVER, 8, 0, ByteBuffer.wrap(ping), 0, ping.length, 6);
        d.onCaptureEnd(10);
        assertEquals(2, sink.queries.size());
        assertEquals("A host.example.test", sink.withRoot("dns-name").get(0).summary());
        assertEquals("example.test", sink.withRoot("dns-name").get(0).destination());
        assertEquals("first datagram|second datagram",
                new String(root(sink.withRoot("udp-payload").get(0), "udp-payload"), StandardCharsets.US_ASCII));
        assertArrayEquals(p1, root(sink.withRoot("dns-message").get(0), "dns-message"));
        assertEquals(1, sink.events("dns-malformed").size());
        assertArrayEquals(ping, root(sink.withRoot("icmp-payload").get(0), "icmp-payload"));
    }

    @Test
    void dnsResponsesAreEventsAndLabelsAreAssembledAtCaptureEnd() {
        AppLayerTestSink sink = new AppLayerTestSink();
        AppLayerDispatcher d = AppLayerDispatcher.create(sink.context(), List.of());
        String[] chunks = {"onxw2zlunbuw4zzanfzsa2dj", "mrsgk3ramjsw22lomqqgc3a", "mnxw45dfnz2ce43ufvzsa"};
        for (int i = 0; i < chunks.length; i++) {
            byte[] q = dnsQuery(i, i + "." + chunks[i] + ".c2.example");
            d.onUdpDatagram(AppLayerTestSink.udp(4000 + i, 53), Direction.CLIENT_TO_SERVER, ByteBuffer.wrap(q), 0,
                    q.length, 1_000_000_000L * (3 - i));
            byte[] r = q.clone();
            r[2] = (byte) 0x81;
            r[3] = (byte) 0x83; // NXDOMAIN response
            d.onUdpDatagram(AppLayerTestSink.udp(4000 + i, 53), Direction.SERVER_TO_CLIENT, ByteBuffer.wrap(r), 0,
                    r.length, 1_000_000_000L * (3 - i) + 1);
        }
        assertEquals(0, sink.withRoot("dns-labels").size());
        d.onCaptureEnd(5_000_000_000L);
        assertEquals(3, sink.events("dns-response").size());
        assertTrue(sink.events("dns-response").get(0).detail().startsWith("NXDOMAIN A 0."));
        Transmission t = sink.withRoot("dns-labels").get(0);
        assertEquals(String.join("", chunks), new String(root(t, "dns-labels"), StandardCharsets.US_ASCII));
        assertEquals("c2.example", t.destination());
    }

    static byte[] dnsQuery(int id, String name) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(new byte[] {0, (byte) id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String l : name.split("\\.")) {
            o.write(l.length());
            o.writeBytes(l.getBytes(StandardCharsets.US_ASCII));
        }
        o.writeBytes(new byte[] {0, 0, 1, 0, 1});
        return o.toByteArray();
    }

    static byte[] jdkClientHello(String sni) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        SSLEngine engine = ctx.createSSLEngine(sni, 443);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(sni)));
        engine.setSSLParameters(p);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }
}
