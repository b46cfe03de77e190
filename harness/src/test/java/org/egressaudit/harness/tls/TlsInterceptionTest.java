package org.egressaudit.harness.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.ServerOnlyTlsAuthentication;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.egressaudit.harness.network.HttpAnswer;
import org.egressaudit.harness.network.HttpResponder;
import org.egressaudit.harness.network.ServiceEvent;
import org.egressaudit.harness.network.ServiceEventLog;
import org.egressaudit.harness.network.SinkConfig;
import org.egressaudit.harness.network.SinkServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loopback only: the sink services with interception, JDK and BouncyCastle clients on 127.0.0.1. */
class TlsInterceptionTest {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    static final String HOST = "upload.vendor.example";

    @TempDir
    Path dir;
    RunCertificateAuthority ca;
    TlsInterception tls;
    ServiceEventLog log;
    SinkServices services;

    @BeforeEach
    void start() throws Exception {
        ca = RunCertificateAuthority.create("loopback", dir);
        tls = TlsInterception.start(ca, dir.resolve(TlsKeyLog.FILE_NAME));
        log = new ServiceEventLog(10_000);
        HttpResponder responder = (host, method, path, headers) ->
                HttpAnswer.json(201, "{\"host\":\"" + host + "\",\"path\":\"" + path + "\"}");
        SinkConfig config = SinkConfig.defaults().withProtocolDetectionWait(Duration.ofMillis(500))
                .withLookupOriginalDestination(false);
        services = SinkServices.start(LOOPBACK, config, responder, log, tls, null);
    }

    @AfterEach
    void stop() throws Exception {
        services.close();
        log.close();
        tls.close();
    }

