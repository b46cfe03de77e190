package org.egressaudit.analyzers.packet;

import org.egressaudit.analyzers.capture.LinkType;
import org.egressaudit.analyzers.capture.PacketRecord;
import org.egressaudit.analyzers.packet.DecodeStats.Reason;
import org.egressaudit.analyzers.testsupport.Frames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacketDecoderTest {
    static final String C4 = "10.0.0.2";
    static final String S4 = "192.0.2.10";
    static final String C6 = "2001:db8::2";
    static final String S6 = "2001:db8:1::10";
    static final byte[] DATA = "POST /upload HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);

    final PacketDecoder decoder = new PacketDecoder();
    final DecodedPacket out = new DecodedPacket();
    long index;

    /** Decodes a frame placed at a non-zero offset of a larger buffer, as a mapped capture would. */
    boolean decode(int linkType, byte[] frame, int origLen) {
        byte[] buf = new byte[frame.length + 13];
        Arrays.fill(buf, (byte) 0xEE);
        System.arraycopy(frame, 0, buf, 7, frame.length);
        PacketRecord r = new PacketRecord();
        r.buffer = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN); // decoder must not depend on the order
        r.offset = 7;
        r.capturedLength = frame.length;
        r.originalLength = origLen;
        r.linkType = linkType;
        r.timestampNanos = 1_000 + index;
        r.index = index++;
        r.fileOffset = 24 + index * 100;
        return decoder.decode(r, out);
    }

    boolean decode(int linkType, byte[] frame) {
        return decode(linkType, frame, frame.length);
    }

    byte[] payload() {
        byte[] p = new byte[out.payloadLength];
        out.payloadBuffer.get(out.payloadOffset, p);
        return p;
    }

    void assertTcp(String src, int sport, String dst, int dport, byte[] data) {
        assertEquals(Frames.isV6(src) ? 6 : 4, out.ipVersion);
        assertEquals(DecodedPacket.PROTO_TCP, out.protocol);
        long[] s = Frames.addrLongs(src);
        long[] d = Frames.addrLongs(dst);
        assertEquals(s[0], out.srcHi);
        assertEquals(s[1], out.srcLo);
        assertEquals(d[0], out.dstHi);
        assertEquals(d[1], out.dstLo);
        assertEquals(sport, out.srcPort);
        assertEquals(dport, out.dstPort);
        assertArrayEquals(data, payload());
        assertFalse(out.payloadTruncated);
        assertFalse(out.reassembled);
    }

    byte[] tcpIp(String src, String dst) {
        return Frames.tcp(src, 40000, dst, 80).seq(0xFFFFFFF0L).ack(77).flags(Frames.ACK | Frames.PSH).packet(DATA);
    }

    @ParameterizedTest
    @ValueSource(ints = {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL, LinkType.LOOP, LinkType.RAW})
    void everyLinkTypeCarriesIpv4AndIpv6(int linkType) {
        for (String[] ends : new String[][] {{C4, S4}, {C6, S6}}) {
            assertTrue(decode(linkType, Frames.encapsulate(linkType, tcpIp(ends[0], ends[1]))), decoder.stats().toString());
            assertTcp(ends[0], 40000, ends[1], 80, DATA);
            assertEquals(0xFFFFFFF0L, out.tcpSeq);
            assertEquals(77, out.tcpAck);
            assertEquals(Frames.ACK | Frames.PSH, out.tcpFlags);
            assertEquals(-1, out.vlanId);
        }
    }

    @Test
    void dedicatedIpv4AndIpv6LinkTypes() {
        assertTrue(decode(LinkType.IPV4, tcpIp(C4, S4)));
        assertTcp(C4, 40000, S4, 80, DATA);
        assertTrue(decode(LinkType.IPV6, tcpIp(C6, S6)));
        assertTcp(C6, 40000, S6, 80, DATA);
        assertFalse(decode(LinkType.IPV4, tcpIp(C6, S6)));
        assertEquals(1, decoder.stats().failures(Reason.BAD_IP_VERSION));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 10, 24, 28, 30})
    void nullLinkFamilyInEitherByteOrder(int family) {
        byte[] ip = family == 2 ? tcpIp(C4, S4) : tcpIp(C6, S6);
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            byte[] f = ByteBuffer.allocate(4 + ip.length).order(order).putInt(family).put(ip).array();
            assertTrue(decode(LinkType.NULL, f), order + " " + family);
            assertEquals(family == 2 ? 4 : 6, out.ipVersion);
        }
    }

    @Test
    void nullLinkUnknownFamilyIsNotIp() {
        byte[] f = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(17).array();
        assertFalse(decode(LinkType.NULL, f));
        assertEquals(1, decoder.stats().failures(Reason.NOT_IP));
    }

    @Test
    void vlanTagReportsVlanId() {
        assertTrue(decode(LinkType.ETHERNET, Frames.ethernet(tcpIp(C4, S4), Frames.vlan(42))));
        assertEquals(42, out.vlanId);
        assertTcp(C4, 40000, S4, 80, DATA);
    }

    @Test
    void qinqReportsOutermostVlan() {
        for (int tpid : new int[] {Frames.TPID_8021AD, Frames.TPID_QINQ_OLD, Frames.TPID_8021Q}) {
            byte[] f = Frames.ethernet(tcpIp(C6, S6), new Frames.Vlan(tpid, 3, 100), Frames.vlan(200));
            assertTrue(decode(LinkType.ETHERNET, f));
            assertEquals(100, out.vlanId);
            assertTcp(C6, 40000, S6, 80, DATA);
        }
    }

    @Test
    void tooManyVlanTags() {
        Frames.Vlan[] tags = new Frames.Vlan[PacketDecoder.MAX_VLAN_TAGS + 1];
        Arrays.fill(tags, Frames.vlan(1));
        assertFalse(decode(LinkType.ETHERNET, Frames.ethernet(tcpIp(C4, S4), tags)));
        assertEquals(1, decoder.stats().failures(Reason.TOO_MANY_VLAN_TAGS));
    }

    @Test
    void vlanTagCutOff() {
        byte[] f = Arrays.copyOf(Frames.ethernet(tcpIp(C4, S4), Frames.vlan(5)), 16);
        assertFalse(decode(LinkType.ETHERNET, f));
        assertEquals(1, decoder.stats().failures(Reason.LINK_HEADER_TRUNCATED));
    }

    @Test
    void ethernetPaddingIsNotPayload() {
        byte[] ip = Frames.tcp(C4, 1234, S4, 80).flags(Frames.ACK).packet(new byte[0]); // 40 bytes -> padded
        byte[] f = Frames.padEthernet(Frames.ethernet(ip));
        assertEquals(60, f.length);
        assertTrue(decode(LinkType.ETHERNET, f));
        assertEquals(0, out.payloadLength);
        assertFalse(out.payloadTruncated);
    }

    @Test
    void arpIsNotIpWithoutWarning() {
        byte[] f = Frames.ethernet("ff:ff:ff:ff:ff:ff", Frames.CLIENT_MAC, Frames.ETHERTYPE_ARP, new byte[28]);
        assertFalse(decode(LinkType.ETHERNET, f));
        assertEquals(1, decoder.stats().failures(Reason.NOT_IP));
        assertEquals(0, decoder.stats().warnings().size());
    }

    @Test
    void unsupportedLinkType() {
        assertFalse(decode(147, tcpIp(C4, S4)));
        assertEquals(1, decoder.stats().failures(Reason.UNSUPPORTED_LINK_TYPE));
        assertTrue(decoder.stats().warnings().get(0).contains("LINKTYPE_147"));
    }

    @Test
    void shortLinkHeaders() {
        for (int lt : new int[] {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL}) {
            assertFalse(decode(lt, new byte[3]));
        }
        assertEquals(4, decoder.stats().failures(Reason.LINK_HEADER_TRUNCATED));
    }

    @Test
    void udpIpv4AndIpv6() {
        byte[] dns = {0x12, 0x34, 1, 0, 0, 1};
        assertTrue(decode(LinkType.ETHERNET, Frames.ethUdp(C4, 5353, S4, 53, dns)));
        assertEquals(DecodedPacket.PROTO_UDP, out.protocol);
        assertEquals(5353, out.srcPort);
        assertEquals(53, out.dstPort);
        assertArrayEquals(dns, payload());
        assertTrue(decode(LinkType.ETHERNET, Frames.ethUdp(C6, 5353, S6, 443, dns)));
        assertArrayEquals(dns, payload());
        assertTrue(out.isUdp());
    }

    @Test
    void icmpEchoPayloadIncludesIdAndSequence() {
        byte[] icmp = Frames.icmpEcho(true, 0x1234, 7, new byte[] {9, 9});
        assertTrue(decode(LinkType.RAW, Frames.ipv4(C4, S4, Frames.PROTO_ICMP, icmp)));
        assertEquals(DecodedPacket.PROTO_ICMP, out.protocol);
        assertEquals(8, out.icmpType);
        assertEquals(0, out.icmpCode);
        assertArrayEquals(new byte[] {0x12, 0x34, 0, 7, 9, 9}, payload());
        byte[] icmp6 = Frames.icmpv6Echo(C6, S6, false, 1, 2, new byte[] {5});
        assertTrue(decode(LinkType.RAW, Frames.ipv6(C6, S6, Frames.PROTO_ICMPV6, icmp6)));
        assertEquals(129, out.icmpType);
        assertArrayEquals(new byte[] {0, 1, 0, 2, 5}, payload());
        assertTrue(out.isIcmp());
        assertEquals(0, out.tcpFlags);
    }

    @Test
    void ipv6ExtensionHeadersAreWalked() {
        byte[] tcp = Frames.tcp(C6, 40000, S6, 80).flags(Frames.ACK).segment(DATA);
        byte[] ip = Frames.ipv6(C6, S6, Frames.PROTO_TCP, tcp, Frames.hopByHop(), Frames.routing(),
                Frames.destinationOptions(), Frames.authenticationHeader(1, 2), Frames.extHeader(135, new byte[14]));
        assertTrue(decode(LinkType.ETHERNET, Frames.ethernet(ip)), decoder.stats().warnings().toString());
        assertTcp(C6, 40000, S6, 80, DATA);
    }

    @Test
    void ipv6AtomicFragmentIsAWholePacket() {
        byte[] tcp = Frames.tcp(C6, 40000, S6, 80).segment(DATA);
        byte[] ip = Frames.ipv6(C6, S6, Frames.PROTO_TCP, tcp, Frames.fragmentHeader(0, false, 99));
        assertTrue(decode(LinkType.RAW, ip));
        assertTcp(C6, 40000, S6, 80, DATA);
    }

    @Test
    void espAndNoNextHeaderAreOpaque() {
        byte[] esp = {0, 0, 0, 1, 0, 0, 0, 5, 42, 42};
        assertTrue(decode(LinkType.RAW, Frames.ipv6(C6, S6, 50, esp, Frames.hopByHop())));
        assertEquals(50, out.protocol);
        assertEquals(0, out.srcPort);
        assertArrayEquals(esp, payload());
        assertTrue(decode(LinkType.RAW, Frames.ipv6(C6, S6, 59, new byte[0])));
        assertEquals(59, out.protocol);
        assertEquals(0, out.payloadLength);
        assertTrue(decode(LinkType.RAW, Frames.ipv4(C4, S4, 47, new byte[] {1, 2, 3, 4})));
        assertEquals(47, out.protocol);
        assertEquals(3, decoder.stats().anomalies(DecodeStats.Anomaly.OPAQUE_TRANSPORT));
    }

    @Test
    void truncatedExtensionHeader() {
        byte[] ip = Frames.ipv6(C6, S6, Frames.PROTO_TCP, new byte[0], Frames.extHeader(60, new byte[30]));
        ip[41] = 10; // claims 88 bytes
        assertFalse(decode(LinkType.RAW, ip));
        assertEquals(1, decoder.stats().failures(Reason.EXTENSION_HEADER_TRUNCATED));
    }

    @Test
    void tooManyExtensionHeaders() {
        Frames.ExtHeader[] ext = new Frames.ExtHeader[PacketDecoder.MAX_EXTENSION_HEADERS + 2];
        Arrays.fill(ext, Frames.destinationOptions());
        assertFalse(decode(LinkType.RAW, Frames.ipv6(C6, S6, Frames.PROTO_UDP, Frames.udp(C6, 1, S6, 2, new byte[0]), ext)));
        assertEquals(1, decoder.stats().failures(Reason.TOO_MANY_EXTENSION_HEADERS));
    }

    @Test
    void ipv4OptionsAreSkipped() {
        byte[] tcp = Frames.tcp(C4, 40000, S4, 80).segment(DATA);
        byte[] ip = Frames.ipv4(C4, S4, Frames.PROTO_TCP).options(new byte[] {1, 1, 1, 1, 1, 1, 1, 0}).build(tcp);
        assertTrue(decode(LinkType.RAW, ip));
        assertTcp(C4, 40000, S4, 80, DATA);
    }

    @Test
    void tcpOptionsAreSkipped() {
        byte[] ip = Frames.tcp(C4, 40000, S4, 80).mssOption(1460).flags(Frames.SYN).packet(new byte[0]);
        assertTrue(decode(LinkType.RAW, ip));
        assertEquals(Frames.SYN, out.tcpFlags);
        assertEquals(0, out.payloadLength);
    }

    @Test
    void snapLengthTruncationIsFlagged() {
        byte[] big = new byte[1000];
        Arrays.fill(big, (byte) 'A');
        byte[] f = Frames.ethernet(Frames.tcp(C4, 40000, S4, 80).packet(big));
        byte[] snapped = Arrays.copyOf(f, 96);
        assertTrue(decode(LinkType.ETHERNET, snapped, f.length));
        assertTrue(out.payloadTruncated);
        assertEquals(96 - 14 - 40, out.payloadLength);
        assertEquals(1, decoder.stats().truncatedPayloads());
        // A snap that cuts inside the TCP header is not decodable.
        assertFalse(decode(LinkType.ETHERNET, Arrays.copyOf(f, 14 + 20 + 10), f.length));
        assertEquals(1, decoder.stats().failures(Reason.TRANSPORT_HEADER_TRUNCATED));
    }

    @Test
    void udpSnappedPayloadIsFlagged() {
        byte[] f = Frames.ethUdp(C4, 1, S4, 2, new byte[500]);
        assertTrue(decode(LinkType.ETHERNET, Arrays.copyOf(f, 100), f.length));
        assertTrue(out.payloadTruncated);
        assertEquals(100 - 14 - 28, out.payloadLength);
    }

    @Test
    void ipv4LengthBeyondUnsnappedFrameIsAnAnomaly() {
        byte[] ip = tcpIp(C4, S4);
        ip[2] = 0x05; // total length 1280+ but the frame is whole
        Frames.fixIpv4Checksum(ip);
        assertTrue(decode(LinkType.RAW, ip));
        assertTrue(out.payloadTruncated);
        assertEquals(1, decoder.stats().anomalies(DecodeStats.Anomaly.IP_LENGTH_EXCEEDS_FRAME));
        assertTrue(decoder.stats().warnings().get(0).startsWith("packet 0 (offset "), decoder.stats().warnings().toString());
    }

    @Test
    void ipv4TotalLengthZeroUsesCapture() {
        byte[] ip = tcpIp(C4, S4);
        ip[2] = 0;
        ip[3] = 0;
        assertTrue(decode(LinkType.RAW, ip));
        assertArrayEquals(DATA, payload());
        assertEquals(1, decoder.stats().anomalies(DecodeStats.Anomaly.IP_LENGTH_ZERO));
    }

    @Test
    void badIpv4HeaderLength() {
        byte[] ip = tcpIp(C4, S4);
        ip[0] = 0x44;
        assertFalse(decode(LinkType.RAW, ip));
        assertEquals(1, decoder.stats().failures(Reason.BAD_IPV4_HEADER));
    }

    @Test
    void ipv4TotalLengthBelowHeader() {
        byte[] ip = tcpIp(C4, S4);
        ip[2] = 0;
        ip[3] = 10;
        assertFalse(decode(LinkType.RAW, ip));
        assertEquals(1, decoder.stats().failures(Reason.BAD_IPV4_HEADER));
    }

    @Test
    void truncatedIpHeaders() {
        assertFalse(decode(LinkType.RAW, Arrays.copyOf(tcpIp(C4, S4), 19)));
        assertEquals(1, decoder.stats().failures(Reason.IPV4_HEADER_TRUNCATED));
        assertFalse(decode(LinkType.RAW, Arrays.copyOf(tcpIp(C6, S6), 39)));
        assertEquals(1, decoder.stats().failures(Reason.IPV6_HEADER_TRUNCATED));
        assertFalse(decode(LinkType.ETHERNET, Frames.ethernet(Frames.SERVER_MAC, Frames.CLIENT_MAC, Frames.ETHERTYPE_IPV4, new byte[0])));
        assertEquals(2, decoder.stats().failures(Reason.IPV4_HEADER_TRUNCATED));
    }

    @Test
    void badTcpDataOffset() {
        byte[] ip = tcpIp(C4, S4);
        ip[20 + 12] = 0x40; // 16 bytes
        assertFalse(decode(LinkType.RAW, ip));
        ip[20 + 12] = (byte) 0xF0; // 60 bytes, more than the segment
        assertFalse(decode(LinkType.RAW, ip));
        assertEquals(2, decoder.stats().failures(Reason.BAD_TCP_DATA_OFFSET));
    }

    @Test
    void badUdpLength() {
        byte[] ip = Frames.ipv4(C4, S4, Frames.PROTO_UDP, Frames.udp(C4, 1, S4, 2, new byte[10]));
        ip[20 + 4] = 0;
        ip[20 + 5] = 4;
        assertFalse(decode(LinkType.RAW, ip));
        assertEquals(1, decoder.stats().failures(Reason.BAD_UDP_LENGTH));
    }

    @Test
    void udpLengthBeyondIpIsClampedAndCounted() {
        byte[] ip = Frames.ipv4(C4, S4, Frames.PROTO_UDP, Frames.udp(C4, 1, S4, 2, new byte[10]));
        ip[20 + 4] = 1; // 256+
        assertTrue(decode(LinkType.RAW, ip));
        assertEquals(10, out.payloadLength);
        assertEquals(1, decoder.stats().anomalies(DecodeStats.Anomaly.UDP_LENGTH_EXCEEDS_IP));
    }

    @Test
    void udpLengthShorterThanIpPayloadEndsThePayload() {
        byte[] ip = Frames.ipv4(C4, S4, Frames.PROTO_UDP, Frames.udp(C4, 1, S4, 2, new byte[10]));
        ip[20 + 5] = 12; // UDP says 4 bytes of data
        assertTrue(decode(LinkType.RAW, ip));
        assertEquals(4, out.payloadLength);
    }

    @Test
    void everyFieldIsResetBetweenPackets() {
        assertTrue(decode(LinkType.ETHERNET, Frames.ethernet(tcpIp(C6, S6), Frames.vlan(9))));
        assertTrue(decode(LinkType.RAW, Frames.ipv4(C4, S4, Frames.PROTO_ICMP, Frames.icmpEcho(true, 1, 1, new byte[0]))));
        assertEquals(-1, out.vlanId);
        assertEquals(0, out.srcHi);
        assertEquals(0, out.srcPort);
        assertEquals(0, out.tcpSeq);
        assertEquals(0, out.tcpFlags);
        assertEquals(1, out.packetIndex);
        assertEquals(1_001, out.timestampNanos);
        assertTrue(decode(LinkType.RAW, tcpIp(C4, S4)));
        assertEquals(-1, out.icmpType);
        assertEquals(3, decoder.stats().decoded());
    }

    @Test
    void warningsAreBounded() {
        for (int i = 0; i < 100; i++) {
            decode(147, new byte[10]);
        }
        assertEquals(100, decoder.stats().failures(Reason.UNSUPPORTED_LINK_TYPE));
        assertEquals(20, decoder.stats().warnings().size());
    }
}
