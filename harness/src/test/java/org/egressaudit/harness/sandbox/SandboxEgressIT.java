package org.egressaudit.harness.sandbox;

import static org.egressaudit.harness.sandbox.TestImages.lines;
import static org.egressaudit.harness.sandbox.TestImages.rulesOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.egressaudit.analyzers.capture.CaptureReader;
import org.egressaudit.analyzers.capture.CaptureReaders;
import org.egressaudit.analyzers.capture.LinkType;
import org.egressaudit.analyzers.capture.PacketRecord;
import org.egressaudit.harness.capture.CaptureStats;
import org.egressaudit.harness.capture.LiveCapture;
import org.egressaudit.harness.network.Redirects;
import org.egressaudit.harness.network.RunNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole containment path for real: a container on the run's internal network dials documentation addresses
 * (TCP, UDP, DNS by name) and every attempt lands on listeners the test runs on the bridge gateway, while the
 * live capture on the container's veth records the original destinations. Afterwards nothing of the run remains.
 */
class SandboxEgressIT {

    @Test
    void everyOutboundAttemptReachesTheHarnessAndIsCaptured(@TempDir Path tmp) throws Exception {
        String runId = "it-" + UUID.randomUUID().toString().substring(0, 8);
        Path pcap = tmp.resolve("run.pcap");
        CaptureStats stats;
        BlockingQueue<String> tcpLines = new LinkedBlockingQueue<>();
        BlockingQueue<String> udpPayloads = new LinkedBlockingQueue<>();
        BlockingQueue<byte[]> dnsQueries = new LinkedBlockingQueue<>();
        try (RunNetwork net = RunNetwork.create(runId);
             ServerSocket tcp = new ServerSocket();
             DatagramSocket udp = new DatagramSocket(new InetSocketAddress(net.gateway(), 0));
             DatagramSocket dns = new DatagramSocket(new InetSocketAddress(net.gateway(), 0))) {
            tcp.bind(new InetSocketAddress(net.gateway(), 0));
            startTcpListener(tcp, tcpLines);
            startUdpListener(udp, p -> udpPayloads.add(new String(p, StandardCharsets.UTF_8)));
            startUdpListener(dns, dnsQueries::add);
            Redirects.Ports ports = new Redirects.Ports(dns.getLocalPort(), tcp.getLocalPort(), udp.getLocalPort());
            LiveCapture capture;
            try (Redirects redirects = Redirects.install(runId, net.bridgeInterface(), ports);
                 ContainerSandbox sandbox = new ContainerSandbox(net, SandboxConfig.defaults(TestImages.sandboxImage()))) {
                assertEquals(redirects.rules().size(), rulesOf(runId).size());
                sandbox.start();
                assertTrue(sandbox.hostInterface().startsWith("veth"), sandbox.hostInterface());
                capture = LiveCapture.start(sandbox.hostInterface(), pcap);
                try {
                    exercise(sandbox, tcpLines, udpPayloads, dnsQueries);
                } finally {
                    capture.close(); // before the container (and its veth) goes away
                }
            }
            stats = capture.stats();
            assertEquals(List.of(), rulesOf(runId));
        }
        assertEquals(List.of(), lines("docker", "ps", "-aq", "--filter", "label=egress-audit.run=" + runId));
        assertEquals(List.of(), lines("docker", "network", "ls", "-q", "--filter", "label=egress-audit.run=" + runId));

        assertEquals(0, stats.dropped(), stats.toString());
        assertEquals(0, stats.droppedByInterface(), stats.toString());
        assertTrue(stats.fileBytes() > 24 && stats.complete(), stats.toString());
        Set<String> destinations = destinations(pcap);
        for (String d : List.of("tcp 203.0.113.7:8080", "tcp 198.51.100.3:443", "udp 192.0.2.9:9999")) {
            assertTrue(destinations.contains(d), d + " not in " + destinations);
        }
        assertTrue(destinations.stream().anyMatch(d -> d.startsWith("udp ") && d.endsWith(":53")), destinations.toString());
    }


