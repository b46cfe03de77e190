package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.UdpPacket;

class DhcpFramesTest {
    private static final MacAddress SERVER = MacAddress.parse("02:ea:00:00:00:01");
    private static final MacAddress CLIENT = MacAddress.parse(DhcpWire.CLIENT_MAC);

    @Test
    void builtFramesHaveChecksumsAnIndependentParserAccepts() throws Exception {
        byte[] payload = DhcpWire.discover();
        for (int len : new int[]{payload.length, payload.length - 1}) { // even and odd UDP lengths
            byte[] p = Arrays.copyOf(payload, len);
            int src = Ipv4Cidr.parse("10.250.3.1").network();
            byte[] frame = DhcpFrames.build(SERVER, CLIENT, src, 0xffffffff, 67, 68, p, 7);

            EthernetPacket eth = EthernetPacket.newPacket(frame, 0, frame.length);
            assertEquals(CLIENT.toString(), eth.getHeader().getDstAddr().toString());
            assertEquals(SERVER.toString(), eth.getHeader().getSrcAddr().toString());
            IpV4Packet ip = eth.get(IpV4Packet.class);
            assertTrue(ip.getHeader().hasValidChecksum(false), "IPv4 header checksum");
            assertEquals(InetAddress.getByName("10.250.3.1"), ip.getHeader().getSrcAddr());
            assertEquals(InetAddress.getByName("255.255.255.255"), ip.getHeader().getDstAddr());
            UdpPacket udp = ip.get(UdpPacket.class);
            assertTrue(udp.hasValidChecksum(ip.getHeader().getSrcAddr(), ip.getHeader().getDstAddr(), false),
                    "UDP checksum");
            assertEquals(67, udp.getHeader().getSrcPort().valueAsInt());
            assertEquals(68, udp.getHeader().getDstPort().valueAsInt());
            assertArrayEquals(p, udp.getPayload().getRawData());

            DhcpFrames.Datagram d = DhcpFrames.parse(frame);
            assertEquals(SERVER, d.ethernetSource());
            assertEquals(CLIENT, d.ethernetDestination());
            assertEquals(src, d.ipSource());
            assertEquals(68, d.destinationPort());
            assertArrayEquals(p, d.payload());
        }
    }

    @Test
    void checksumMatchesTheRfc1071Example() {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, so the checksum is 220d
        assertEquals(0x220d, DhcpFrames.checksum(DhcpWire.hex("0001f203f4f5f6f7"), 0, 8, 0));
    }

    @Test
    void readsPaddedFramesByTheIpAndUdpLengths() {
        byte[] frame = DhcpFrames.build(CLIENT, MacAddress.BROADCAST, 0, 0xffffffff, 68, 67, new byte[]{1, 2, 3}, 1);
        byte[] padded = Arrays.copyOf(frame, 60); // Ethernet minimum frame: trailing zeros
        assertArrayEquals(new byte[]{1, 2, 3}, DhcpFrames.parse(padded).payload());
    }

    @Test
    void rejectsWhatIsNotAnUnfragmentedIpv4UdpFrame() {
        byte[] good = DhcpFrames.build(CLIENT, MacAddress.BROADCAST, 0, 0xffffffff, 68, 67, DhcpWire.discover(), 1);
        assertRejected(Arrays.copyOf(good, 41), "too short");
        assertRejected(Arrays.copyOf(good, 100), "does not fit the frame");
        byte[] vlan = good.clone();
        vlan[12] = (byte) 0x81;
        vlan[13] = 0;
        assertRejected(vlan, "not IPv4");
        byte[] v6 = good.clone();
        v6[14] = 0x65;
        assertRejected(v6, "version 6");
        byte[] shortHeader = good.clone();
        shortHeader[14] = 0x44;
        assertRejected(shortHeader, "header length 16");
        byte[] fragment = good.clone();
        fragment[14 + 6] = 0x20; // more fragments
        assertRejected(fragment, "fragmented");
        byte[] offset = good.clone();
        offset[14 + 7] = 1;
        assertRejected(offset, "fragmented");
        byte[] tcp = good.clone();
        tcp[14 + 9] = 6;
        assertRejected(tcp, "not UDP");
        byte[] udpTooLong = good.clone();
        udpTooLong[14 + 20 + 4] = (byte) 0xff;
        assertRejected(udpTooLong, "UDP length");
        byte[] udpTooShort = good.clone();
        udpTooShort[14 + 20 + 4] = 0;
        udpTooShort[14 + 20 + 5] = 7;
        assertRejected(udpTooShort, "UDP length 7");
    }

    private static void assertRejected(byte[] frame, String why) {
        DhcpFormatException e = assertThrows(DhcpFormatException.class, () -> DhcpFrames.parse(frame));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
