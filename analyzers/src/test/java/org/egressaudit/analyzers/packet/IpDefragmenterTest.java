package org.egressaudit.analyzers.packet;

import org.egressaudit.analyzers.capture.LinkType;
import org.egressaudit.analyzers.capture.PacketRecord;
import org.egressaudit.analyzers.packet.DecodeStats.Reason;
import org.egressaudit.analyzers.testsupport.Frames;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reassembly through the decoder, as the pipeline uses it. */
class IpDefragmenterTest {
    static final String C4 = "10.0.0.2";
    static final String S4 = "192.0.2.10";
    static final String C6 = "2001:db8::2";
    static final String S6 = "2001:db8:1::10";

    PacketDecoder decoder = new PacketDecoder();
    final DecodedPacket out = new DecodedPacket();
    long index;
    long now = 1_000_000_000_000L;

    boolean feed(byte[] ipPacket) {
        return feed(ipPacket, ipPacket.length);
    }

    boolean feed(byte[] ipPacket, int origLen) {
        PacketRecord r = new PacketRecord();
        r.buffer = ByteBuffer.wrap(ipPacket);
        r.capturedLength = ipPacket.length;
        r.originalLength = origLen;
        r.linkType = LinkType.RAW;
        r.timestampNanos = now;
        r.index = index++;
        return decoder.decode(r, out);
    }

    /** Feeds all fragments; returns how many produced a packet (the last fed must be the one completing). */
    int feedAll(List<byte[]> frags) {
        int delivered = 0;
        for (byte[] f : frags) {
            if (feed(f)) {
                delivered++;
            }
        }
        return delivered;
    }

    byte[] payload() {
        byte[] p = new byte[out.payloadLength];
        out.payloadBuffer.get(out.payloadOffset, p);
        return p;
    }

