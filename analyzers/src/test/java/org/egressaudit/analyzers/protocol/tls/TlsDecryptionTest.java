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
import java.util.HexFormat;
import java.util.List;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.protocol.AppLayerDispatcher;
import org.egressaudit.analyzers.protocol.AppLayerTestSink;
import org.egressaudit.analyzers.protocol.TcpProtocol;
import org.egressaudit.analyzers.protocol.Transmission;
import org.egressaudit.analyzers.protocol.http.HttpProtocol;
import org.egressaudit.analyzers.protocol.tls.decrypt.CipherSuite;
import org.egressaudit.analyzers.protocol.tls.decrypt.Rfc8448;
import org.egressaudit.analyzers.protocol.tls.decrypt.TlsKdf;
import org.egressaudit.analyzers.protocol.tls.decrypt.TlsRecords;
import org.egressaudit.analyzers.protocol.tls.keylog.KeyLog;
import org.junit.jupiter.api.Test;

/**
 * A TLS 1.3 connection built from RFC 8448's server records (ServerHello, the encrypted flight, application data)
 * and client records sealed with RFC 8448's client secrets, decrypted through the dispatcher: the HTTP request
 * inside is analysed as HTTP and marked as decrypted TLS, at every segmentation.
 */
class TlsDecryptionTest {
    private static final FlowKey KEY = AppLayerTestSink.tcp(50000, 443);
    private static final HexFormat HEX = HexFormat.of();
    private static final CipherSuite SUITE = CipherSuite.TLS_AES_128_GCM_SHA256;
    private static final byte[] CLIENT_HELLO;
    private static final String RANDOM;
    private static final byte[] BODY = "CANARY-0042 payload of the upload".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REQUEST = TlsTestMessages.concat(("POST /up HTTP/1.1\r\nHost: upload.example\r\n"
            + "Content-Length: " + BODY.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), BODY);
    private static final byte[] SERVER;

