package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class HostSubnetsTest {

    @Test
    void readsPrefixesFromIpAddrOutput() {
        String out = """
                1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
                4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever
                9: eab-1a2b3c4d    inet 10.250.0.1/24 brd 10.250.0.255 scope global eab-1a2b3c4d\\       valid_lft forever
                """;
        assertEquals(List.of(Ipv4Cidr.parse("127.0.0.0/8"), Ipv4Cidr.parse("192.0.2.0/24"),
                Ipv4Cidr.parse("10.250.0.0/24")), HostSubnets.fromAddresses(out));
    }

    @Test
    void readsRouteDestinationsOfEveryTableAndSkipsDefaults() {
        String out = """
                default via 192.0.2.1 dev eth0
                10.250.7.0/24 via 192.0.2.9 dev eth0 table 100
                172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown
                blackhole 10.250.9.0/24
                unreachable default table 200
                local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1
                broadcast 192.0.2.255 dev eth0 table local proto kernel scope link src 192.0.2.2
                multicast ff00::/8 dev eth0 table local
                """;
        assertEquals(List.of(Ipv4Cidr.parse("10.250.7.0/24"), Ipv4Cidr.parse("172.17.0.0/16"),
                        Ipv4Cidr.parse("10.250.9.0/24"), Ipv4Cidr.parse("127.0.0.1/32"),
                        Ipv4Cidr.parse("192.0.2.255/32")),
                HostSubnets.fromRoutes(out));
    }

    @Test
    void picksTheFirstSubnetOverlappingNothing() {
        assertEquals(Optional.of(Ipv4Cidr.parse("10.250.0.0/24")), HostSubnets.pickFree(List.of()));
        List<Ipv4Cidr> used = List.of(Ipv4Cidr.parse("10.250.0.1/24"), Ipv4Cidr.parse("10.250.1.77/32"),
                Ipv4Cidr.parse("10.250.2.0/23"), Ipv4Cidr.parse("192.0.2.0/24"));
        assertEquals(Optional.of(Ipv4Cidr.parse("10.250.4.0/24")), HostSubnets.pickFree(used));
        // a wider prefix covering the whole pool leaves nothing
        assertEquals(Optional.empty(), HostSubnets.pickFree(List.of(Ipv4Cidr.parse("10.0.0.0/8"))));
        List<Ipv4Cidr> all = new ArrayList<>();
        for (int i = 0; i < 255; i++) {
            all.add(Ipv4Cidr.parse("10.250." + i + ".1/24"));
        }
        assertEquals(Optional.of(Ipv4Cidr.parse("10.250.255.0/24")), HostSubnets.pickFree(all));
    }

    @Test
    void cidrArithmetic() {
        Ipv4Cidr c = Ipv4Cidr.parse("10.250.3.77/24");
        assertEquals("10.250.3.0/24", c.toString());
        assertEquals("10.250.3.255", Ipv4Cidr.format(c.broadcast()));
        assertEquals("10.250.3.1", c.address(1).getHostAddress());
        assertTrue(c.overlaps(Ipv4Cidr.parse("10.250.0.0/16")));
        assertTrue(Ipv4Cidr.parse("10.250.0.0/16").overlaps(c));
        assertFalse(c.overlaps(Ipv4Cidr.parse("10.250.4.0/24")));
        assertTrue(Ipv4Cidr.parse("0.0.0.0/0").overlaps(c));
        assertEquals(0, Ipv4Cidr.mask(0));
        assertEquals(-1, Ipv4Cidr.mask(32));
        assertThrows(IllegalArgumentException.class, () -> c.address(256));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.250.3.0/33"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.256.3.0/24"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("fe80::/64"));
    }
}
