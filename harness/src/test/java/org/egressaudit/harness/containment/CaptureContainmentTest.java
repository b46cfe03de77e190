package org.egressaudit.harness.containment;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.egressaudit.analyzers.engine.AnalysisResult.ConnectionRecord;
import org.egressaudit.harness.network.ServiceEvent;
import org.junit.jupiter.api.Test;

class CaptureContainmentTest {
    private static ConnectionRecord tcp(String client, String server, long back, boolean handshake) {
        return new ConnectionRecord("tcp " + client + " -> " + server, "tcp", client, server, "http", 0, 1, 100,
                back, 0, 0, handshake);
    }

    private static ServiceEvent served(ServiceEvent.Service service, String ip, int port) {
        return new ServiceEvent(Instant.now(), service, new InetSocketAddress(ip, port),
                new InetSocketAddress("203.0.113.50", 443), ServiceEvent.Kind.CONNECTION_CLOSED, "", Map.of());
    }

    @Test
    void answeredConnectionsTheHarnessServedPass() {
        ContainmentCheck c = CaptureContainment.check(List.of(tcp("172.18.0.2:40000", "203.0.113.50:443", 512, true),
                tcp("172.18.0.2:40002", "198.51.100.9:80", 0, false)),
                List.of(served(ServiceEvent.Service.TCP, "172.18.0.2", 40000)), "172.18.0.1", true);
        assertTrue(c.passed(), c.detail());
        assertTrue(c.detail().startsWith("1 answered flows"), "an unanswered SYN is not an answer: " + c.detail());
    }

    @Test
    void anAnswerTheHarnessNeverServedFails() {
        ContainmentCheck c = CaptureContainment.check(List.of(tcp("172.18.0.2:40001", "203.0.113.50:443", 60, true)),
                List.of(served(ServiceEvent.Service.TCP, "172.18.0.2", 40000)), "172.18.0.1", true);
        assertFalse(c.passed());
        assertTrue(c.detail().contains("tcp 172.18.0.2:40001 -> 203.0.113.50:443 (60 bytes back)"), c.detail());
    }

    @Test
    void aTruncatedServiceLogIsNotConclusive() {
        ContainmentCheck c = CaptureContainment.check(List.of(tcp("172.18.0.2:40001", "203.0.113.50:443", 60, true)),
                List.of(), "172.18.0.1", false);
        assertTrue(c.passed());
        assertTrue(c.detail().startsWith("not conclusive"), c.detail());
    }

    @Test
    void dhcpAndTheHarnessesOwnFlowsAreSkipped() {
        ConnectionRecord dhcpAnswer = new ConnectionRecord("udp 10.250.1.1:67 -> 255.255.255.255:68", "udp",
                "10.250.1.1:67", "255.255.255.255:68", "udp", 0, 1, 300, 0, 0, 0, false);
        ConnectionRecord dhcpAsk = new ConnectionRecord("udp 0.0.0.0:68 -> 255.255.255.255:67", "udp",
                "0.0.0.0:68", "255.255.255.255:67", "udp", 0, 1, 300, 300, 0, 0, false);
        assertTrue(CaptureContainment.check(List.of(dhcpAnswer, dhcpAsk), List.of(), "10.250.1.1", true).passed());
    }
}
