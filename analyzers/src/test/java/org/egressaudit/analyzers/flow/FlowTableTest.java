package org.egressaudit.analyzers.flow;

import static org.egressaudit.analyzers.flow.Packets.ACK;
import static org.egressaudit.analyzers.flow.Packets.CLIENT;
import static org.egressaudit.analyzers.flow.Packets.FIN;
import static org.egressaudit.analyzers.flow.Packets.SERVER;
import static org.egressaudit.analyzers.flow.Packets.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.List;
import org.egressaudit.analyzers.packet.DecodedPacket;
import org.junit.jupiter.api.Test;

class FlowTableTest {
    private static final long MINUTE = 60_000_000_000L;
    private final RecordingFactory factory = new RecordingFactory();
    private FlowTable table = new FlowTable(factory);

    private RecordingFactory.Connection connectionFor(DecodedPacket first) {
        table.onPacket(first);
        return factory.connections.get(factory.connections.size() - 1);
    }

    @Test
    void synSenderIsTheClient() {
        RecordingFactory.Connection c = connectionFor(Packets.tcp(SERVER, 80, CLIENT, 40000, 5, 0, SYN, new byte[0], 1));
        assertTrue(c.handshakeSeen);
        assertEquals("tcp 203.0.113.5:80 -> 192.0.2.10:40000", c.key.toString(), "SYN sender is client even on port 80");
    }

    @Test
    void synAckReceiverIsTheClient() {
        RecordingFactory.Connection c = connectionFor(Packets.tcp(SERVER, 443, CLIENT, 50000, 5, 9, SYN | ACK,
                new byte[0], 1));
        assertTrue(c.handshakeSeen);
        assertEquals("tcp 192.0.2.10:50000 -> 203.0.113.5:443", c.key.toString());
        // The client's stream starts at the SYN+ACK's acknowledgement number.
        table.onPacket(Packets.tcp(CLIENT, 50000, SERVER, 443, 9, 6, ACK, Packets.bytes("hi"), 2));
        table.onPacket(Packets.tcp(CLIENT, 50000, SERVER, 443, 8, 6, ACK, Packets.bytes("x"), 3)); // before start
        table.finish(4);
        assertEquals("hi", c.c2s.text());
    }

    @Test
    void midStreamOrientationPrefersServicePortsThenTheLowerPort() {
        byte[] d = Packets.bytes("x");
        assertEquals(443, connectionFor(Packets.tcp(SERVER, 443, CLIENT, 50000, 1, 1, ACK, d, 1)).key.serverPort());
        assertEquals(8080, connectionFor(Packets.tcp(CLIENT, 40001, SERVER, 8080, 1, 1, ACK, d, 1)).key.serverPort());
        assertEquals(3128, connectionFor(Packets.tcp(SERVER, 3128, CLIENT, 1025, 1, 1, ACK, d, 1)).key.serverPort(),
                "a service port beats a lower unknown port");
        assertEquals(5000, connectionFor(Packets.tcp(CLIENT, 40002, SERVER, 5000, 1, 1, ACK, d, 1)).key.serverPort());
        assertEquals(5000, connectionFor(Packets.tcp(SERVER, 5000, CLIENT, 40003, 1, 1, ACK, d, 1)).key.serverPort());
        assertEquals(25, connectionFor(Packets.tcp(SERVER, 80, CLIENT, 25, 1, 1, ACK, d, 1)).key.serverPort(),
                "two service ports: the lower one");
        assertFalse(factory.connections.get(0).handshakeSeen);
    }

    @Test
    void pureAcksOfUnknownFlowsDoNotCreateConnections() {
        table.onPacket(Packets.tcp(CLIENT, 40000, SERVER, 80, 1, 1, ACK, new byte[0], 1));
        table.onPacket(Packets.tcp(CLIENT, 40000, SERVER, 80, 1, 1, Packets.RST, new byte[0], 2));
        table.onPacket(Packets.tcp(CLIENT, 40000, SERVER, 80, 1, 1, FIN | ACK, new byte[0], 3));
        assertTrue(factory.connections.isEmpty());
        assertEquals(3, table.stats().segmentsWithoutFlow());
    }