    static {
        try {
            CLIENT_HELLO = TlsTestMessages.jdkClientHello("upload.example", "http/1.1");
            RANDOM = HEX.formatHex(CLIENT_HELLO, 11, 43);
            SERVER = TlsTestMessages.concat(HEX.parseHex(Rfc8448.SERVER_HELLO_RECORD),
                    TlsTestMessages.records(20, new byte[] {1}, 10), HEX.parseHex(Rfc8448.SERVER_FLIGHT_RECORD),
                    TlsRecords.seal13(SUITE, HEX.parseHex(Rfc8448.SERVER_TRAFFIC_SECRET), 0, 22, new byte[] {4, 0, 0, 0}),
                    HEX.parseHex(Rfc8448.SERVER_DATA_RECORD), HEX.parseHex(Rfc8448.SERVER_ALERT_RECORD));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static String keyLog(boolean handshakeSecrets) {
        String s = "CLIENT_TRAFFIC_SECRET_0 " + RANDOM + " " + Rfc8448.CLIENT_TRAFFIC_SECRET + "\n"
                + "SERVER_TRAFFIC_SECRET_0 " + RANDOM + " " + Rfc8448.SERVER_TRAFFIC_SECRET + "\n";
        return handshakeSecrets ? s + "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + RANDOM + " " + Rfc8448.CLIENT_HANDSHAKE_SECRET
                + "\nSERVER_HANDSHAKE_TRAFFIC_SECRET " + RANDOM + " " + Rfc8448.SERVER_HANDSHAKE_SECRET + "\n" : s;
    }

    /** Client stream: hello, CCS, RFC 8448 Finished, then the given application records. */
    static byte[] client(byte[]... appRecords) {
        byte[][] parts = new byte[3 + appRecords.length][];
        parts[0] = CLIENT_HELLO;
        parts[1] = TlsTestMessages.records(20, new byte[] {1}, 10);
        parts[2] = HEX.parseHex(Rfc8448.CLIENT_FINISHED_RECORD);
        System.arraycopy(appRecords, 0, parts, 3, appRecords.length);
        return TlsTestMessages.concat(parts);
    }

    static byte[] clientRecord(long seq, int type, byte[] content) {
        return TlsRecords.seal13(SUITE, HEX.parseHex(Rfc8448.CLIENT_TRAFFIC_SECRET), seq, type, content);
    }

    static final byte[] CLIENT = client(clientRecord(0, 23, Arrays.copyOf(REQUEST, 20)),
            clientRecord(1, 23, Arrays.copyOfRange(REQUEST, 20, REQUEST.length)));

    static TcpConnectionHandler handler(AppLayerTestSink sink, String keyLog, TcpProtocol... protocols) {
        AppLayerDispatcher d = AppLayerDispatcher.create(sink.context(), List.of(protocols), () -> KeyLog.parse(keyLog));
        TcpProtocol tls = d.recognisers().stream().filter(p -> p.name().equals("tls")).findFirst().orElseThrow();
        return tls.create(KEY, true, 1, sink.context());
    }

    /** Server bytes up to its application data: ServerHello, CCS and the encrypted flight. */
    static final int SERVER_HANDSHAKE = HEX.parseHex(Rfc8448.SERVER_HELLO_RECORD).length + 6
            + HEX.parseHex(Rfc8448.SERVER_FLIGHT_RECORD).length;

    /** Feeds in the order of a real exchange: hello, server handshake, the client's rest, the server's rest. */
    static void exchange(TcpConnectionHandler h, byte[] client) {
        h.clientToServer().onData(ByteBuffer.wrap(client), 0, CLIENT_HELLO.length, 0, 1);
        h.serverToClient().onData(ByteBuffer.wrap(SERVER), 0, SERVER_HANDSHAKE, 0, 2);
        h.clientToServer().onData(ByteBuffer.wrap(client), CLIENT_HELLO.length, client.length - CLIENT_HELLO.length,
                CLIENT_HELLO.length, 3);
        h.serverToClient().onData(ByteBuffer.wrap(SERVER), SERVER_HANDSHAKE, SERVER.length - SERVER_HANDSHAKE,
                SERVER_HANDSHAKE, 4);
    }

    static void close(TcpConnectionHandler h) {
        h.clientToServer().onEnd(StreamEnd.FIN, 9);
        h.serverToClient().onEnd(StreamEnd.FIN, 9);
        h.onClose(null);
    }

    static Transmission summary(AppLayerTestSink sink) {
        List<Transmission> t = sink.transmissions(x -> x.protocol().equals("tls"));
        assertEquals(1, t.size(), sink.transmissions.toString());
        return t.get(0);
    }

    static void checkDecryptedHttp(AppLayerTestSink sink) {
        List<Transmission> http = sink.transmissions(t -> t.protocol().equals("http"));
        assertEquals(1, http.size(), sink.transmissions.toString());
        Transmission h = http.get(0);
        assertEquals("decrypted", h.attributes().get("tls"));
        assertEquals("upload.example", h.attributes().get("tls-sni"));
        assertEquals("TLS 1.3", h.attributes().get("tls-version"));
        assertEquals("0x1301 TLS_AES_128_GCM_SHA256", h.attributes().get("tls-cipher"));
        assertEquals(KEY, h.flow());
        assertArrayEquals(BODY, root(h, "http-body"));
        Transmission s = summary(sink);
        assertEquals("TLS to upload.example (decrypted)", s.summary());
        assertEquals("decrypted", s.attributes().get("decryption"));
        assertEquals(0, s.opaqueBytes(), "the ChangeCipherSpec byte is plaintext: nothing opaque");
        assertEquals(List.of(), s.notes());
    }

    @Test
    void decryptsAtEverySegmentation() {
        for (int cut = 1; cut < CLIENT.length; cut++) {
            AppLayerTestSink sink = new AppLayerTestSink();
            TcpConnectionHandler h = handler(sink, keyLog(true), new HttpProtocol());
            // The client's stream cut once at every offset; the server's cut at a varying place in its handshake.
            int c = Math.min(cut, CLIENT_HELLO.length);
            feed(h.clientToServer(), Arrays.copyOf(CLIENT, c), 1, cut);
            feed(h.serverToClient(), Arrays.copyOf(SERVER, SERVER_HANDSHAKE), 2, cut % SERVER_HANDSHAKE);
            if (c < CLIENT.length) {
                int second = Math.max(cut, c);
                h.clientToServer().onData(ByteBuffer.wrap(CLIENT), c, second - c, c, 3);
                h.clientToServer().onData(ByteBuffer.wrap(CLIENT), second, CLIENT.length - second, second, 3);
            }
            h.serverToClient().onData(ByteBuffer.wrap(SERVER), SERVER_HANDSHAKE, SERVER.length - SERVER_HANDSHAKE,
                    SERVER_HANDSHAKE, 4);
            close(h);
            checkDecryptedHttp(sink);
        }
        AppLayerTestSink sink = new AppLayerTestSink();
        TcpConnectionHandler h = handler(sink, keyLog(true), new HttpProtocol());
        feedBytewise(h.clientToServer(), Arrays.copyOf(CLIENT, CLIENT_HELLO.length), 1);
        feedBytewise(h.serverToClient(), Arrays.copyOf(SERVER, SERVER_HANDSHAKE), 2);
        for (int i = CLIENT_HELLO.length; i < CLIENT.length; i++) {
            h.clientToServer().onData(ByteBuffer.wrap(CLIENT), i, 1, i, 3);
        }
        h.serverToClient().onData(ByteBuffer.wrap(SERVER), SERVER_HANDSHAKE, SERVER.length - SERVER_HANDSHAKE,
                SERVER_HANDSHAKE, 4);
        close(h);
        checkDecryptedHttp(sink);
    }

    @Test
    void withoutHandshakeSecretsTheApplicationKeyIsFoundByTrial() {
        AppLayerTestSink sink = new AppLayerTestSink();
        TcpConnectionHandler h = handler(sink, keyLog(false), new HttpProtocol());
        exchange(h, CLIENT);
        close(h);
        List<Transmission> http = sink.transmissions(t -> t.protocol().equals("http"));
        assertEquals(1, http.size(), sink.transmissions.toString());
        assertArrayEquals(BODY, root(http.get(0), "http-body"));
        Transmission s = summary(sink);
        assertEquals(List.of(), s.notes());
        assertEquals(HEX.parseHex(Rfc8448.CLIENT_FINISHED_RECORD).length - 5, s.opaqueBytes(),
                "the Finished record, which could not be read (the CCS byte is plaintext)");
    }

    @Test
    void wrongKeysLeaveTheStreamOpaqueWithANote() {
        String wrong = keyLog(true);
        for (String secret : new String[] {Rfc8448.CLIENT_HANDSHAKE_SECRET, Rfc8448.SERVER_HANDSHAKE_SECRET,
                Rfc8448.CLIENT_TRAFFIC_SECRET, Rfc8448.SERVER_TRAFFIC_SECRET}) {
            wrong = wrong.replace(secret, "11" + secret.substring(2));
        }
        AppLayerTestSink sink = new AppLayerTestSink();
        TcpConnectionHandler h = handler(sink, wrong, new HttpProtocol());
        exchange(h, CLIENT);
        close(h);
        assertEquals(0, sink.transmissions(t -> t.protocol().equals("http")).size());
        Transmission s = summary(sink);
        assertTrue(s.notes().contains("client->server: decryption failed at client record 3 (wrong key?)"), s.notes().toString());
        assertEquals("TLS to upload.example (opaque)", s.summary());
        assertEquals(CLIENT.length - CLIENT_HELLO.length - 6 - 3 * 5, s.opaqueBytes());
    }

    @Test
    void keyUpdateMovesToTheNextSecret() {
        byte[] next = TlsKdf.expandLabel("HmacSHA256", HEX.parseHex(Rfc8448.CLIENT_TRAFFIC_SECRET), "traffic upd",
                new byte[0], 32);
        byte[] client = client(clientRecord(0, 23, Arrays.copyOf(REQUEST, 20)),
                clientRecord(1, 22, new byte[] {24, 0, 0, 1, 1}),
                TlsRecords.seal13(SUITE, next, 0, 23, Arrays.copyOfRange(REQUEST, 20, REQUEST.length)));
        AppLayerTestSink sink = new AppLayerTestSink();
        TcpConnectionHandler h = handler(sink, keyLog(true), new HttpProtocol());
        exchange(h, client);
        close(h);
        List<Transmission> http = sink.transmissions(t -> t.protocol().equals("http"));
        assertEquals(1, http.size(), sink.transmissions.toString());
        assertArrayEquals(BODY, root(http.get(0), "http-body"));
        assertEquals(List.of(), summary(sink).notes());
    }

    @Test
    void aGapStopsDecryptionOfThatDirection() {
        AppLayerTestSink sink = new AppLayerTestSink();
        TcpConnectionHandler h = handler(sink, keyLog(true), new HttpProtocol());
        h.clientToServer().onData(ByteBuffer.wrap(CLIENT), 0, CLIENT_HELLO.length, 0, 1);
        h.serverToClient().onData(ByteBuffer.wrap(SERVER), 0, SERVER_HANDSHAKE, 0, 2);
        int secondRecord = CLIENT.length - (REQUEST.length - 20 + 1 + 16 + 5);
        h.clientToServer().onData(ByteBuffer.wrap(CLIENT), CLIENT_HELLO.length, secondRecord + 10 - CLIENT_HELLO.length,
                CLIENT_HELLO.length, 2);
        h.clientToServer().onGap(secondRecord + 10, 5, 2);
        h.clientToServer().onData(ByteBuffer.wrap(CLIENT), secondRecord + 15, CLIENT.length - secondRecord - 15,
                secondRecord + 15, 2);
        h.serverToClient().onData(ByteBuffer.wrap(SERVER), SERVER_HANDSHAKE, SERVER.length - SERVER_HANDSHAKE,
                SERVER_HANDSHAKE, 4);
        close(h);
        Transmission s = summary(sink);
        assertTrue(s.notes().stream().anyMatch(n -> n.startsWith("client->server: 5 bytes missing")
                && n.contains("not decrypted")), s.notes().toString());
        assertEquals("partly decrypted", s.attributes().get("decryption"));
        // The first record's 20 bytes were decrypted and analysed (a cut-off request head falls back to raw).
        List<Transmission> inner = sink.transmissions(t -> t.outbound() && "decrypted".equals(t.attributes().get("tls")));
        assertEquals(1, inner.size(), sink.transmissions.toString());
        assertArrayEquals(Arrays.copyOf(REQUEST, 20), root(inner.get(0), "tcp-stream"));
    }

    @Test
    void http2PrefaceWithoutAnH2ProtocolIsRawWithANote() {
        byte[] h2 = TlsTestMessages.concat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII), BODY);
        AppLayerTestSink sink = new AppLayerTestSink();
        TcpConnectionHandler h = handler(sink, keyLog(true), new HttpProtocol());
        exchange(h, client(clientRecord(0, 23, h2)));
        close(h);
        List<Transmission> raw = sink.transmissions(t -> t.protocol().equals("tcp") && t.outbound());
        assertEquals(1, raw.size(), sink.transmissions.toString());
        assertEquals("decrypted", raw.get(0).attributes().get("tls"));
        assertArrayEquals(h2, root(raw.get(0), "tcp-stream"));
        assertTrue(raw.get(0).notes().stream().anyMatch(n -> n.contains(PlaintextHandlers.H2_NOT_ANALYSED)));
        assertTrue(summary(sink).notes().stream().anyMatch(n -> n.startsWith(PlaintextHandlers.H2_NOT_ANALYSED)));
    }

