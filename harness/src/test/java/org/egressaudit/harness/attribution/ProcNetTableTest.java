package org.egressaudit.harness.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ProcNetTableTest {

    @Test
    void ipv4AddressesPortsStatesAndInodes() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "fixture is little-endian");
        String text = """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3035621 1 0000000000000000 100 0 0 10 0
                   1: 020012AC:B26E 010012AC:0050 02 00000001:00000000 01:00000064 00000000  1000        0 3035700 2 0000000000000000 20 4 0 10 -1
                   2: 020012AC:9C40 010012AC:01BB 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
                """;
        List<String> bad = new ArrayList<>();
        List<ProcNetTable.Entry> e = ProcNetTable.parse("tcp", text, bad::add);
        assertEquals(List.of(), bad);
        assertEquals(3, e.size());
        assertEquals(new Endpoint("127.0.0.1", 8080), e.get(0).local());
        assertEquals(new Endpoint("0.0.0.0", 0), e.get(0).remote());
        assertEquals("LISTEN", e.get(0).state());
        assertEquals(3035621L, e.get(0).inode());
        assertEquals(new Endpoint("172.18.0.2", 45678), e.get(1).local());
        assertEquals(new Endpoint("172.18.0.1", 80), e.get(1).remote());
        assertEquals("SYN_SENT", e.get(1).state());
        assertEquals("tcp", e.get(1).transport());
        assertEquals("TIME_WAIT", e.get(2).state());
        assertEquals(0L, e.get(2).inode(), "time-wait sockets belong to no process");
    }

    @Test
    void ipv6AndMappedAddressesAndUdpStates() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "fixture is little-endian");
        String text = """
                  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
                 12: 00000000000000000000000001000000:9E5A 00000000000000000000000001000000:0035 01 00000000:00000000 00:00000000 00000000     0        0 3034493 2 0000000000000000 0
                 13: 0000000000000000FFFF00000100007F:C7D5 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3034496 2 0000000000000000 0
                 14: B80D0120000000000000000002000000:1F90 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 77 2 0000000000000000 0
                not a socket line
                 15: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 78 2 0000000000000000 0
                """;
        List<String> bad = new ArrayList<>();
        List<ProcNetTable.Entry> e = ProcNetTable.parse("udp6", text, bad::add);
        assertEquals(3, e.size());
        assertEquals(2, bad.size(), "a garbage line and an IPv4-sized address in the v6 table: " + bad);
        assertEquals(new Endpoint("::1", 40538), e.get(0).local());
        assertEquals(new Endpoint("::1", 53), e.get(0).remote());
        assertEquals("CONNECTED", e.get(0).state());
        assertEquals("udp", e.get(0).transport());
        assertEquals(new Endpoint("127.0.0.1", 51157), e.get(1).local(), "IPv4-mapped is IPv4, as on the wire");
        assertEquals("UNCONNECTED", e.get(1).state());
        assertEquals(new Endpoint("2001:db8::2", 8080), e.get(2).local());
    }

    @Test
    void onlySocketTablesAreAccepted() {
        assertThrows(IllegalArgumentException.class, () -> ProcNetTable.parse("raw", "", s -> { }));
    }

    @Test
    void endpointsAreCanonicalAndNeverResolved() {
        assertEquals("[2001:db8::1]:443", Endpoint.parse("[2001:0db8:0:0::1]:443").toString());
        assertEquals("192.0.2.7:53", Endpoint.parse("192.0.2.7:53").toString());
        assertEquals("127.0.0.1", Endpoint.parse("[::ffff:127.0.0.1]:53").address());
        assertEquals(-1, Endpoint.parse("192.0.2.7").port());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Endpoint.parse("host.example:80"));
        assertEquals("not an IP address literal: host.example", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("192.0.2.300:80"));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("192.0.2.3:70000"));
        FlowText f = FlowText.parse("udp [fd00::2]:5353 -> [ff02::fb]:5353");
        assertEquals(new Endpoint("fd00::2", 5353), f.client());
        assertEquals("udp", f.transport());
        assertThrows(IllegalArgumentException.class, () -> FlowText.parse("tcp 1.2.3.4:1"));
    }
}
