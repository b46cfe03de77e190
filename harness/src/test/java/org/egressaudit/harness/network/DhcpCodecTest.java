package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class DhcpCodecTest {

    @Test
    void readsADhclientDiscover() {
        byte[] wire = DhcpWire.discover();
        assertEquals(300, wire.length);
        DhcpMessage m = DhcpCodec.decode(wire);
        assertEquals(DhcpMessage.BOOTREQUEST, m.op());
        assertEquals(DhcpWire.XID, m.xid());
        assertEquals(3, m.secs());
        assertFalse(m.broadcastFlag());
        assertEquals(0, m.ciaddr());
        assertEquals(MacAddress.parse(DhcpWire.CLIENT_MAC), m.clientMac());
        assertEquals(DhcpMessage.DISCOVER, m.messageType().getAsInt());
        assertEquals(Ipv4Cidr.parse("10.250.3.2").network(), m.options().u32(DhcpOptions.REQUESTED_ADDRESS).getAsInt());
        assertEquals("guest1", m.options().text(DhcpOptions.HOST_NAME).orElseThrow());
        assertEquals(13, m.options().get(DhcpOptions.PARAMETER_LIST).orElseThrow().length);
        assertEquals(List.of(53, 50, 12, 55), m.options().codes());
    }

    @Test
    void readsAUdhcpcSelectingRequestWithBroadcastFlag() {
        byte[] wire = DhcpWire.requestSelecting("0afa0302", "0afa0301");
        wire[10] = (byte) 0x80; // flags: broadcast
        DhcpMessage m = DhcpCodec.decode(wire);
        assertTrue(m.broadcastFlag());
        assertEquals(DhcpMessage.REQUEST, m.messageType().getAsInt());
        assertEquals(Ipv4Cidr.parse("10.250.3.1").network(), m.options().u32(DhcpOptions.SERVER_ID).getAsInt());
        assertEquals("udhcp 1.35.0", m.options().text(60).orElseThrow());
        assertEquals(576, DhcpCodec.uint16(m.options().get(DhcpOptions.MAX_MESSAGE_SIZE).orElseThrow(), 0));
    }

    @Test
    void rejectsTruncatedMessages() {
        byte[] wire = DhcpWire.discover();
        for (int len : new int[]{0, 1, 44, 235, 239}) {
            DhcpFormatException e = assertThrows(DhcpFormatException.class,
                    () -> DhcpCodec.decode(Arrays.copyOf(wire, len)));
            assertTrue(e.getMessage().startsWith("truncated: " + len + " bytes"), e.getMessage());
        }
        // cut inside the parameter list: its length byte claims more than is there
        int cut = DhcpCodec.OPTIONS_OFFSET + 3 + 6 + 8 + 5;
        DhcpFormatException e = assertThrows(DhcpFormatException.class,
                () -> DhcpCodec.decode(Arrays.copyOf(wire, cut)));
        assertTrue(e.getMessage().contains("option 55") && e.getMessage().contains("claims 13 bytes"), e.getMessage());
        // cut right after the options (no end): the options are not terminated
        e = assertThrows(DhcpFormatException.class,
                () -> DhcpCodec.decode(Arrays.copyOf(wire, DhcpCodec.OPTIONS_OFFSET + 3 + 6 + 8 + 15)));
        assertTrue(e.getMessage().contains("not terminated"), e.getMessage());
    }

    @Test
    void rejectsAnOptionRunningPastTheEnd() {
        assertThrows(DhcpFormatException.class, () -> DhcpCodec.decode(DhcpWire.withOptions("350101" + "0cff41")));
        DhcpFormatException e = assertThrows(DhcpFormatException.class,
                () -> DhcpCodec.decode(DhcpWire.withOptions("350101" + "0c")));
        assertTrue(e.getMessage().contains("no length byte"), e.getMessage());
    }

    @Test
    void rejectsAMissingCookieAndNonEthernetClients() {
        byte[] bootp = DhcpWire.discover();
        bootp[236] = 0;
        DhcpFormatException e = assertThrows(DhcpFormatException.class, () -> DhcpCodec.decode(bootp));
        assertTrue(e.getMessage().contains("no DHCP magic cookie (found 0x00825363)"), e.getMessage());
        byte[] tokenRing = DhcpWire.discover();
        tokenRing[1] = 6;
        assertThrows(DhcpFormatException.class, () -> DhcpCodec.decode(tokenRing));
        byte[] badOp = DhcpWire.discover();
        badOp[0] = 3;
        assertThrows(DhcpFormatException.class, () -> DhcpCodec.decode(badOp));
        assertThrows(DhcpFormatException.class, () -> DhcpCodec.decode(new byte[DhcpCodec.MAX_LENGTH + 1]));
    }

    @Test
    void skipsPadsAndIgnoresEverythingAfterEnd() {
        DhcpMessage m = DhcpCodec.decode(DhcpWire.withOptions(
                "0000" + "350101" + "00" + "3204c0000201" + "ff" + "3604deadbeef" + "0c"));
        assertEquals(List.of(53, 50), m.options().codes());
        assertEquals(0xc0000201, m.options().u32(DhcpOptions.REQUESTED_ADDRESS).getAsInt());
        // options made only of pads and the end option
        assertEquals(List.of(), DhcpCodec.decode(DhcpWire.withOptions("000000ff")).options().codes());
        // a zero-length option is legal
        assertEquals(0, DhcpCodec.decode(DhcpWire.withOptions("0c00ff")).options().get(12).orElseThrow().length);
    }

    @Test
    void concatenatesRepeatedOptionsAndReadsOverloadedFields() {
        DhcpMessage m = DhcpCodec.decode(DhcpWire.withOptions("0c03" + DhcpWire.ascii("gue") + "350101"
                + "0c03" + DhcpWire.ascii("st1") + "ff"));
        assertEquals("guest1", m.options().text(DhcpOptions.HOST_NAME).orElseThrow());

        byte[] overloaded = DhcpWire.withOptions("350103" + "340103" + "ff");
        // option 50 in the file field (offset 108), option 54 in sname (offset 44)
        System.arraycopy(DhcpWire.hex("32040afa0302ff"), 0, overloaded, 108, 7);
        System.arraycopy(DhcpWire.hex("36040afa0301ff"), 0, overloaded, 44, 7);
        DhcpMessage o = DhcpCodec.decode(overloaded);
        assertEquals(Ipv4Cidr.parse("10.250.3.2").network(), o.options().u32(DhcpOptions.REQUESTED_ADDRESS).getAsInt());
        assertEquals(Ipv4Cidr.parse("10.250.3.1").network(), o.options().u32(DhcpOptions.SERVER_ID).getAsInt());

        byte[] unterminated = DhcpWire.withOptions("350103" + "340101" + "ff");
        Arrays.fill(unterminated, 108, 236, (byte) 0x0c); // option 12 of length 12, repeated, never ending
        DhcpFormatException e = assertThrows(DhcpFormatException.class, () -> DhcpCodec.decode(unterminated));
        assertTrue(e.getMessage().contains("file field"), e.getMessage());
        assertThrows(DhcpFormatException.class, () -> DhcpCodec.decode(DhcpWire.withOptions("340104ff")));
        assertThrows(DhcpFormatException.class, () -> DhcpCodec.decode(DhcpWire.withOptions("34020101ff")));
    }

    @Test
    void encodesRepliesThatReadBackIdentically() {
        DhcpOptions options = DhcpOptions.builder()
                .u8(DhcpOptions.MESSAGE_TYPE, DhcpMessage.OFFER)
                .u32(DhcpOptions.SERVER_ID, 0x0afa0301)
                .text(DhcpOptions.DOMAIN_NAME, "sandbox.test")
                .add(43, new byte[300]) // split into 255 + 45 on the wire, joined when read
                .build();
        DhcpMessage offer = new DhcpMessage(DhcpMessage.BOOTREPLY, 0, DhcpWire.XID, 0, DhcpMessage.FLAG_BROADCAST,
                0, 0x0afa0302, 0, 0, MacAddress.parse(DhcpWire.CLIENT_MAC), options);
        byte[] wire = DhcpCodec.encode(offer);
        assertEquals(offer, DhcpCodec.decode(wire));
        assertEquals(0x0afa0302, DhcpCodec.int32(wire, 16));
        assertEquals(DhcpCodec.MAGIC_COOKIE, DhcpCodec.int32(wire, 236));
        assertArrayEquals(DhcpWire.hex("350102"), Arrays.copyOfRange(wire, 240, 243));

        byte[] small = DhcpCodec.encode(new DhcpMessage(DhcpMessage.BOOTREPLY, 0, 1, 0, 0, 0, 0, 0, 0,
                MacAddress.parse(DhcpWire.CLIENT_MAC), DhcpOptions.builder().u8(53, 6).build()));
        assertEquals(DhcpCodec.MIN_REPLY_LENGTH, small.length);
        assertEquals(0xff, small[243] & 0xff);
    }
}