    static byte[] data(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    byte[] udp4(int id, byte[] payload) {
        return Frames.ipv4(C4, S4, Frames.PROTO_UDP).id(id).build(Frames.udp(C4, 5000, S4, 53, payload));
    }

    @Test
    void ipv4InOrder() {
        byte[] d = data(3000);
        List<byte[]> frags = Frames.fragmentIpv4(udp4(7, d), 1480);
        assertEquals(3, frags.size());
        assertFalse(feed(frags.get(0)));
        assertFalse(feed(frags.get(1)));
        assertTrue(feed(frags.get(2)));
        assertTrue(out.reassembled);
        assertEquals(DecodedPacket.PROTO_UDP, out.protocol);
        assertEquals(5000, out.srcPort);
        assertEquals(53, out.dstPort);
        assertArrayEquals(d, payload());
        assertFalse(out.payloadTruncated);
        assertEquals(2, out.packetIndex);
        assertEquals(2, decoder.stats().failures(Reason.FRAGMENT_HELD));
        assertEquals(1, decoder.defragStats().reassembled());
        assertEquals(1, decoder.stats().reassembled());
        assertEquals(0, decoder.defragmenter().pendingDatagrams());
    }

    @Test
    void ipv4OutOfOrderEveryPermutationOfFour() {
        byte[] d = data(1000);
        List<byte[]> frags = Frames.fragmentIpv4(udp4(9, d), 256);
        assertEquals(4, frags.size());
        int[][] perms = permutations(4);
        for (int[] p : perms) {
            List<byte[]> ordered = new ArrayList<>();
            for (int i : p) {
                ordered.add(frags.get(i));
            }
            assertEquals(1, feedAll(ordered), Arrays.toString(p));
            assertArrayEquals(d, payload(), Arrays.toString(p));
        }
        assertEquals(24, decoder.defragStats().reassembled());
    }

    @Test
    void tcpInsideFragments() {
        byte[] d = data(2000);
        byte[] ip = Frames.ipv4(C4, S4, Frames.PROTO_TCP).id(3)
                .build(Frames.tcp(C4, 40000, S4, 80).seq(5).segment(d));
        List<byte[]> frags = new ArrayList<>(Frames.fragmentIpv4(ip, 600));
        Collections.reverse(frags);
        assertEquals(1, feedAll(frags));
        assertTrue(out.isTcp());
        assertEquals(5, out.tcpSeq);
        assertArrayEquals(d, payload());
    }

    @Test
    void consistentOverlapIsHarmless() {
        byte[] d = data(100);
        byte[] ip = udp4(11, d);
        List<byte[]> a = Frames.fragmentIpv4(ip, 48);
        List<byte[]> b = Frames.fragmentIpv4(ip, 64); // different boundaries, same bytes
        assertFalse(feed(a.get(0)));
        assertFalse(feed(b.get(0)));
        assertTrue(feed(b.get(1)));
        assertArrayEquals(d, payload());
        assertEquals(1, decoder.defragStats().overlapsConsistent());
        assertEquals(0, decoder.defragStats().overlapsConflicting());
    }

    @Test
    void disagreeingOverlapKeepsFirstCopyAndWarns() {
        byte[] good = data(64);
        byte[] evil = good.clone();
        Arrays.fill(evil, 20, 40, (byte) 'X');
        List<byte[]> first = Frames.fragmentIpv4(udp4(12, good), 32);
        List<byte[]> second = Frames.fragmentIpv4(udp4(12, evil), 32);
        // Second fragment (bytes 32..63 of the UDP datagram) arrives twice with different contents.
        assertFalse(feed(first.get(1)));
        assertFalse(feed(second.get(1)));
        assertTrue(feedAll(List.of(first.get(0), first.get(2))) == 1);
        assertArrayEquals(good, payload());
        assertEquals(1, decoder.defragStats().overlapsConflicting());
        String w = decoder.defragStats().warnings().get(0);
        assertTrue(w.contains("possible evasion") && w.contains("10.0.0.2 -> 192.0.2.10 id 12"), w);
    }

    @Test
    void disagreeingOverlapLaterWinsNothing() {
        // The evil copy comes first: first copy wins even if it is the attacker's.
        byte[] good = data(64);
        byte[] evil = good.clone();
        evil[3] ^= 1; // inside the first fragment (UDP header + data 0..23)
        List<byte[]> g = Frames.fragmentIpv4(udp4(13, good), 32);
        List<byte[]> e = Frames.fragmentIpv4(udp4(13, evil), 32);
        feed(e.get(0));
        feed(g.get(0));
        assertEquals(1, feedAll(List.of(g.get(1), g.get(2))));
        assertArrayEquals(evil, payload());
        assertEquals(1, decoder.defragStats().overlapsConflicting());
    }

    @Test
    void differentIdsAreDifferentDatagrams() {
        List<byte[]> a = Frames.fragmentIpv4(udp4(1, data(100)), 64);
        List<byte[]> b = Frames.fragmentIpv4(udp4(2, data(101)), 64);
        assertFalse(feed(a.get(0)));
        assertFalse(feed(b.get(0)));
        assertEquals(2, decoder.defragmenter().pendingDatagrams());
        assertTrue(feed(b.get(1)));
        assertArrayEquals(data(101), payload());
        assertTrue(feed(a.get(1)));
        assertArrayEquals(data(100), payload());
    }

    @Test
    void ipv6FragmentsWithExtensionHeaders() {
        byte[] d = data(3000);
        byte[] udp = Frames.udp(C6, 5000, S6, 443, d);
        // hop-by-hop is unfragmentable; destination options travel inside the fragmentable part.
        byte[] ip = Frames.ipv6(C6, S6, Frames.PROTO_UDP, udp, Frames.hopByHop(), Frames.destinationOptions());
        List<byte[]> frags = new ArrayList<>(Frames.fragmentIpv6(ip, 1, 1232, 0xCAFE));
        assertEquals(3, frags.size());
        Collections.swap(frags, 0, 2);
        assertEquals(1, feedAll(frags));
        assertTrue(out.reassembled);
        assertEquals(6, out.ipVersion);
        assertEquals(DecodedPacket.PROTO_UDP, out.protocol);
        assertEquals(443, out.dstPort);
        assertArrayEquals(d, payload());
        assertArrayEquals(Frames.addrLongs(C6), new long[] {out.srcHi, out.srcLo});
    }

    @Test
    void ipv6TcpFragments() {
        byte[] d = data(1500);
        byte[] ip = Frames.ipv6(C6, S6, Frames.PROTO_TCP, Frames.tcp(C6, 1, S6, 2).segment(d));
        assertEquals(1, feedAll(Frames.fragmentIpv6(ip, 0, 512, 1)));
        assertTrue(out.isTcp());
        assertArrayEquals(d, payload());
    }

    @Test
    void nestedFragmentHeaderIsRefused() {
        byte[] inner = Frames.ipv6(C6, S6, Frames.PROTO_UDP, Frames.udp(C6, 1, S6, 2, data(16)),
                Frames.fragmentHeader(8, true, 5));
        // Fragment the packet that already carries a fragment header: the reassembled part starts with one.
        assertEquals(0, feedAll(Frames.fragmentIpv6(inner, 0, 16, 77)));
        assertEquals(1, decoder.stats().failures(Reason.NESTED_FRAGMENT));
    }

    @Test
    void timeoutDropsIncompleteDatagram() {
        List<byte[]> a = Frames.fragmentIpv4(udp4(21, data(100)), 64);
        assertFalse(feed(a.get(0)));
        now += 61_000_000_000L;
        assertFalse(feed(a.get(1))); // arrives too late: a new, incomplete datagram
        assertEquals(1, decoder.defragStats().timedOut());
        decoder.finish();
        assertEquals(1, decoder.defragStats().incompleteAtEnd());
        assertEquals(0, decoder.defragmenter().pendingDatagrams());
    }

    @Test
    void incompleteAtEndIsCounted() {
        feed(Frames.fragmentIpv4(udp4(22, data(100)), 64).get(1));
        feed(Frames.fragmentIpv4(udp4(23, data(100)), 64).get(0));
        decoder.finish();
        assertEquals(2, decoder.defragStats().incompleteAtEnd());
        assertTrue(decoder.defragStats().warnings().get(0).contains("incomplete datagram at end of capture"));
    }

    @Test
    void oversizedDatagramIsRejected() {
        byte[] frag = Frames.ipv4(C4, S4, Frames.PROTO_UDP).id(30).fragmentOffset(65528).build(data(100));
        assertFalse(feed(frag));
        assertEquals(1, decoder.stats().failures(Reason.FRAGMENT_REJECTED));
        assertEquals(1, decoder.defragStats().oversized());
        assertEquals(0, decoder.defragmenter().pendingDatagrams());
    }

    @Test
    void tooManyFragmentsDropsDatagram() {
        decoder = new PacketDecoder(new IpDefragmenter(new DefragConfig(16, 65535, 1 << 20, 60_000_000_000L, 4, 20)));
        List<byte[]> frags = Frames.fragmentIpv4(udp4(31, data(100)), 16);
        int delivered = feedAll(frags);
        assertEquals(0, delivered);
        assertEquals(1, decoder.defragStats().tooManyFragments());
    }

    @Test
    void datagramLimitEvictsOldest() {
        decoder = new PacketDecoder(new IpDefragmenter(new DefragConfig(3, 65535, 1 << 20, 60_000_000_000L, 64, 20)));
        List<List<byte[]>> all = new ArrayList<>();
        for (int id = 0; id < 5; id++) {
            List<byte[]> f = Frames.fragmentIpv4(udp4(100 + id, data(50 + id)), 32);
            all.add(f);
            feed(f.get(0));
        }
        assertEquals(3, decoder.defragmenter().pendingDatagrams());
        assertEquals(2, decoder.defragStats().evicted());
        assertFalse(feed(all.get(0).get(1)), "oldest was evicted");
        assertTrue(feed(all.get(4).get(1)));
        assertArrayEquals(data(54), payload());
    }

    @Test
    void memoryLimitEvictsOldest() {
        decoder = new PacketDecoder(new IpDefragmenter(new DefragConfig(100, 65535, 70_000, 60_000_000_000L, 64, 20)));
        feed(Frames.ipv4(C4, S4, 17).id(1).moreFragments(true).fragmentOffset(60000).build(data(8)));
        feed(Frames.ipv4(C4, S4, 17).id(2).moreFragments(true).fragmentOffset(60000).build(data(8)));
        assertEquals(1, decoder.defragmenter().pendingDatagrams());
        assertEquals(1, decoder.defragStats().evicted());
    }

    @Test
    void conflictingLastFragmentsKeepTheFirstEnd() {
        byte[] d = data(64);
        List<byte[]> f = Frames.fragmentIpv4(udp4(40, d), 32);
        byte[] fakeLast = Frames.ipv4(C4, S4, Frames.PROTO_UDP).id(40).fragmentOffset(80).build(new byte[8]);
        feed(f.get(2));
        feed(fakeLast);
        assertEquals(1, feedAll(List.of(f.get(0), f.get(1))));
        assertArrayEquals(d, payload());
        assertTrue(decoder.defragStats().inconsistentLength() >= 1);
    }

    @Test
    void snappedFragmentGivesTruncatedDatagram() {
        byte[] d = data(200);
        List<byte[]> f = Frames.fragmentIpv4(udp4(50, d), 104);
        byte[] first = f.get(0);
        feed(Arrays.copyOf(first, 60), first.length);
        assertTrue(feed(f.get(1)));
        assertTrue(out.reassembled);
        assertTrue(out.payloadTruncated);
        assertEquals(1, decoder.defragStats().truncatedFragments());
    }

    @Test
    void emptyNonFinalFragmentIsRejected() {
        byte[] f = Frames.ipv4(C4, S4, 17).id(60).moreFragments(true).build(new byte[0]);
        assertFalse(feed(f));
        assertEquals(1, decoder.stats().failures(Reason.FRAGMENT_REJECTED));
    }

    private static int[][] permutations(int n) {
        List<int[]> out = new ArrayList<>();
        permute(new int[n], new boolean[n], 0, out);
        return out.toArray(new int[0][]);
    }

    private static void permute(int[] cur, boolean[] used, int k, List<int[]> out) {
        if (k == cur.length) {
            out.add(cur.clone());
            return;
        }
        for (int i = 0; i < cur.length; i++) {
            if (!used[i]) {
                used[i] = true;
                cur[k] = i;
                permute(cur, used, k + 1, out);
                used[i] = false;
            }
        }
    }
}