    @Test
    void tls12AndTls13UploadsAreAnsweredAndEachSessionIsKeyLogged() throws Exception {
        byte[] body = "secret-document-bytes ".repeat(2000).getBytes(StandardCharsets.US_ASCII);
        for (String version : List.of("TLSv1.2", "TLSv1.3")) {
            try (SSLSocket s = connect(trusting(ca), version)) {
                s.getOutputStream().write(("POST /v1/upload HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: "
                        + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(body);
                s.getOutputStream().flush();
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(answer.startsWith("HTTP/1.1 201"), answer);
                assertTrue(answer.endsWith("{\"host\":\"" + HOST + "\",\"path\":\"/v1/upload\"}"), answer);
                assertEquals(version, s.getSession().getProtocol());
            }
        }
        List<ServiceEvent> requests = awaitAll(e -> e.kind() == ServiceEvent.Kind.HTTP_REQUEST, 2);
        for (ServiceEvent r : requests) {
            assertEquals(Integer.toString(body.length), r.attributes().get("bodyBytes"));
            assertEquals(sha256(body), r.attributes().get("bodySha256"));
        }
        List<ServiceEvent> hs = awaitAll(e -> e.kind() == ServiceEvent.Kind.TLS_INTERCEPTED, 2);
        assertEquals(List.of("TLS 1.2", "TLS 1.3"), hs.stream().map(e -> e.attributes().get("version")).toList());
        LeafCertificates.Leaf leaf = tls.leaves().forServerName(HOST);
        for (ServiceEvent e : hs) {
            assertEquals(HOST, e.attributes().get("sni"));
            assertEquals("true", e.attributes().get("keyLogged"));
            assertEquals(leaf.sha256(), e.attributes().get("certificateSha256"));
        }
        List<String> lines = Files.readAllLines(tls.keyLog().file());
        assertEquals(1 + 5, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}"), lines.get(0));
        String random13 = lines.get(1).split(" ")[1];
        List<String> labels13 = List.of("CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET");
        for (int i = 0; i < 5; i++) {
            assertTrue(lines.get(1 + i).matches(labels13.get(i) + " " + random13 + " [0-9a-f]{64}([0-9a-f]{32})?"),
                    lines.get(1 + i));
        }
        assertEquals(2, tls.keyLog().sessions());
        assertEquals("tls>http", awaitAll(e -> e.kind() == ServiceEvent.Kind.CONNECTION_CLOSED, 2).get(1)
                .attributes().get("protocol"));
    }

    @Test
    void keyLogLinesAreTheSecretsTheClientDerived() throws Exception {
        // A BouncyCastle client can show its own secrets: the key log must hold exactly those.
        for (ProtocolVersion v : List.of(ProtocolVersion.TLSv12, ProtocolVersion.TLSv13)) {
            BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
            byte[][] seen = new byte[3][];
            DefaultTlsClient client = new DefaultTlsClient(crypto) {
                @Override
                protected ProtocolVersion[] getSupportedVersions() {
                    return new ProtocolVersion[] {v};
                }

                @Override
                protected java.util.Vector getSNIServerNames() {
                    java.util.Vector<org.bouncycastle.tls.ServerName> names = new java.util.Vector<>();
                    names.add(new org.bouncycastle.tls.ServerName(org.bouncycastle.tls.NameType.host_name,
                            HOST.getBytes(StandardCharsets.US_ASCII)));
                    return names;
                }

                @Override
                public TlsAuthentication getAuthentication() {
                    return new ServerOnlyTlsAuthentication() {
                        @Override
                        public void notifyServerCertificate(TlsServerCertificate serverCertificate) {
                            // the test compares secrets; the chain is checked by the JDK client tests
                        }
                    };
                }

                @Override
                public void notifyHandshakeComplete() throws java.io.IOException {
                    super.notifyHandshakeComplete();
                    SecurityParameters sp = context.getSecurityParametersConnection();
                    seen[0] = sp.getClientRandom();
                    seen[1] = SecretBytes.copy(v.equals(ProtocolVersion.TLSv12) ? sp.getMasterSecret()
                            : sp.getTrafficSecretClient());
                    seen[2] = v.equals(ProtocolVersion.TLSv12) ? null : SecretBytes.copy(sp.getTrafficSecretServer());
                }
            };
            try (Socket s = new Socket(LOOPBACK, services.tcpPort())) {
                s.setSoTimeout(10_000);
                TlsClientProtocol p = new TlsClientProtocol(s.getInputStream(), s.getOutputStream());
                p.connect(client);
                p.getOutputStream().write(("GET /ping HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = new String(readAll(p.getInputStream()), StandardCharsets.US_ASCII);
                assertTrue(answer.startsWith("HTTP/1.1 201"), answer);
            }
            String random = HexFormat.of().formatHex(seen[0]);
            List<String> lines = Files.readAllLines(tls.keyLog().file()).stream()
                    .filter(l -> l.split(" ")[1].equals(random)).toList();
            if (v.equals(ProtocolVersion.TLSv12)) {
                assertEquals(List.of("CLIENT_RANDOM " + random + " " + HexFormat.of().formatHex(seen[1])), lines);
            } else {
                assertTrue(lines.contains("CLIENT_TRAFFIC_SECRET_0 " + random + " " + HexFormat.of().formatHex(seen[1])),
                        lines.toString());
                assertTrue(lines.contains("SERVER_TRAFFIC_SECRET_0 " + random + " " + HexFormat.of().formatHex(seen[2])),
                        lines.toString());
            }
        }
    }

    @Test
    void http2WithAlpnIsAnsweredFromTheSameResponder() throws Exception {
        // an IP literal sends no SNI: the leaf names the address dialled (no conntrack here: the listener's)
        SSLContext ctx = trusting(ca);
        byte[] body = "h2-upload-bytes".repeat(5000).getBytes(StandardCharsets.US_ASCII);
        for (String version : List.of("TLSv1.2", "TLSv1.3")) {
            SSLParameters p = new SSLParameters();
            p.setProtocols(new String[] {version});
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(ctx)
                    .sslParameters(p).connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> r;
            try {
                r = client.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + services.tcpPort() + "/v2/files?x=1"))
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                throw new AssertionError(version + " h2 upload failed; events: " + log.events(), e);
            }
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertEquals(201, r.statusCode());
            assertEquals("{\"host\":\"127.0.0.1\",\"path\":\"/v2/files?x=1\"}", r.body());
        }
        List<ServiceEvent> requests = awaitAll(e -> e.kind() == ServiceEvent.Kind.HTTP_REQUEST, 2);
        for (ServiceEvent e : requests) {
            assertEquals("HTTP/2", e.attributes().get("version"));
            assertEquals(Integer.toString(body.length), e.attributes().get("bodyBytes"));
            assertEquals(sha256(body), e.attributes().get("bodySha256"));
        }
        List<ServiceEvent> hs = awaitAll(e -> e.kind() == ServiceEvent.Kind.TLS_INTERCEPTED, 2);
        for (ServiceEvent e : hs) {
            assertEquals("h2", e.attributes().get("alpn"));
            assertTrue(e.attributes().get("alpnOffered").contains("h2"), e.attributes().toString());
            assertNull(e.attributes().get("sni"));
            assertEquals("CN=127.0.0.1,O=egress-audit interception", e.attributes().get("certificateSubject"));
        }
    }

    @Test
    void aClientThatDoesNotTrustTheRunCaIsRecordedAsRefused() throws Exception {
        RunCertificateAuthority other = RunCertificateAuthority.create("other", dir.resolve("other"));
        for (String version : List.of("TLSv1.2", "TLSv1.3")) {
            assertThrows(SSLHandshakeException.class, () -> {
                try (SSLSocket s = connect(trusting(other), version)) {
                    s.startHandshake();
                }
            });
        }
        List<ServiceEvent> refused = awaitAll(e -> e.kind() == ServiceEvent.Kind.TLS_REFUSED, 2);
        LeafCertificates.Leaf leaf = tls.leaves().forServerName(HOST);
        assertEquals(List.of("TLS 1.2", "TLS 1.3"), refused.stream().map(e -> e.attributes().get("version")).toList());
        for (ServiceEvent e : refused) {
            assertEquals(HOST, e.attributes().get("sni"));
            assertEquals("certificate_unknown(46)", e.attributes().get("alert"), e.attributes().toString());
            assertEquals("client", e.attributes().get("by"));
            assertEquals("handshake", e.attributes().get("stage"));
            assertEquals(leaf.sha256(), e.attributes().get("certificateSha256"));
            assertEquals("CN=" + HOST + ",O=egress-audit interception", e.attributes().get("certificateSubject"));
            assertTrue(Long.parseLong(e.attributes().get("bytesIn")) > 0);
            assertTrue(Long.parseLong(e.attributes().get("bytesOut")) > 0);
        }
        assertEquals(0, tls.keyLog().sessions(), "refused sessions carry no application data: no keys");
        List<ServiceEvent> closed = awaitAll(e -> e.kind() == ServiceEvent.Kind.CONNECTION_CLOSED, 2);
        for (ServiceEvent e : closed) {
            assertEquals("tls", e.attributes().get("protocol"), "not reported again as raw");
            assertTrue(e.attributes().get("reason").startsWith("TLS refused"), e.attributes().toString());
        }
        assertTrue(log.events().stream().noneMatch(e -> e.kind() == ServiceEvent.Kind.RAW_DATA), log.events().toString());
    }

    @Test
    void aClientThatHangsUpMidHandshakeIsRefusedToo() throws Exception {
        // A real ClientHello (from a JDK engine), then the client reads our first flight and hangs up.
        javax.net.ssl.SSLEngine engine = trusting(ca).createSSLEngine(HOST, 443);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(HOST)));
        p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        engine.setSSLParameters(p);
        java.nio.ByteBuffer hello = java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(java.nio.ByteBuffer.allocate(0), hello);
        hello.flip();
        try (Socket raw = new Socket(LOOPBACK, services.tcpPort())) {
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write(hello.array(), 0, hello.limit());
            assertEquals(0x16, raw.getInputStream().read(), "the ServerHello record");
        }
        ServiceEvent e = await(x -> x.kind() == ServiceEvent.Kind.TLS_REFUSED);
        assertEquals(HOST, e.attributes().get("sni"));
        assertEquals("h2,http/1.1", e.attributes().get("alpnOffered"));
        assertEquals("handshake", e.attributes().get("stage"));
        assertNull(e.attributes().get("alert"));
        assertEquals(Integer.toString(hello.limit()), e.attributes().get("bytesIn"));
        assertTrue(e.detail().contains("client closed the connection during the handshake"), e.detail());
    }