    @Test
    void alpnH2GoesToTheH2ProtocolWhenThereIsOne() {
        // TLS 1.2 ServerHello with ALPN h2 would be needed for the ALPN path; the preface path is covered above.
        // Here: an "h2" protocol in the list claims the preface.
        byte[] h2 = TlsTestMessages.concat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII), BODY);
        TcpProtocol fakeH2 = new TcpProtocol() {
            @Override
            public String name() {
                return "h2";
            }

            @Override
            public Recognition recognize(FlowKey key, byte[] prefix, int length) {
                return length >= 3 && prefix[0] == 'P' && prefix[1] == 'R' && prefix[2] == 'I' ? Recognition.YES
                        : length < 3 ? Recognition.NEED_MORE : Recognition.NO;
            }

            @Override
            public TcpConnectionHandler create(FlowKey key, boolean handshakeSeen, long firstSeenNanos,
                                               org.egressaudit.analyzers.protocol.ProtocolContext context) {
                org.egressaudit.analyzers.protocol.raw.RawStreamHandler r =
                        new org.egressaudit.analyzers.protocol.raw.RawStreamHandler(key, context,
                                org.egressaudit.analyzers.protocol.raw.RawLimits.DEFAULTS);
                r.addNote("fake h2");
                return r;
            }
        };
        AppLayerTestSink sink = new AppLayerTestSink();
        TcpConnectionHandler h = handler(sink, keyLog(true), fakeH2, new HttpProtocol());
        exchange(h, client(clientRecord(0, 23, h2)));
        close(h);
        List<Transmission> raw = sink.transmissions(t -> t.protocol().equals("tcp") && t.outbound());
        assertEquals(1, raw.size(), sink.transmissions.toString());
        assertTrue(raw.get(0).notes().contains("fake h2"), raw.get(0).notes().toString());
        assertEquals("decrypted", raw.get(0).attributes().get("tls"));
    }

    @Test
    void sessionMissingFromTheKeyLogIsOpaqueWithANote() {
        AppLayerTestSink sink = new AppLayerTestSink();
        TcpConnectionHandler h = handler(sink, keyLog(true).replace(RANDOM, "00".repeat(32)), new HttpProtocol());
        exchange(h, CLIENT);
        close(h);
        Transmission s = summary(sink);
        assertTrue(s.notes().stream().anyMatch(n -> n.contains("no key for this session")), s.notes().toString());
        assertEquals("no key in the key log", s.attributes().get("decryption"));
        assertEquals(1, sink.transmissions.size());
    }

    @Test
    void cbcSuiteIsReportedUnsupported() {
        byte[] body = new TlsTestMessages.Bytes().u16(0x0303).raw(TlsTestMessages.filled(32, 7)).vec8(new byte[0])
                .u16(0xc013).u8(0).bytes();
        byte[] serverHello = new TlsTestMessages.Bytes().u8(2).u24(body.length).raw(body).bytes();
        byte[] server = TlsTestMessages.concat(TlsTestMessages.records(22, serverHello, 16384),
                TlsTestMessages.records(20, new byte[] {1}, 10), TlsTestMessages.records(22, new byte[64], 100));
        byte[] client = TlsTestMessages.concat(CLIENT_HELLO, TlsTestMessages.records(20, new byte[] {1}, 10),
                TlsTestMessages.records(22, new byte[64], 100), TlsTestMessages.records(23, new byte[500], 1000));
        AppLayerTestSink sink = new AppLayerTestSink();
        TcpConnectionHandler h = handler(sink, "CLIENT_RANDOM " + RANDOM + " " + "01".repeat(48) + "\n");
        feed(h.clientToServer(), Arrays.copyOf(client, CLIENT_HELLO.length), 1);
        feed(h.serverToClient(), server, 2);
        h.clientToServer().onData(ByteBuffer.wrap(client), CLIENT_HELLO.length, client.length - CLIENT_HELLO.length,
                CLIENT_HELLO.length, 3);
        close(h);
        Transmission s = summary(sink);
        assertTrue(s.notes().contains("unsupported cipher suite 0xc013 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
                s.notes().toString());
        assertEquals("unsupported cipher suite", s.attributes().get("decryption"));
        assertEquals(64 + 500, s.opaqueBytes());
    }
}
