package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class DhcpServerLogicTest {
    private static final MacAddress CLIENT = MacAddress.parse(DhcpWire.CLIENT_MAC);
    private static final int GUEST = ip("10.250.3.2");
    private static final int GATEWAY = ip("10.250.3.1");
    private static final int BROADCAST = 0xffffffff;
    private final DhcpServerLogic logic = new DhcpServerLogic(new DhcpLease(DhcpWire.CLIENT_MAC, addr("10.250.3.2"),
            24, addr("10.250.3.1"), addr("10.250.3.1"), addr("10.250.3.1"), "sandbox.test", Duration.ofDays(1)));

    @Test
    void offersTheAddressWithEveryNetworkSetting() {
        DhcpServerLogic.Decision d = logic.decide(CLIENT, DhcpCodec.decode(DhcpWire.discover()));
        DhcpMessage offer = d.reply().orElseThrow();
        assertEquals(DhcpMessage.BOOTREPLY, offer.op());
        assertEquals(DhcpMessage.OFFER, offer.messageType().getAsInt());
        assertEquals(DhcpWire.XID, offer.xid());
        assertEquals(GUEST, offer.yiaddr());
        assertEquals(0, offer.ciaddr());
        assertEquals(CLIENT, offer.clientMac());
        DhcpOptions o = offer.options();
        assertEquals(GATEWAY, o.u32(DhcpOptions.SERVER_ID).getAsInt());
        assertEquals(86400, o.u32(DhcpOptions.LEASE_TIME).getAsInt());
        assertEquals(43200, o.u32(DhcpOptions.RENEWAL_TIME).getAsInt());
        assertEquals(75600, o.u32(DhcpOptions.REBINDING_TIME).getAsInt());
        assertEquals(0xffffff00, o.u32(DhcpOptions.SUBNET_MASK).getAsInt());
        assertEquals(GATEWAY, o.u32(DhcpOptions.ROUTER).getAsInt());
        assertEquals(GATEWAY, o.u32(DhcpOptions.DNS).getAsInt());
        assertEquals(ip("10.250.3.255"), o.u32(DhcpOptions.BROADCAST).getAsInt());
        assertEquals("sandbox.test", o.text(DhcpOptions.DOMAIN_NAME).orElseThrow());
        assertEquals(1500, DhcpCodec.uint16(o.get(DhcpOptions.MTU).orElseThrow(), 0));
        assertEquals(BROADCAST, d.ipDestination()); // no address yet
        assertFalse(d.leased());
        assertEquals("DISCOVER from 52:54:00:12:34:56 xid 0x3903f326 → OFFER 10.250.3.2", d.event());
    }

    @Test
    void acksASelectingRequestForOurAddressFromUs() {
        DhcpServerLogic.Decision d = logic.decide(CLIENT,
                DhcpCodec.decode(DhcpWire.requestSelecting("0afa0302", "0afa0301")));
        DhcpMessage ack = d.reply().orElseThrow();
        assertEquals(DhcpMessage.ACK, ack.messageType().getAsInt());
        assertEquals(GUEST, ack.yiaddr());
        assertTrue(ack.options().has(DhcpOptions.LEASE_TIME));
        assertTrue(d.leased());
        assertEquals(BROADCAST, d.ipDestination());
    }

    @Test
    void naksRequestsForAnythingElse() {
        assertNak(DhcpWire.requestSelecting("0afa0309", "0afa0301"), "requested 10.250.3.9");
        assertNak(DhcpWire.requestSelecting("0afa0302", "c0000201"), "selected server 192.0.2.1");
        assertNak(DhcpWire.withOptions("350103" + "32040afa0307" + "ff"), "init-reboot with 10.250.3.7");
        assertNak(renewing("0afa0308", "0000"), "renewing 10.250.3.8");
        assertNak(DhcpWire.withOptions("350103" + "ff"), "neither a requested address nor ciaddr");
        assertNak(DhcpWire.withOptions("350103" + "36020afa" + "ff"), "option 50 or 54 is not four bytes");
        assertNak(DhcpWire.withOptions("350103" + "36040afa0301" + "ff"), "no requested address");
    }

    private void assertNak(byte[] request, String why) {
        DhcpServerLogic.Decision d = logic.decide(CLIENT, DhcpCodec.decode(request));
        DhcpMessage nak = d.reply().orElseThrow();
        assertEquals(DhcpMessage.NAK, nak.messageType().getAsInt(), d.event());
        assertEquals(0, nak.yiaddr());
        assertEquals(0, nak.ciaddr());
        assertEquals(List.of(DhcpOptions.MESSAGE_TYPE, DhcpOptions.SERVER_ID, DhcpOptions.MESSAGE),
                nak.options().codes());
        assertEquals(BROADCAST, d.ipDestination());
        assertFalse(d.leased());
        assertTrue(d.event().contains("→ NAK (" + why), d.event());
    }

    @Test
    void acksInitRebootAndRenewalOfOurAddress() {
        DhcpServerLogic.Decision reboot = logic.decide(CLIENT,
                DhcpCodec.decode(DhcpWire.withOptions("350103" + "32040afa0302" + "ff")));
        assertEquals(DhcpMessage.ACK, reboot.reply().orElseThrow().messageType().getAsInt());
        assertTrue(reboot.leased());

        DhcpServerLogic.Decision renew = logic.decide(CLIENT, DhcpCodec.decode(renewing("0afa0302", "0000")));
        DhcpMessage ack = renew.reply().orElseThrow();
        assertEquals(GUEST, ack.ciaddr());
        assertEquals(GUEST, ack.yiaddr());
        assertEquals(GUEST, renew.ipDestination()); // unicast to the address the client holds
        assertTrue(renew.event().contains("renewing 10.250.3.2 → ACK 10.250.3.2"), renew.event());

        DhcpServerLogic.Decision rebindBroadcast = logic.decide(CLIENT,
                DhcpCodec.decode(renewing("0afa0302", "8000")));
        assertEquals(BROADCAST, rebindBroadcast.ipDestination());
        assertEquals(DhcpMessage.FLAG_BROADCAST, rebindBroadcast.reply().orElseThrow().flags());
    }

    @Test
    void answersInformWithoutAddressOrLease() {
        DhcpServerLogic.Decision d = logic.decide(CLIENT, DhcpCodec.decode(
                DhcpWire.hex(DhcpWire.header("0000", "0afa0302") + "350108" + "ff")));
        DhcpMessage ack = d.reply().orElseThrow();
        assertEquals(DhcpMessage.ACK, ack.messageType().getAsInt());
        assertEquals(0, ack.yiaddr());
        assertEquals(GUEST, ack.ciaddr());
        assertFalse(ack.options().has(DhcpOptions.LEASE_TIME));
        assertFalse(ack.options().has(DhcpOptions.RENEWAL_TIME));
        assertTrue(ack.options().has(DhcpOptions.DNS));
        assertEquals(GUEST, d.ipDestination());
        assertFalse(d.leased());
    }

    @Test
    void recordsReleaseAndDeclineWithoutAnswering() {
        DhcpServerLogic.Decision release = logic.decide(CLIENT, DhcpCodec.decode(
                DhcpWire.hex(DhcpWire.header("0000", "0afa0302") + "350107" + "36040afa0301" + "ff")));
        assertTrue(release.reply().isEmpty());
        assertTrue(release.event().contains("RELEASE") && release.event().contains("released 10.250.3.2"),
                release.event());
        DhcpServerLogic.Decision decline = logic.decide(CLIENT, DhcpCodec.decode(DhcpWire.withOptions(
                "350104" + "32040afa0302" + "38" + "04" + DhcpWire.ascii("ARP\n") + "ff")));
        assertTrue(decline.reply().isEmpty());
        assertTrue(decline.event().contains("declined 10.250.3.2") && decline.event().contains("\"ARP\\x0a\""),
                decline.event());
    }

    @Test
    void ignoresOtherClientsRelaysBootpAndServerMessages() {
        byte[] other = DhcpWire.discover();
        other[28 + 5] = 0x57;
        assertIgnored(CLIENT, other, "not the expected client");
        assertIgnored(MacAddress.parse("52:54:00:99:99:99"), DhcpWire.discover(), "not the client's own");
        byte[] relayed = DhcpWire.discover();
        relayed[24] = (byte) 192;
        assertIgnored(CLIENT, relayed, "relayed via 192.0.0.0");
        assertIgnored(CLIENT, DhcpWire.withOptions("0c0161ff"), "BOOTP not served");
        assertIgnored(CLIENT, DhcpWire.withOptions("35020101ff"), "not one byte");
        assertIgnored(CLIENT, DhcpWire.withOptions("350102ff"), "OFFER");
        assertIgnored(CLIENT, DhcpWire.withOptions("350163ff"), "type 99");
        byte[] reply = DhcpWire.discover();
        reply[0] = 2;
        assertIgnored(CLIENT, reply, "BOOTREPLY");
    }

    private void assertIgnored(MacAddress ethernetSource, byte[] message, String why) {
        DhcpServerLogic.Decision d = logic.decide(ethernetSource, DhcpCodec.decode(message));
        assertTrue(d.reply().isEmpty(), d.event());
        assertTrue(d.event().contains(why), d.event());
    }

    private static byte[] renewing(String ciaddr, String flags) {
        return DhcpWire.hex(DhcpWire.header(flags, ciaddr) + "350103" + "ff");
    }

    private static int ip(String a) {
        return Ipv4Cidr.parse(a).network();
    }

    private static Inet4Address addr(String a) {
        try {
            return (Inet4Address) InetAddress.getByName(a);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
