package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DnsSinkholeTest {
    private static final byte[] SINK = {(byte) 192, 0, 2, 53};
    private SinkFixture sink;

    @BeforeEach
    void start() throws IOException {
        Inet4Address answer = (Inet4Address) InetAddress.getByAddress(SINK);
        sink = new SinkFixture(SinkFixture.config().withDnsAnswerAddress(answer), HttpResponder.DEFAULT, null, null);
    }

    @AfterEach
    void stop() {
        sink.close();
    }

    private DnsWire.Response udp(DatagramSocket s, byte[] query) throws IOException {
        s.send(new DatagramPacket(query, query.length, SinkFixture.LOOPBACK, sink.services.dnsPort()));
        byte[] buf = new byte[4096];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        return DnsWire.parse(buf, p.getLength());
    }

    @Test
    void everyANameResolvesToTheSinkOverUdpAndIsLogged() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, SinkFixture.LOOPBACK)) {
            s.setSoTimeout(5000);
            for (String name : List.of("telemetry.vendor.example", "a.b.c.d.exfil.test")) {
                DnsWire.Response r = udp(s, DnsWire.query(0x1234, name, DnsWire.A));
                assertEquals(0x1234, r.id());
                assertTrue(r.qr());
                assertEquals(0, r.rcode());
                assertEquals(List.of(name + "/1"), r.questions());
                assertEquals(1, r.answers().size());
                assertEquals(name, r.answers().get(0).name());
                assertEquals(DnsWire.A, r.answers().get(0).type());
                assertEquals(5, r.answers().get(0).ttl());
                assertArrayEquals(SINK, r.answers().get(0).data());
                ServiceEvent e = sink.await(ev -> ev.kind() == ServiceEvent.Kind.DNS_QUERY
                        && name.equals(ev.attributes().get("name")), "query " + name);
                assertEquals(ServiceEvent.Service.DNS, e.service());
                assertEquals(s.getLocalPort(), e.client().getPort());
                assertEquals("A", e.attributes().get("type"));
                assertEquals("A 192.0.2.53", e.attributes().get("answer"));
            }
        }
    }

    @Test
    void aaaaAndOtherTypesGetAnEmptyNoError() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, SinkFixture.LOOPBACK)) {
            s.setSoTimeout(5000);
            for (int type : new int[] {DnsWire.AAAA, DnsWire.TXT}) {
                DnsWire.Response r = udp(s, DnsWire.query(7, "update.vendor.example", type));
                assertEquals(0, r.rcode());
                assertEquals(List.of("update.vendor.example/" + type), r.questions());
                assertTrue(r.answers().isEmpty(), "no records for type " + type);
            }
            sink.await(e -> "AAAA".equals(e.attributes().get("type")) && "none".equals(e.attributes().get("answer")),
                    "AAAA query");
            sink.await(e -> "TXT".equals(e.attributes().get("type")), "TXT query");
        }
    }

    @Test
    void tcpQueriesAreAnsweredOnTheSamePort() throws Exception {
        try (Socket s = new Socket(SinkFixture.LOOPBACK, sink.services.dnsPort())) {
            s.setSoTimeout(5000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            for (int id : new int[] {1, 2}) { // two queries on one connection
                byte[] q = DnsWire.query(id, "tcp" + id + ".vendor.example", DnsWire.A);
                out.writeShort(q.length);
                out.write(q);
                out.flush();
                byte[] msg = new byte[in.readUnsignedShort()];
                in.readFully(msg);
                DnsWire.Response r = DnsWire.parse(msg, msg.length);
                assertEquals(id, r.id());
                assertArrayEquals(SINK, r.answers().get(0).data());
            }
        }
        ServiceEvent e = sink.await(ev -> "tcp2.vendor.example".equals(ev.attributes().get("name")), "TCP query");
        assertTrue(e.detail().startsWith("DNS/TCP A tcp2.vendor.example"), e.detail());
        sink.await(ev -> ev.kind() == ServiceEvent.Kind.CONNECTION_CLOSED && ev.service() == ServiceEvent.Service.DNS
                && "dns".equals(ev.attributes().get("protocol")), "DNS/TCP connection summary");
    }

    @Test
    void malformedUdpQueriesAreLoggedAndDroppedAndTheServerKeepsAnswering() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, SinkFixture.LOOPBACK)) {
            s.setSoTimeout(400);
            byte[] response = DnsWire.query(9, "x.example", DnsWire.A);
            response[2] |= (byte) 0x80; // QR: a response, not a query
            byte[] truncated = java.util.Arrays.copyOf(DnsWire.query(10, "cut.example", DnsWire.A), 20);
            byte[] oversized = new byte[5000];
            System.arraycopy(DnsWire.query(11, "big.example", DnsWire.A), 0, oversized, 0, 29);
            for (byte[] bad : List.of(new byte[] {1, 2, 3}, response, truncated, oversized)) {
                s.send(new DatagramPacket(bad, bad.length, SinkFixture.LOOPBACK, sink.services.dnsPort()));
                assertThrows(SocketTimeoutException.class, () -> s.receive(new DatagramPacket(new byte[512], 512)));
            }
            s.setSoTimeout(5000);
            DnsWire.Response ok = udp(s, DnsWire.query(12, "after.example", DnsWire.A));
            assertEquals(12, ok.id());
        }
        List<ServiceEvent> malformed = sink.log.events().stream()
                .filter(e -> e.kind() == ServiceEvent.Kind.MALFORMED).toList();
        assertEquals(4, malformed.size(), malformed.toString());
        assertTrue(malformed.get(3).detail().contains("oversized: 5000 bytes, limit 4096"), malformed.get(3).detail());
        assertEquals("010203", malformed.get(0).attributes().get("previewHex"));
    }

    @Test
    void malformedTcpQueryClosesOnlyThatConnection() throws Exception {
        try (Socket s = new Socket(SinkFixture.LOOPBACK, sink.services.dnsPort())) {
            s.setSoTimeout(5000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(3);
            out.write(new byte[] {1, 2, 3});
            out.flush();
            assertEquals(-1, s.getInputStream().read(), "server closes the broken connection");
        }
        sink.await(e -> e.kind() == ServiceEvent.Kind.MALFORMED && e.detail().startsWith("DNS/TCP"), "TCP malformed");
        try (Socket s = new Socket(SinkFixture.LOOPBACK, sink.services.dnsPort())) {
            s.setSoTimeout(5000);
            byte[] q = DnsWire.query(3, "again.example", DnsWire.A);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(q.length);
            out.write(q);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] msg = new byte[in.readUnsignedShort()];
            in.readFully(msg);
            assertEquals(3, DnsWire.parse(msg, msg.length).id());
        }
    }
}
