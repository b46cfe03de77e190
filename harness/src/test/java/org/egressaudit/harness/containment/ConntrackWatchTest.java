package org.egressaudit.harness.containment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class ConntrackWatchTest {
    private static final ConntrackWatch.Subnet SUBNET = ConntrackWatch.Subnet.parse("172.18.0.0/16");
    private static final String GW = "172.18.0.1";

    @Test
    void aRedirectedConnectionIsAnsweredByTheGatewayAndIsFine() {
        String line = "[1795425000.123456]	    [NEW] tcp      6 120 SYN_SENT src=172.18.0.2 dst=203.0.113.50 sport=50694 "
                + "dport=443 [UNREPLIED] src=172.18.0.1 dst=172.18.0.2 sport=34567 dport=50694";
        assertEquals(Optional.empty(), ConntrackWatch.escape(line, SUBNET, GW));
    }

    @Test
    void aForwardedConnectionIsAnEscapeWithOrWithoutMasquerade() {
        String routed = "    [NEW] tcp      6 120 SYN_SENT src=172.18.0.2 dst=203.0.113.7 sport=40000 dport=80 "
                + "[UNREPLIED] src=203.0.113.7 dst=172.18.0.2 sport=80 dport=40000";
        String masqueraded = "    [NEW] udp      17 30 src=172.18.0.2 dst=192.0.2.53 sport=5353 dport=53 [UNREPLIED] "
                + "src=192.0.2.53 dst=10.0.0.5 sport=53 dport=5353";
        assertTrue(ConntrackWatch.escape(routed, SUBNET, GW).orElseThrow().startsWith(
                "tcp 172.18.0.2 -> 203.0.113.7 left towards 203.0.113.7"));
        assertTrue(ConntrackWatch.escape(masqueraded, SUBNET, GW).orElseThrow().startsWith(
                "udp 172.18.0.2 -> 192.0.2.53 left towards 192.0.2.53"));
    }

    @Test
    void otherHostsTrafficIpv6AndGarbageAreIgnored() {
        assertEquals(Optional.empty(), ConntrackWatch.escape("    [NEW] tcp      6 120 SYN_SENT src=10.1.2.3 "
                + "dst=203.0.113.7 sport=1 dport=80 [UNREPLIED] src=203.0.113.7 dst=10.1.2.3 sport=80 dport=1", SUBNET,
                GW));
        assertEquals(Optional.empty(), ConntrackWatch.escape("    [NEW] tcp      6 120 SYN_SENT src=fd00::2 "
                + "dst=2001:db8::1 sport=1 dport=80 [UNREPLIED] src=2001:db8::1 dst=fd00::2 sport=80 dport=1", SUBNET,
                GW));
        assertEquals(Optional.empty(), ConntrackWatch.escape("conntrack v1.4.7 (conntrack-tools): 3 flow events",
                SUBNET, GW));
        assertEquals(Optional.empty(), ConntrackWatch.escape("    [NEW] tcp src=172.18.0.2", SUBNET, GW));
        assertEquals(Optional.empty(), ConntrackWatch.escape("", SUBNET, GW));
    }

    @Test
    void subnets() {
        ConntrackWatch.Subnet s = ConntrackWatch.Subnet.parse("10.250.3.0/24");
        assertTrue(s.contains("10.250.3.2"));
        assertTrue(!s.contains("10.250.4.2") && !s.contains("not-an-address") && !s.contains("::1"));
    }
}
