package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

class CatchAllTcpServerTest {

    record Seen(String host, String method, String path, String contentType) {
    }

    /** A responder like a scenario rule: a custom answer for one path, the default otherwise. */
    static final class RecordingResponder implements HttpResponder {
        final List<Seen> seen = new CopyOnWriteArrayList<>();

        @Override
        public HttpAnswer answer(String host, String method, String path, HttpHeaders headers) {
            seen.add(new Seen(host, method, path, headers.get(HttpHeaderNames.CONTENT_TYPE)));
            if (path.startsWith("/upload")) {
                return new HttpAnswer(201, Map.of("X-Sink", List.of("yes"),
                        "Set-Cookie", List.of("session=abc; Path=/", "tracking=1"),
                        "Content-Type", List.of("text/plain")), "stored".getBytes(StandardCharsets.UTF_8));
            }
            return DEFAULT.answer(host, method, path, headers);
        }
    }

    private static Socket connect(SinkFixture sink) throws IOException {
        Socket s = new Socket(SinkFixture.LOOPBACK, sink.services.tcpPort());
        s.setSoTimeout(10_000);
        return s;
    }

    @Test
    void postOf5MiBThenChunkedUploadOnOneKeptAliveConnection() throws Exception {
        RecordingResponder responder = new RecordingResponder();
        byte[] body = new byte[5 * 1024 * 1024];
        new Random(1).nextBytes(body);
        try (SinkFixture sink = new SinkFixture(SinkFixture.config(), responder, null, null);
             Socket s = connect(sink)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(("POST /upload/sample?id=7 HTTP/1.1\r\nHost: submit.vendor.example:8080\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            HttpWire.Response r1 = HttpWire.read(in);
            assertEquals(201, r1.status());
            assertEquals("stored", r1.text());
            assertEquals("yes", r1.first("X-Sink"));
            assertEquals(List.of("session=abc; Path=/", "tracking=1"), r1.all("Set-Cookie"));
            assertNull(r1.first("Connection"), "HTTP/1.1 keep-alive needs no Connection header");

            // second request, same socket, chunked upload
            out.write(("POST /upload/more HTTP/1.1\r\nHost: submit.vendor.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            HttpWire.Response r2 = HttpWire.read(in);
            assertEquals(201, r2.status());

            out.write("GET /config HTTP/1.1\r\nHost: cfg.vendor.example\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            HttpWire.Response r3 = HttpWire.read(in);
            assertEquals(200, r3.status());
            assertEquals("application/json", r3.first("Content-Type"));
            assertEquals("{\"status\":\"ok\"}", r3.text());
            assertEquals(-1, in.read(), "Connection: close is honoured");

            assertEquals(List.of(new Seen("submit.vendor.example", "POST", "/upload/sample?id=7",
                            "application/octet-stream"), new Seen("submit.vendor.example", "POST", "/upload/more", null),
                    new Seen("cfg.vendor.example", "GET", "/config", null)), responder.seen);
            ServiceEvent big = sink.await(e -> e.kind() == ServiceEvent.Kind.HTTP_REQUEST
                    && "/upload/sample?id=7".equals(e.attributes().get("path")), "5 MiB POST");
            assertEquals(Integer.toString(body.length), big.attributes().get("bodyBytes"));
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)),
                    big.attributes().get("bodySha256"));
            assertEquals("201", big.attributes().get("status"));
            assertEquals(s.getLocalPort(), big.client().getPort());
            ServiceEvent chunked = sink.await(e -> "/upload/more".equals(e.attributes().get("path")), "chunked");
            assertEquals("11", chunked.attributes().get("bodyBytes"));
            ServiceEvent closed = sink.await(SinkFixture.kind(ServiceEvent.Kind.CONNECTION_CLOSED), "close summary");
            assertEquals("http", closed.attributes().get("protocol"));
            assertEquals("answered, no keep-alive", closed.attributes().get("reason"));
            assertTrue(Long.parseLong(closed.attributes().get("bytesIn")) > body.length);
        }
    }

    @Test
    void expectContinueGets100BeforeTheBody() throws Exception {
        try (SinkFixture sink = SinkFixture.start(); Socket s = connect(sink)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(("PUT /report HTTP/1.1\r\nHost: r.vendor.example\r\nContent-Length: 4\r\n"
                    + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals(100, HttpWire.read(in).status(), "the client is told to go on before sending the body");
            out.write("data".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals(200, HttpWire.read(in).status());
            ServiceEvent e = sink.await(SinkFixture.kind(ServiceEvent.Kind.HTTP_REQUEST), "PUT");
            assertEquals("4", e.attributes().get("bodyBytes"));
            assertEquals("PUT", e.attributes().get("method"));
        }
    }

    @Test
    void nonHttpBytesGoToTheRawSinkAndAreCounted() throws Exception {
        try (SinkFixture sink = SinkFixture.start(); Socket s = connect(sink)) {
            byte[] junk = new byte[100_000];
            new Random(2).nextBytes(junk);
            junk[0] = 0x00;
            s.getOutputStream().write(junk);
            s.shutdownOutput();
            assertEquals(-1, s.getInputStream().read(), "the raw sink never answers");
            ServiceEvent raw = sink.await(SinkFixture.kind(ServiceEvent.Kind.RAW_DATA), "raw data");
            assertEquals("100000", raw.attributes().get("bytes"));
            assertEquals("unrecognised", raw.attributes().get("reason"));
            assertTrue(raw.attributes().get("previewHex").startsWith("00"));
            assertEquals("raw", sink.await(SinkFixture.kind(ServiceEvent.Kind.CONNECTION_CLOSED), "summary")
                    .attributes().get("protocol"));
        }
    }

    @Test
    void aSilentClientIsRawAfterTheWaitEvenIfItSpeaksHttpLater() throws Exception {
        try (SinkFixture sink = SinkFixture.start(); Socket s = connect(sink)) {
            Thread.sleep(800); // detection wait is 300 ms
            byte[] late = "GET / HTTP/1.1\r\nHost: late.example\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(late);
            s.shutdownOutput();
            assertEquals(-1, s.getInputStream().read(), "no HTTP answer once the connection is raw");
            ServiceEvent raw = sink.await(SinkFixture.kind(ServiceEvent.Kind.RAW_DATA), "raw data");
            assertEquals("silent", raw.attributes().get("reason"));
            assertEquals(Integer.toString(late.length), raw.attributes().get("bytes"));
            assertTrue(raw.attributes().get("previewText").startsWith("GET / HTTP/1.1.."));
        }
    }

    @Test
    void aClientHelloIsLoggedAsTlsWithItsServerName() throws Exception {
        byte[] hello = clientHello("telemetry.vendor.example");
        try (SinkFixture sink = SinkFixture.start(); Socket s = connect(sink)) {
            s.getOutputStream().write(hello);
            ServiceEvent tls = sink.await(SinkFixture.kind(ServiceEvent.Kind.TLS_CLIENT_HELLO), "ClientHello");
            assertEquals("telemetry.vendor.example", tls.attributes().get("sni"));
            assertEquals("false", tls.attributes().get("intercepted"));
            s.shutdownOutput();
            assertEquals(-1, s.getInputStream().read());
            ServiceEvent raw = sink.await(SinkFixture.kind(ServiceEvent.Kind.RAW_DATA), "raw after TLS");
            assertEquals("tls", raw.attributes().get("reason"));
            assertEquals(Integer.toString(hello.length), raw.attributes().get("bytes"), "the ClientHello is counted");
        }
    }

    @Test
    @SuppressWarnings("try") // the socket is closed early on purpose, to get the connection summary
    void connectTunnelIsSniffedAgain() throws Exception {
        byte[] hello = clientHello("tunnelled.vendor.example");
        try (SinkFixture sink = SinkFixture.start(); Socket s = connect(sink)) {
            OutputStream out = s.getOutputStream();
            // the ClientHello follows the CONNECT in the same write, as eager clients do
            byte[] connect = "CONNECT tunnelled.vendor.example:443 HTTP/1.1\r\nHost: tunnelled.vendor.example:443\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] both = ByteBuffer.allocate(connect.length + hello.length).put(connect).put(hello).array();
            out.write(both);
            out.flush();
            assertEquals(200, HttpWire.read(s.getInputStream()).status());
            ServiceEvent tls = sink.await(SinkFixture.kind(ServiceEvent.Kind.TLS_CLIENT_HELLO), "tunnelled hello");
            assertEquals("tunnelled.vendor.example", tls.attributes().get("sni"));
            ServiceEvent connectEvent = sink.await(SinkFixture.kind(ServiceEvent.Kind.HTTP_REQUEST), "CONNECT");
            assertEquals("tunnelled.vendor.example", connectEvent.attributes().get("host"));
            s.close();
            assertEquals("http>tls", sink.await(SinkFixture.kind(ServiceEvent.Kind.CONNECTION_CLOSED), "summary")
                    .attributes().get("protocol"));
        }
    }

    @Test
    void aBadRequestIsAnswered400AndLogged() throws Exception {
        try (SinkFixture sink = SinkFixture.start(); Socket s = connect(sink)) {
            s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: a.example\r\nContent-Length: nope\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertEquals(400, HttpWire.read(s.getInputStream()).status());
            assertEquals(-1, s.getInputStream().read());
            sink.await(e -> e.kind() == ServiceEvent.Kind.MALFORMED && e.detail().startsWith("bad HTTP request"),
                    "bad request");
        }
    }

    @Test
    void failingResponderGives500AndTheServiceGoesOn() throws Exception {
        HttpResponder broken = (h, m, p, hd) -> {
            throw new IllegalStateException("rule blew up");
        };
        try (SinkFixture sink = new SinkFixture(SinkFixture.config(), broken, null, null); Socket s = connect(sink)) {
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < 2; i++) {
                out.write("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertEquals(500, HttpWire.read(s.getInputStream()).status());
            }
            ServiceEvent e = sink.await(SinkFixture.kind(ServiceEvent.Kind.HTTP_REQUEST), "500");
            assertTrue(e.attributes().get("responderFailure").contains("rule blew up"));
        }
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        SinkConfig config = SinkFixture.config().withIdleTimeout(java.time.Duration.ofMillis(500));
        try (SinkFixture sink = new SinkFixture(config, HttpResponder.DEFAULT, null, null); Socket s = connect(sink)) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(200, HttpWire.read(s.getInputStream()).status());
            long start = System.nanoTime();
            assertEquals(-1, s.getInputStream().read(), "closed by the server when idle");
            assertTrue(System.nanoTime() - start < 5_000_000_000L);
            ServiceEvent closed = sink.await(SinkFixture.kind(ServiceEvent.Kind.CONNECTION_CLOSED), "summary");
            assertTrue(closed.attributes().get("reason").startsWith("idle"), closed.toString());
        }
    }

    @Test
    @SuppressWarnings("try") // a connection is closed early on purpose, to free a slot
    void connectionsBeyondTheLimitAreRefused() throws Exception {
        SinkConfig config = SinkFixture.config().withMaxConnections(2);
        try (SinkFixture sink = new SinkFixture(config, HttpResponder.DEFAULT, null, null);
             Socket a = connect(sink); Socket b = connect(sink)) {
            awaitActive(sink, 2);
            int refusedPort;
            try (Socket c = connect(sink)) {
                refusedPort = c.getLocalPort();
                assertEquals(-1, c.getInputStream().read(), "third connection is closed at once");
            }
            ServiceEvent rejected = sink.await(SinkFixture.kind(ServiceEvent.Kind.REJECTED), "rejection");
            assertEquals("2", rejected.attributes().get("limit"));
            a.close();
            awaitActive(sink, 1);
            try (Socket d = connect(sink)) {
                d.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                assertEquals(200, HttpWire.read(d.getInputStream()).status(), "a freed slot is usable again");
            }
            assertTrue(b.isConnected());
            assertEquals(List.of(ServiceEvent.Kind.REJECTED), sink.log.events().stream()
                    .filter(e -> e.client().getPort() == refusedPort).map(ServiceEvent::kind).toList(),
                    "a refused connection is only REJECTED, nothing else");
        }
    }

    static void awaitActive(SinkFixture sink, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (sink.services.activeConnections() != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("active connections " + sink.services.activeConnections() + ", expected " + n);
            }
            Thread.sleep(10);
        }
    }

    /** A real ClientHello from the JDK's TLS engine, naming {@code host} in SNI. */
    static byte[] clientHello(String host) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = context.createSSLEngine(host, 443);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }
}
