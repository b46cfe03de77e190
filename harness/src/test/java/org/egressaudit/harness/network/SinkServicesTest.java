package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinkServicesTest {

    @Test
    void udpDatagramsAreCountedPerClientAndNeverAnswered() throws Exception {
        try (SinkFixture sink = SinkFixture.start();
             DatagramSocket a = new DatagramSocket(0, SinkFixture.LOOPBACK);
             DatagramSocket b = new DatagramSocket(0, SinkFixture.LOOPBACK)) {
            InetSocketAddress target = new InetSocketAddress(SinkFixture.LOOPBACK, sink.services.udpPort());
            for (int size : new int[] {10, 200, 3000}) {
                a.send(new DatagramPacket(new byte[size], size, target));
            }
            byte[] big = new byte[60_000]; // far over the default 2 KiB datagram buffer: must not be truncated
            b.send(new DatagramPacket(big, big.length, target));
            sink.await(e -> e.kind() == ServiceEvent.Kind.DATAGRAM && "60000".equals(e.attributes().get("bytes")),
                    "big datagram");
            ServiceEvent third = sink.await(e -> e.kind() == ServiceEvent.Kind.DATAGRAM
                    && "3".equals(e.attributes().get("flowDatagrams")), "third datagram of a");
            assertEquals("3210", third.attributes().get("flowBytes"));
            assertEquals(a.getLocalPort(), third.client().getPort());
            List<UdpFlow> flows = sink.services.udpFlows();
            assertEquals(2, flows.size());
            UdpFlow fa = flows.stream().filter(f -> f.client().getPort() == a.getLocalPort()).findFirst().orElseThrow();
            assertEquals(3, fa.datagrams());
            assertEquals(3210, fa.bytes());
            a.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> a.receive(new DatagramPacket(new byte[64], 64)));
        }
    }

    @Test
    void closeReleasesEveryPort() throws Exception {
        int dns;
        int tcp;
        int udp;
        try (SinkFixture sink = SinkFixture.start(); Socket open = new Socket(SinkFixture.LOOPBACK,
                sink.services.tcpPort())) {
            dns = sink.services.dnsPort();
            tcp = sink.services.tcpPort();
            udp = sink.services.udpPort();
            open.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(200, HttpWire.read(open.getInputStream()).status());
            // close with a connection still open: it must be closed too (and logged)
            sink.services.close();
            assertEquals(-1, open.getInputStream().read());
            assertTrue(sink.log.events().stream().anyMatch(e -> e.kind() == ServiceEvent.Kind.CONNECTION_CLOSED));
        }
        assertBindable(dns, tcp, udp);
    }

    @Test
    void aServiceThatCannotBindStopsTheOthersAndSaysWhich() throws Exception {
        int dnsPort;
        try (DatagramSocket probe = new DatagramSocket(0, SinkFixture.LOOPBACK)) {
            dnsPort = probe.getLocalPort();
        }
        try (ServerSocket taken = new ServerSocket(0, 1, SinkFixture.LOOPBACK)) {
            SinkConfig config = SinkFixture.config().withPorts(dnsPort, taken.getLocalPort(), 0);
            IOException e = assertThrows(IOException.class, () -> SinkServices.start(SinkFixture.LOOPBACK, config,
                    HttpResponder.DEFAULT, new ServiceEventLog(10), null, null));
            assertTrue(e.getMessage().startsWith("cannot start catch-all TCP on 127.0.0.1:" + taken.getLocalPort()),
                    e.getMessage());
        }
        assertBindable(dnsPort, 0, 0); // the DNS service started before the failure was closed
    }

    @Test
    void wildcardBindNeedsAnExplicitDnsAnswer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SinkServices.start(
                InetAddress.getByName("0.0.0.0"), SinkFixture.config(), HttpResponder.DEFAULT, new ServiceEventLog(10)));
        assertTrue(e.getMessage().contains("dnsAnswerAddress"), e.getMessage());
    }

    @Test
    void originalDestinationIsAttachedToEveryEventOfTheFlowInOrder() throws Exception {
        InetSocketAddress vendor = new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 443);
        OriginalDestinationLookup slow = (protocol, client, port) -> {
            try {
                Thread.sleep(300); // events happen before the answer: they must wait, in order
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return protocol == OriginalDestinationLookup.Protocol.TCP ? vendor : null;
        };
        try (SinkFixture sink = new SinkFixture(SinkFixture.config(), HttpResponder.DEFAULT, null, slow);
             Socket s = new Socket(SinkFixture.LOOPBACK, sink.services.tcpPort())) {
            s.setSoTimeout(5000);
            for (int i = 0; i < 3; i++) {
                s.getOutputStream().write(("GET /n" + i + " HTTP/1.1\r\nHost: a.example\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                assertEquals(200, HttpWire.read(s.getInputStream()).status());
            }
            sink.await(e -> "/n2".equals(e.attributes().get("path")), "third request");
            List<ServiceEvent> http = sink.log.events().stream()
                    .filter(e -> e.kind() == ServiceEvent.Kind.HTTP_REQUEST).toList();
            assertEquals(List.of("/n0", "/n1", "/n2"), http.stream().map(e -> e.attributes().get("path")).toList());
            http.forEach(e -> assertEquals(vendor, e.originalDestination()));
        }
    }

    @Test
    void conntrackFindsTheDestinationOfALoopbackConnection() throws Exception {
        ConntrackLookup conntrack = ConntrackLookup.ifAvailable(java.time.Duration.ofSeconds(2)).orElse(null);
        // bin/setup --sandbox installs conntrack: missing is a failure, not a skip.
        org.junit.jupiter.api.Assertions.assertTrue(conntrack != null,
                "conntrack not installed: run bin/setup --sandbox");
        try (SinkFixture sink = new SinkFixture(SinkFixture.config(), HttpResponder.DEFAULT, null, conntrack);
             Socket s = new Socket(SinkFixture.LOOPBACK, sink.services.tcpPort())) {
            org.junit.jupiter.api.Assumptions.assumeTrue(conntrack.lookup(OriginalDestinationLookup.Protocol.TCP,
                    (InetSocketAddress) s.getLocalSocketAddress(), sink.services.tcpPort()) != null,
                    "this kernel does not track loopback connections");
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(200, HttpWire.read(s.getInputStream()).status());
            ServiceEvent e = sink.await(SinkFixture.kind(ServiceEvent.Kind.HTTP_REQUEST), "request");
            // no REDIRECT on loopback: the original destination is the listener itself
            assertEquals(sink.tcp(), e.originalDestination());
        }
    }

    @Test
    void tlsHandlerFactoryInterceptsAndTheDecryptedRequestIsAnswered(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("sink.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "sink", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=sink.test",
                "-validity", "2", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0,
                new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SslContext server = SslContextBuilder.forServer(kmf).build();
        List<String> names = new java.util.concurrent.CopyOnWriteArrayList<>();
        TlsHandlerFactory factory = connection -> {
            names.add(connection.serverName());
            return server.newHandler(connection.channel().alloc());
        };
        HttpResponder responder = (host, method, path, headers) -> HttpAnswer.json(202, "{\"host\":\"" + host + "\"}");
        try (SinkFixture sink = new SinkFixture(SinkFixture.config(), responder, factory, null)) {
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, new TrustManager[] {new TrustAll()}, null);
            try (Socket plain = new Socket(SinkFixture.LOOPBACK, sink.services.tcpPort());
                 SSLSocket tls = (SSLSocket) client.getSocketFactory().createSocket(plain, "api.vendor.example",
                         sink.services.tcpPort(), true)) {
                SSLParameters p = tls.getSSLParameters();
                p.setServerNames(List.of(new SNIHostName("api.vendor.example")));
                tls.setSSLParameters(p);
                tls.setSoTimeout(10_000);
                tls.getOutputStream().write("GET /v1/ping HTTP/1.1\r\nHost: api.vendor.example\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                HttpWire.Response r = HttpWire.read(tls.getInputStream());
                assertEquals(202, r.status());
                assertEquals("{\"host\":\"api.vendor.example\"}", r.text());
            }
            assertEquals(List.of("api.vendor.example"), names);
            assertEquals("true", sink.await(SinkFixture.kind(ServiceEvent.Kind.TLS_CLIENT_HELLO), "hello")
                    .attributes().get("intercepted"));
            assertEquals("/v1/ping", sink.await(SinkFixture.kind(ServiceEvent.Kind.HTTP_REQUEST), "request")
                    .attributes().get("path"));
            assertEquals("tls>http", sink.await(SinkFixture.kind(ServiceEvent.Kind.CONNECTION_CLOSED), "summary")
                    .attributes().get("protocol"));
        }
    }

    @Test
    @SuppressWarnings("try") // closed early on purpose: the file is complete only after close
    void eventsStreamToServicesJsonl(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(ServiceEventLog.FILE_NAME);
        try (ServiceEventLog log = ServiceEventLog.streamingTo(file, 100, ServiceEventLog.DEFAULT_MAX_FILE_BYTES);
             SinkServices services = SinkServices.start(SinkFixture.LOOPBACK, SinkFixture.config(),
                     HttpResponder.DEFAULT, log);
             DatagramSocket s = new DatagramSocket(0, SinkFixture.LOOPBACK)) {
            byte[] q = DnsWire.query(5, "beacon.vendor.example", DnsWire.A);
            s.send(new DatagramPacket(q, q.length, SinkFixture.LOOPBACK, services.dnsPort()));
            s.setSoTimeout(5000);
            s.receive(new DatagramPacket(new byte[512], 512));
            assertTrue(log.await(SinkFixture.kind(ServiceEvent.Kind.DNS_QUERY), java.time.Duration.ofSeconds(5))
                    .isPresent());
            services.close();
            log.close();
            List<String> lines = java.nio.file.Files.readAllLines(file);
            assertEquals(1, lines.size(), lines.toString());
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(0));
            assertEquals("dns", json.get("service").asText());
            assertEquals("dns_query", json.get("kind").asText());
            assertEquals("127.0.0.1:" + s.getLocalPort(), json.get("client").asText());
            assertTrue(json.get("originalDestination").isNull() || json.get("originalDestination").isTextual());
            assertEquals("beacon.vendor.example", json.get("attributes").get("name").asText());
            assertEquals("A 127.0.0.1", json.get("attributes").get("answer").asText(),
                    "without dnsAnswerAddress the bind address is the answer");
        }
    }

    private static void assertBindable(int dns, int tcp, int udp) throws IOException {
        for (int port : new int[] {dns, tcp}) {
            if (port != 0) {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(true);
                    s.bind(new InetSocketAddress(SinkFixture.LOOPBACK, port));
                }
            }
        }
        for (int port : new int[] {dns, udp}) {
            if (port != 0) {
                new DatagramSocket(port, SinkFixture.LOOPBACK).close();
            }
        }
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