    @Test
    void aClientThatDropsTheSessionRightAfterTheHandshakeIsRefusedAfterHandshake() throws Exception {
        // what curl --pinnedpubkey does: the handshake completes, the pin check fails, the connection is dropped
        try (SSLSocket s = connect(trusting(ca), "TLSv1.3")) {
            s.startHandshake();
        }
        ServiceEvent e = await(x -> x.kind() == ServiceEvent.Kind.TLS_REFUSED);
        assertEquals("after-handshake", e.attributes().get("stage"));
        assertEquals(HOST, e.attributes().get("sni"));
        assertEquals(1, log.events().stream().filter(x -> x.kind() == ServiceEvent.Kind.TLS_INTERCEPTED).count());
    }

    private SSLSocket connect(SSLContext ctx, String version) throws Exception {
        Socket plain = new Socket(LOOPBACK, services.tcpPort());
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, HOST, services.tcpPort(), true);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(HOST)));
        p.setProtocols(new String[] {version});
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the leaf must name the host, as browsers and curl check
        s.setSSLParameters(p);
        s.setSoTimeout(10_000);
        return s;
    }

    static SSLContext trusting(RunCertificateAuthority ca) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("run-ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private List<ServiceEvent> awaitAll(Predicate<ServiceEvent> test, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            List<ServiceEvent> found = log.events().stream().filter(test).toList();
            if (found.size() >= n) {
                return found;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("fewer than " + n + " matching events within 10 s: " + log.events());
    }

    private ServiceEvent await(Predicate<ServiceEvent> test) throws InterruptedException {
        Optional<ServiceEvent> e = log.await(test, Duration.ofSeconds(10));
        return e.orElseThrow(() -> new AssertionError("no matching event: " + log.events()));
    }

    private static byte[] readAll(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        int n;
        try {
            while ((n = in.read(b)) > 0) {
                out.write(b, 0, n);
            }
        } catch (org.bouncycastle.tls.TlsNoCloseNotifyException e) {
            // the server closed without close_notify is tolerated here; the bytes read so far count
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @SuppressWarnings("unused")
    private static void unused(OutputStream o) {
    }
}
