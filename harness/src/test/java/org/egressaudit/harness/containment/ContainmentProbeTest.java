package org.egressaudit.harness.containment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.egressaudit.harness.network.ServiceEvent;
import org.junit.jupiter.api.Test;

/** The probe is judged on both ends: what answered it, and what the harness logged. */
class ContainmentProbeTest {
    static final String GW = "172.18.0.1";
    final ContainmentProbe probe = ContainmentProbe.create();
    final String t = probe.token();

    private String output(String dnsAnswer, boolean httpOk) {
        String dns = "{\"ok\": true, \"answers\": [\"" + dnsAnswer + "\"], \"from\": \"" + GW + "\", \"rcode\": 0}";
        String http = httpOk ? "{\"ok\": true, \"status\": \"HTTP/1.1 200 OK\"}"
                : "{\"ok\": false, \"error\": \"connect: timeout: timed out\"}";
        return "{\"token\": \"" + t + "\", \"dnsResolver\": " + dns + ", \"dnsPublic\": " + dns + ", \"tcpAddress\": "
                + http + ", \"tcpName\": " + http + ", \"udpAddress\": {\"ok\": true}}";
    }

    private List<ServiceEvent> harnessSawEverything() {
        List<ServiceEvent> e = new ArrayList<>();
        InetSocketAddress client = new InetSocketAddress("172.18.0.2", 40000);
        for (String n : List.of(t, t + "-direct", t + "-name")) {
            e.add(new ServiceEvent(Instant.now(), ServiceEvent.Service.DNS, client, new InetSocketAddress(GW, 53),
                    ServiceEvent.Kind.DNS_QUERY, "DNS/UDP A " + n + "." + ContainmentProbe.DOMAIN + " -> " + GW,
                    Map.of()));
        }
        e.add(new ServiceEvent(Instant.now(), ServiceEvent.Service.TCP, client,
                new InetSocketAddress("203.0.113.7", 80), ServiceEvent.Kind.HTTP_REQUEST,
                "GET 203.0.113.7 /egress-audit-containment/" + t + "/address -> 200", Map.of()));
        e.add(new ServiceEvent(Instant.now(), ServiceEvent.Service.TCP, client, new InetSocketAddress(GW, 80),
                ServiceEvent.Kind.HTTP_REQUEST, "GET x /egress-audit-containment/" + t + "/name -> 200", Map.of()));
        e.add(new ServiceEvent(Instant.now(), ServiceEvent.Service.UDP, client,
                new InetSocketAddress("198.51.100.7", 9), ServiceEvent.Kind.DATAGRAM, "UDP datagram, 40 bytes",
                Map.of()));
        return e;
    }

    @Test
    void everyCanaryAtTheHarnessPasses() {
        List<ContainmentCheck> c = probe.judge(output(GW, true), GW, this::harnessSawEverything);
        assertEquals(5, c.size(), c.toString());
        assertEquals(List.of(), ContainmentCheck.failures(c));
    }

    @Test
    void anAnswerFromSomewhereElseFails() {
        List<ContainmentCheck> c = probe.judge(output("192.0.2.99", true), GW, this::harnessSawEverything);
        assertTrue(ContainmentCheck.failures(c).get(0).contains("answered [192.0.2.99], not the harness's " + GW),
                c.toString());
    }

    @Test
    void anAnswerTheHarnessNeverSawMeansSomethingElseAnswered() {
        List<ContainmentCheck> c = probe.judge(output(GW, true), GW, List::of);
        List<String> f = ContainmentCheck.failures(c);
        assertEquals(5, f.size(), f.toString());
        assertTrue(f.get(0).contains("the harness's DNS never saw the query: something else answered"), f.get(0));
        assertTrue(f.get(2).contains("harness never saw the request: something else answered"), f.get(2));
        assertTrue(f.get(4).contains("UDP sink never received it"), f.get(4));
    }

    @Test
    void noAnswerAndNoRecordFails() {
        List<String> f = ContainmentCheck.failures(probe.judge(output(GW, false), GW, List::of));
        assertTrue(f.stream().anyMatch(x -> x.startsWith("tcp to 203.0.113.7:80: no HTTP answer (connect: timeout")),
                f.toString());
    }

    @Test
    void aProbeThatDidNotReportFails() {
        List<ContainmentCheck> c = probe.judge("exit 1: python3: not found", GW, List::of);
        assertEquals(1, c.size());
        assertFalse(c.get(0).passed());
        assertTrue(c.get(0).detail().contains("python3: not found"));
        // a report for another token is not this probe's
        assertFalse(probe.judge(output(GW, true).replace(t, "ea0000"), GW, this::harnessSawEverything).get(0)
                .passed());
    }

    @Test
    void theScriptIsPackaged() {
        assertTrue(ContainmentProbe.script().contains("203.0.113.7"));
        assertEquals(List.of(t, "172.18.0.1"), probe.arguments("172.18.0.1"));
    }
}