    private static void exercise(ContainerSandbox sandbox, BlockingQueue<String> tcpLines,
                                 BlockingQueue<String> udpPayloads, BlockingQueue<byte[]> dnsQueries)
            throws InterruptedException {
        ExecResult curl = sandbox.exec(Duration.ofSeconds(30), "curl", "-sS", "-m", "10",
                "http://203.0.113.7:8080/x");
        assertEquals("ok", curl.stdoutText(), curl.stderrText());
        assertEquals("GET /x HTTP/1.1", tcpLines.poll(10, TimeUnit.SECONDS));

        ExecResult nc = sandbox.exec(Duration.ofSeconds(30), "sh", "-c",
                "printf 'hello-nc\\n' | nc -N -w 5 198.51.100.3 443");
        assertEquals(0, nc.exitCode(), nc.stderrText());
        assertEquals("hello-nc", tcpLines.poll(10, TimeUnit.SECONDS));

        sandbox.exec(Duration.ofSeconds(30), "sh", "-c", "printf 'ping-udp' | nc -u -w 1 192.0.2.9 9999");
        assertEquals("ping-udp", udpPayloads.poll(10, TimeUnit.SECONDS));

        // no answer comes back: dig times out, but the query must have reached the DNS port
        sandbox.exec(Duration.ofSeconds(30), "dig", "+tries=1", "+time=2", "example.test");
        byte[] query = dnsQueries.poll(10, TimeUnit.SECONDS);
        assertTrue(query != null && new String(query, StandardCharsets.ISO_8859_1)
                .contains("\u0007example\u0004test"), "DNS query for example.test");
    }

    /** "proto a.b.c.d:port" of every IPv4 TCP/UDP frame in the capture. */
    private static Set<String> destinations(Path pcap) throws IOException {
        Set<String> out = new HashSet<>();
        try (CaptureReader reader = CaptureReaders.open(pcap)) {
            PacketRecord p = new PacketRecord();
            while (reader.next(p)) {
                assertEquals(LinkType.ETHERNET, p.linkType);
                int o = p.offset;
                if (p.capturedLength < 34 || (p.buffer.getShort(o + 12) & 0xFFFF) != 0x0800) {
                    continue;
                }
                int ip = o + 14;
                int ihl = (p.buffer.get(ip) & 0x0F) * 4;
                int proto = p.buffer.get(ip + 9) & 0xFF;
                if ((proto != 6 && proto != 17) || p.capturedLength < 14 + ihl + 4) {
                    continue;
                }
                String dst = (p.buffer.get(ip + 16) & 0xFF) + "." + (p.buffer.get(ip + 17) & 0xFF) + "."
                        + (p.buffer.get(ip + 18) & 0xFF) + "." + (p.buffer.get(ip + 19) & 0xFF);
                int port = p.buffer.getShort(ip + ihl + 2) & 0xFFFF;
                out.add((proto == 6 ? "tcp " : "udp ") + dst + ":" + port);
            }
        }
        return out;
    }

    private static void startTcpListener(ServerSocket server, BlockingQueue<String> firstLines) {
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(5000);
                    String line = readLine(s.getInputStream());
                    firstLines.add(line);
                    if (line.startsWith("GET ")) {
                        OutputStream out = s.getOutputStream();
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                } catch (IOException e) {
                    if (server.isClosed()) {
                        return;
                    }
                }
            }
        }, "it-tcp");
        t.setDaemon(true);
        t.start();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n' && sb.length() < 4096) {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    private static void startUdpListener(DatagramSocket socket, java.util.function.Consumer<byte[]> sink) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65535];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                    sink.accept(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                } catch (SocketException closed) {
                    return;
                } catch (IOException e) {
                    // keep listening
                }
            }
        }, "it-udp");
        t.setDaemon(true);
        t.start();
    }
}
