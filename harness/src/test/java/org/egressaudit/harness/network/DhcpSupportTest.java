package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The small parts around the DHCP responder: lease validation, bounded log, rate limit, MAC parsing. */
class DhcpSupportTest {

    @Test
    void leaseRejectsInconsistentSettings() throws Exception {
        Inet4Address guest = addr("10.250.3.2");
        Inet4Address gw = addr("10.250.3.1");
        Duration day = Duration.ofDays(1);
        DhcpLease ok = new DhcpLease("52:54:00:AB:CD:EF", guest, 24, gw, gw, gw, "sandbox.test", day);
        assertEquals("52:54:00:ab:cd:ef", ok.clientMac());
        assertBad("MAC", () -> new DhcpLease("52:54:00:ab:cd", guest, 24, gw, gw, gw, "sandbox.test", day));
        assertBad("multicast", () -> new DhcpLease("01:00:5e:00:00:01", guest, 24, gw, gw, gw, "sandbox.test", day));
        assertBad("prefix", () -> new DhcpLease("52:54:00:ab:cd:ef", guest, 31, gw, gw, gw, "sandbox.test", day));
        assertBad("network or broadcast",
                () -> new DhcpLease("52:54:00:ab:cd:ef", addr("10.250.3.255"), 24, gw, gw, gw, "sandbox.test", day));
        assertBad("server", () -> new DhcpLease("52:54:00:ab:cd:ef", guest, 24, addr("192.0.2.1"), gw, gw,
                "sandbox.test", day));
        assertBad("server", () -> new DhcpLease("52:54:00:ab:cd:ef", guest, 24, guest, gw, gw, "sandbox.test", day));
        assertBad("router", () -> new DhcpLease("52:54:00:ab:cd:ef", guest, 24, gw, addr("192.0.2.1"), gw,
                "sandbox.test", day));
        assertBad("domain", () -> new DhcpLease("52:54:00:ab:cd:ef", guest, 24, gw, gw, gw, "bad domain", day));
        assertBad("lease time", () -> new DhcpLease("52:54:00:ab:cd:ef", guest, 24, gw, gw, gw, "sandbox.test",
                Duration.ofSeconds(5)));
    }

    private static void assertBad(String what, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(what), x.getMessage());
    }

    @Test
    void logKeepsTheFirstLinesAndCountsTheRest() {
        BoundedLog log = new BoundedLog(3);
        for (int i = 0; i < 10; i++) {
            log.add("e" + i);
        }
        assertEquals(List.of("e0", "e1", "e2", "... 7 more events not kept"), log.snapshot());
        BoundedLog small = new BoundedLog(3);
        small.add("x");
        assertEquals(List.of("x"), small.snapshot());
    }

    @Test
    void limitAllowsSoManyPerSecondAndReportsWhatItRefused() {
        PerSecondLimit limit = new PerSecondLimit(2);
        assertTrue(limit.tryAcquire(10_000));
        assertTrue(limit.tryAcquire(10_100));
        assertFalse(limit.tryAcquire(10_200));
        assertFalse(limit.tryAcquire(10_999));
        assertEquals(0, limit.takeRefusedInPreviousWindow());
        assertTrue(limit.tryAcquire(11_000)); // new second
        assertEquals(2, limit.takeRefusedInPreviousWindow());
        assertEquals(0, limit.takeRefusedInPreviousWindow());
    }

    @Test
    void macAddresses() {
        MacAddress m = MacAddress.parse("52:54:00:0A:0b:0C");
        assertEquals("52:54:00:0a:0b:0c", m.toString());
        assertEquals(m, MacAddress.of(m.bytes()));
        assertTrue(MacAddress.BROADCAST.isMulticast());
        assertFalse(m.isMulticast());
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("52-54-00-0a-0b-0c"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(new byte[5]));
    }

    private static Inet4Address addr(String a) throws Exception {
        return (Inet4Address) InetAddress.getByName(a);
    }
}