    @Test
    void udpServicePortIsTheServerElseTheFirstSender() {
        table.onPacket(Packets.udp(SERVER, 53, CLIENT, 53000, Packets.bytes("answer"), 1));
        table.onPacket(Packets.udp(CLIENT, 53000, SERVER, 53, Packets.bytes("query"), 2));
        table.onPacket(Packets.udp(SERVER, 41000, CLIENT, 40000, Packets.bytes("first"), 3));
        table.onPacket(Packets.udp(CLIENT, 40000, SERVER, 41000, Packets.bytes("second"), 4));
        assertEquals(List.of(
                "udp 192.0.2.10:53000 -> 203.0.113.5:53 SERVER_TO_CLIENT answer",
                "udp 192.0.2.10:53000 -> 203.0.113.5:53 CLIENT_TO_SERVER query",
                "udp 203.0.113.5:41000 -> 192.0.2.10:40000 CLIENT_TO_SERVER first",
                "udp 203.0.113.5:41000 -> 192.0.2.10:40000 SERVER_TO_CLIENT second"), factory.datagrams);
        assertEquals(2, table.stats().udpFlows());
    }

    @Test
    void icmpEchoRequestSenderIsTheClientWhicheverWayTheFlowStarted() {
        table.onPacket(Packets.icmp(SERVER, CLIENT, 0, new byte[4], 1)); // a reply seen first
        table.onPacket(Packets.icmp(CLIENT, SERVER, 8, new byte[4], 2));
        table.onPacket(Packets.icmp(SERVER, CLIENT, 8, new byte[4], 3)); // the other side pings back
        table.onPacket(Packets.icmp(CLIENT, SERVER, 0, new byte[4], 4));
        table.onPacket(Packets.icmp(SERVER, CLIENT, 3, new byte[4], 5)); // unreachable: flow orientation
        assertEquals(List.of(
                "icmp 192.0.2.10 -> 203.0.113.5 SERVER_TO_CLIENT type 0",
                "icmp 192.0.2.10 -> 203.0.113.5 CLIENT_TO_SERVER type 8",
                "icmp 203.0.113.5 -> 192.0.2.10 CLIENT_TO_SERVER type 8",
                "icmp 203.0.113.5 -> 192.0.2.10 SERVER_TO_CLIENT type 0",
                "icmp 192.0.2.10 -> 203.0.113.5 SERVER_TO_CLIENT type 3"), factory.datagrams);
        assertEquals(1, table.stats().icmpFlows());
    }

    @Test
    void ipv6FlowsAreKeyedOnBothLongs() {
        DecodedPacket a = Packets.tcp(0, 40000, 0, 443, 1, 1, ACK, Packets.bytes("one"), 1);
        a.ipVersion = 6;
        a.srcHi = 0x20010db800000000L;
        a.srcLo = 1;
        a.dstHi = 0x20010db800000001L;
        a.dstLo = 1;
        DecodedPacket b = Packets.tcp(0, 40000, 0, 443, 1, 1, ACK, Packets.bytes("two"), 2);
        b.ipVersion = 6;
        b.srcHi = 0x20010db800000002L; // differs only in the high long
        b.srcLo = 1;
        b.dstHi = 0x20010db800000001L;
        b.dstLo = 1;
        table.onPacket(a);
        table.onPacket(b);
        table.finish(3);
        assertEquals(2, factory.connections.size());
        assertEquals("tcp [2001:db8::1]:40000 -> [2001:db8:0:1::1]:443", factory.connections.get(0).key.toString());
    }

    @Test
    void twentyThousandConcurrentFlows() {
        int n = 20_000;
        Talk[] talks = new Talk[n];
        for (int i = 0; i < n; i++) {
            long client = Packets.ip4(198, 51, 100, 1 + i % 200);
            talks[i] = new Talk(table, client, 1024 + i, SERVER, 443, i * 7919L, i * 104729L).handshake();
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < n; i++) {
                talks[i].c(round * 8L, String.format("%08d", i));
            }
        }
        assertEquals(n, table.stats().concurrentFlows());
        for (int i = 0; i < n; i += 2) {
            talks[i].cFin(24);
            talks[i].sFin(0);
        }
        table.finish(talks[0].tick());
        assertEquals(n, factory.connections.size());
        for (int i = 0; i < n; i++) {
            RecordingFactory.Connection c = factory.connections.get(i);
            String id = String.format("%08d", i);
            assertEquals(id + id + id, c.c2s.text());
            assertEquals(i % 2 == 0 ? StreamEnd.FIN : StreamEnd.END_OF_CAPTURE, c.c2s.end);
            assertTrue(c.stats != null);
        }
        assertEquals(n, table.stats().concurrentFlowsMax());
        assertEquals(0, table.stats().concurrentFlows());
        assertEquals(n, factory.closesAtCaptureEnd, "every onClose before onCaptureEnd");
    }

    @Test
    void idleFlowsAreEndedWithTheirBufferedDataAndGaps() {
        Talk idle = new Talk(table, 10, 20).handshake();
        idle.c(0, "early").c(10, "late");
        Talk busy = new Talk(table, CLIENT, 40001, SERVER, 80, 30, 40).handshake();
        busy.ts = idle.ts + 9 * MINUTE;
        busy.c(0, "still here");
        RecordingFactory.Connection first = factory.connections.get(0);
        assertNull(first.c2s.end);
        busy.ts = idle.ts + 11 * MINUTE;
        busy.c(10, "!");
        assertEquals(List.of("data 0+5", "gap 5+5", "data 10+4", "end IDLE_TIMEOUT"), first.c2s.events);
        assertEquals(StreamEnd.IDLE_TIMEOUT, first.s2c.end);
        assertTrue(first.stats != null);
        assertNull(factory.connections.get(1).c2s.end);
        assertEquals(1, table.stats().idleEvictions());
        assertEquals(1, table.stats().concurrentFlows());
        assertEquals(0, table.outOfOrderBytesBuffered());
    }

    @Test
    void newSynAfterBothSidesClosedStartsANewConnection() {
        Talk t = new Talk(table, 1000, 2000).handshake();
        t.c(0, "first").cFin(5).sFin(0);
        t.sAck(6);
        assertTrue(factory.only().stats != null);
        t.c(0, "first"); // late retransmission of old data: ignored
        assertEquals(1, factory.connections.size());
        Talk again = new Talk(table, 1005 + 5000, 9000);
        again.ts = t.ts;
        again.handshake().c(0, "second");
        table.finish(again.tick());
        assertEquals(2, factory.connections.size());
        assertEquals("second", factory.connections.get(1).c2s.text());
        assertTrue(factory.connections.get(1).handshakeSeen);
        assertEquals(2, table.stats().lateSegmentsAfterClose(), "the final ACK and the old data");
    }

    @Test
    void retransmittedSynAfterARefusalIsNotANewConnection() {
        table.onPacket(Packets.tcp(CLIENT, 40000, SERVER, 81, 500, 0, SYN, new byte[0], 1));
        table.onPacket(Packets.tcp(SERVER, 81, CLIENT, 40000, 0, 501, Packets.RST | ACK, new byte[0], 2));
        assertTrue(factory.only().stats != null);
        table.onPacket(Packets.tcp(CLIENT, 40000, SERVER, 81, 500, 0, SYN, new byte[0], 3));
        assertEquals(1, factory.connections.size());
        table.onPacket(Packets.tcp(CLIENT, 40000, SERVER, 81, 90_000, 0, SYN, new byte[0], 4));
        assertEquals(2, factory.connections.size(), "a new ISN is a new connection");
    }

    @Test
    void newSynWithAFarIsnOnAnOpenConnectionIsPortReuse() {
        Talk t = new Talk(table, 1000, 2000).handshake();
        t.c(0, "old connection never closed").c(40, "buffered");
        t.send(Packets.tcp(CLIENT, 40000, SERVER, 80, 1000, 0, SYN, new byte[0], t.tick())); // same ISN: retransmission
        assertEquals(1, factory.connections.size());
        Talk next = new Talk(table, 3_000_000_000L, 77);
        next.ts = t.ts;
        next.handshake().c(0, "new");
        RecordingFactory.Connection old = factory.connections.get(0);
        assertEquals(StreamEnd.EVICTED, old.c2s.end);
        assertEquals("old connection never closed[gap 13]buffered", old.c2s.view.toString());
        assertTrue(old.stats != null);
        assertEquals("new", factory.connections.get(1).c2s.text());
        assertEquals(1, table.stats().portReuses());
    }

    @Test
    void fullTableEvictsTheLeastRecentlyActiveFlow() {
        table = new FlowTable(factory, ReassemblyConfig.DEFAULTS.withMaxFlows(3));
        Talk[] talks = new Talk[4];
        for (int i = 0; i < 3; i++) {
            talks[i] = new Talk(table, CLIENT, 40000 + i, SERVER, 80, i, i).handshake();
        }
        talks[0].c(0, "keeps flow 0 recent");
        talks[3] = new Talk(table, CLIENT, 40003, SERVER, 80, 3, 3).handshake();
        assertEquals(StreamEnd.EVICTED, factory.connections.get(1).c2s.end);
        assertNull(factory.connections.get(0).c2s.end);
        assertEquals(1, table.stats().capacityEvictions());
        assertEquals(3, table.stats().concurrentFlows());
    }

    @Test
    void inOrderSegmentsOnExistingFlowsAllocateAlmostNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        CountingFactory counting = new CountingFactory();
        FlowTable tab = new FlowTable(counting);
        int flows = 16;
        int segment = 512;
        DecodedPacket p = new DecodedPacket();
        p.ipVersion = 4;
        p.protocol = DecodedPacket.PROTO_TCP;
        p.vlanId = -1;
        p.payloadBuffer = ByteBuffer.allocate(segment + 20);
        p.payloadOffset = 20;
        p.payloadLength = segment;
        long[] next = new long[flows];
        long ts = 1;
        for (int f = 0; f < flows; f++) {
            fill(p, f, 0xFFFF_0000L + f, 0, SYN, ts++);
            tab.onPacket(p);
            next[f] = 0xFFFF_0001L + f;
        }
        p.payloadLength = segment;
        // Warm up: history rings reach their full size, JIT compiles the path.
        for (int i = 0; i < 200_000; i++) {
            int f = i % flows;
            fill(p, f, next[f], 1, ACK | Packets.PSH, ts++);
            tab.onPacket(p);
            next[f] = (next[f] + segment) & 0xFFFF_FFFFL;
        }
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < 100_000; i++) {
            int f = i % flows;
            fill(p, f, next[f], 1, ACK | Packets.PSH, ts++);
            tab.onPacket(p);
            next[f] = (next[f] + segment) & 0xFFFF_FFFFL;
        }
        long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertEquals(300_000L * segment, counting.bytes);
        assertEquals(0, counting.gaps);
        assertTrue(allocated < 1_000_000, "allocated " + allocated + " bytes for 100k in-order segments");
    }

    private static void fill(DecodedPacket p, int flow, long seq, long ack, int flags, long ts) {
        p.srcLo = CLIENT;
        p.dstLo = SERVER;
        p.srcPort = 40000 + flow;
        p.dstPort = 443;
        p.tcpSeq = seq;
        p.tcpAck = ack;
        p.tcpFlags = flags;
        p.timestampNanos = ts;
        p.packetIndex = ts;
        if ((flags & SYN) != 0) {
            p.payloadLength = 0;
        }
    }

    /** Counts without allocating, for the allocation test. */
    private static final class CountingFactory implements FlowHandlerFactory, TcpConnectionHandler, StreamListener {
        long bytes;
        long gaps;

        @Override
        public TcpConnectionHandler newTcpConnection(FlowKey key, long firstSeenNanos, boolean handshakeSeen) {
            return this;
        }

        @Override
        public void onUdpDatagram(FlowKey key, Direction direction, ByteBuffer buffer, int offset, int length,
                                  long timestampNanos) {
        }

        @Override
        public void onIcmp(FlowKey key, Direction direction, int type, int code, ByteBuffer buffer, int offset,
                           int length, long timestampNanos) {
        }

        @Override
        public void onCaptureEnd(long lastTimestampNanos) {
        }

        @Override
        public StreamListener clientToServer() {
            return this;
        }

        @Override
        public StreamListener serverToClient() {
            return this;
        }

        @Override
        public void onClose(TcpFlowStats stats) {
        }

        @Override
        public void onData(ByteBuffer buffer, int offset, int length, long streamOffset, long timestampNanos) {
            bytes += length;
        }

        @Override
        public void onGap(long streamOffset, long length, long timestampNanos) {
            gaps++;
        }

        @Override
        public void onEnd(StreamEnd end, long timestampNanos) {
        }
    }
}
