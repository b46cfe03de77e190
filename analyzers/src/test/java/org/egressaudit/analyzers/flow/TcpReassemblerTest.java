package org.egressaudit.analyzers.flow;

import static org.egressaudit.analyzers.flow.Packets.ACK;
import static org.egressaudit.analyzers.flow.Packets.FIN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.egressaudit.analyzers.packet.DecodedPacket;
import org.junit.jupiter.api.Test;

class TcpReassemblerTest {
    private final RecordingFactory factory = new RecordingFactory();
    private FlowTable table = new FlowTable(factory);

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void inOrderDeliveryPassesThePacketBufferWithoutCopying() {
        Talk t = new Talk(table, 1000, 5000).handshake();
        DecodedPacket p1 = t.clientPacket(0, Packets.bytes("GET / HTTP/1.1\r\n"), 0);
        t.send(p1);
        t.c(16, "Host: a.example\r\n\r\n");
        t.s(0, "HTTP/1.1 200 OK\r\n\r\n");
        t.cFin(35).sFin(19);
        t.sAck(36);
        t.clientAcks = 20;
        t.c(36, ""); // pure ACK of the server's FIN: nothing more to deliver
        table.finish(t.tick());

        RecordingFactory.Connection c = factory.only();
        assertTrue(c.handshakeSeen);
        assertEquals("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n", c.c2s.text());
        assertEquals("HTTP/1.1 200 OK\r\n\r\n", c.s2c.text());
        assertSame(p1.payloadBuffer, c.c2s.buffers.get(0), "in-order data must be the packet's own buffer");
        assertEquals(List.of("data 0+16", "data 16+19", "end FIN"), c.c2s.events);
        assertEquals(StreamEnd.FIN, c.s2c.end);
        assertEquals(35, c.stats.bytes()[0]);
        assertEquals(19, c.stats.bytes()[1]);
        assertEquals(0, c.stats.missingBytes()[0]);
        assertTrue(c.stats.overlapConflicts().isEmpty());
        assertEquals(1, factory.captureEnds);
    }

    @Test
    void outOfOrderSegmentsInEveryPermutationGiveTheSameStream() {
        String[] parts = {"alpha-", "bravo--", "c", "delta-delta"};
        long[] offsets = new long[parts.length];
        for (int i = 1; i < parts.length; i++) {
            offsets[i] = offsets[i - 1] + parts[i - 1].length();
        }
        for (int[] order : permutations(parts.length)) {
            RecordingFactory f = new RecordingFactory();
            FlowTable tab = new FlowTable(f);
            Talk t = new Talk(tab, 77, 99).handshake();
            for (int i : order) {
                t.c(offsets[i], parts[i]);
            }
            tab.finish(t.tick());
            RecordingFactory.Connection c = f.only();
            assertEquals("alpha-bravo--cdelta-delta", c.c2s.view.toString(), "order " + List.of(order));
            assertEquals(0, c.stats.missingBytes()[0]);
            assertEquals(0, c.stats.retransmittedBytes()[0]);
            assertEquals(0, tab.outOfOrderBytesBuffered());
        }
    }

    @Test
    void everySplitOfAMessageDeliveredBackwardsReassembles() {
        String msg = "POST /upload HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
        for (int a = 1; a < msg.length() - 1; a++) {
            for (int b = a + 1; b < msg.length(); b++) {
                RecordingFactory f = new RecordingFactory();
                FlowTable tab = new FlowTable(f);
                Talk t = new Talk(tab, 1, 2).handshake();
                t.c(b, msg.substring(b)).c(a, msg.substring(a, b)).c(0, msg.substring(0, a));
                tab.finish(t.tick());
                assertEquals(msg, f.only().c2s.view.toString(), "split " + a + "," + b);
            }
        }
    }

    @Test
    void identicalRetransmissionIsCountedNotAConflict() {
        Talk t = new Talk(table, 10, 20).handshake();
        t.c(0, "0123456789").c(0, "0123456789").c(5, "56789ABCDE");
        t.c(30, "UVWXYZ").c(30, "UVWXYZ"); // duplicate of a buffered out-of-order piece
        t.c(20, "KLMNOPQRST");
        t.c(15, "FGHIJ");
        table.finish(t.tick());
        RecordingFactory.Connection c = factory.only();
        assertEquals("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", c.c2s.view.toString());
        assertEquals(10 + 5 + 6, c.stats.retransmittedBytes()[0]);
        assertTrue(c.stats.overlapConflicts().isEmpty());
    }

    @Test
    void disagreeingCopyOfDeliveredBytesIsAConflictAndFirstCopyWins() {
        Talk t = new Talk(table, 10, 20).handshake();
        t.c(0, "user=alice&pass=secret");
        t.c(5, "mallory"); // same range as "alice&p", different bytes
        table.finish(t.tick());
        RecordingFactory.Connection c = factory.only();
        assertEquals("user=alice&pass=secret", c.c2s.text());
        assertEquals(1, c.stats.overlapConflicts().size());
        OverlapConflict oc = c.stats.overlapConflicts().get(0);
        assertEquals(Direction.CLIENT_TO_SERVER, oc.direction());
        assertEquals(5, oc.streamOffset());
        assertEquals("alice&p", str(oc.keptBytes()));
        assertEquals("mallory", str(oc.alternateBytes()));
    }

    @Test
    void disagreeingCopyOfBufferedBytesIsAConflictAndTheBufferedCopyWins() {
        Talk t = new Talk(table, 10, 20).handshake();
        t.c(0, "head-");
        t.c(10, "REAL-TAIL");           // buffered out of order (hole 5..10)
        t.c(10, "FAKE-TAIL");           // different copy of the buffered range
        t.c(5, "body-FAKE-");           // fills the hole and also overlaps the buffered "REAL-" with "FAKE-"
        table.finish(t.tick());
        RecordingFactory.Connection c = factory.only();
        assertEquals("head-body-REAL-TAIL", c.c2s.view.toString());
        List<OverlapConflict> conflicts = c.stats.overlapConflicts();
        assertEquals(2, conflicts.size());
        // Each conflict keeps both copies from the first differing byte to the end of the overlap.
        assertEquals(10, conflicts.get(0).streamOffset());
        assertEquals("REAL-TAIL", str(conflicts.get(0).keptBytes()));
        assertEquals("FAKE-TAIL", str(conflicts.get(0).alternateBytes()));
        assertEquals(10, conflicts.get(1).streamOffset());
        assertEquals("REAL-", str(conflicts.get(1).keptBytes()));
        assertEquals("FAKE-", str(conflicts.get(1).alternateBytes()));
        assertEquals(0, c.stats.retransmittedBytes()[0]);
    }

    @Test
    void partialOverlapsUseTheNewPartsAndCompareTheOverlappingParts() {
        Talk t = new Talk(table, 10, 20).handshake();
        t.c(0, "abcdef");
        t.c(4, "XYghij");        // overlaps delivered "ef" with "XY", extends with "ghij"
        t.c(14, "opq");          // buffered
        t.c(12, "mnOPqrs");      // overlaps buffered "opq" partially ("OP" differs, "q" same), new "mn" and "rs"
        t.c(10, "kl");
        table.finish(t.tick());
        RecordingFactory.Connection c = factory.only();
        assertEquals("abcdefghijklmnopqrs", c.c2s.view.toString());
        List<OverlapConflict> conflicts = c.stats.overlapConflicts();
        assertEquals(2, conflicts.size());
        assertEquals(4, conflicts.get(0).streamOffset());
        assertEquals("ef", str(conflicts.get(0).keptBytes()));
        assertEquals("XY", str(conflicts.get(0).alternateBytes()));
        assertEquals(14, conflicts.get(1).streamOffset());
        assertEquals("opq", str(conflicts.get(1).keptBytes()));
        assertEquals("OPq", str(conflicts.get(1).alternateBytes()));
    }

    @Test
    void keepAliveOneByteBelowExpectedIsNotAConflict() {
        Talk t = new Talk(table, 10, 20).handshake();
        t.c(0, "hello");
        t.c(4, "\0");  // keep-alive / zero-window probe with a garbage byte
        t.c(5, " world");
        table.finish(t.tick());
        RecordingFactory.Connection c = factory.only();
        assertEquals("hello world", c.c2s.text());
        assertTrue(c.stats.overlapConflicts().isEmpty());
        assertEquals(1, table.stats().keepAliveSegments());
    }

    @Test
    void sequenceNumbersWrapAroundTwoToThe32() {
        long isn = (1L << 32) - 100;
        Talk t = new Talk(table, isn, 3).handshake();
        byte[] data = new byte[10_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + i / 251);
        }
        // 1000-byte segments, pairs swapped so reordering happens around the wrap too.
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 10; i += 2) {
            order.add(i + 1);
            order.add(i);
        }
        for (int i : order) {
            byte[] seg = new byte[1000];
            System.arraycopy(data, i * 1000, seg, 0, 1000);
            t.send(t.clientPacket(i * 1000L, seg, 0));
        }
        t.cFin(10_000);
        RecordingFactory.Connection c = factory.only();
        assertArrayEquals(data, c.c2s.data.toByteArray());
        assertEquals(StreamEnd.FIN, c.c2s.end);
        assertEquals(List.of(), c.c2s.events.stream().filter(e -> e.startsWith("gap")).toList());
    }

    @Test
    void midStreamPickupStartsAtTheFirstByteSeenAndIgnoresEarlierBytes() {
        long seq = 123_456_789L;
        table.onPacket(Packets.tcp(Packets.CLIENT, 51000, Packets.SERVER, 443, seq, 9, ACK | Packets.PSH,
                Packets.bytes("middle-of-stream"), 1));
        table.onPacket(Packets.tcp(Packets.SERVER, 443, Packets.CLIENT, 51000, 9, seq + 16, ACK,
                Packets.bytes("reply"), 2));
        table.onPacket(Packets.tcp(Packets.CLIENT, 51000, Packets.SERVER, 443, seq - 6, 14, ACK,
                Packets.bytes("early-mid"), 3)); // 6 bytes before the pickup start, 3 overlapping
        table.onPacket(Packets.tcp(Packets.CLIENT, 51000, Packets.SERVER, 443, seq + 16, 14, ACK,
                Packets.bytes("-more"), 4));
        table.finish(5);
        RecordingFactory.Connection c = factory.only();
        assertFalse(c.handshakeSeen);
        assertEquals(51000, c.key.clientPort());
        assertEquals(443, c.key.serverPort());
        assertEquals("middle-of-stream-more", c.c2s.view.toString());
        assertEquals("reply", c.s2c.view.toString());
        assertEquals(6, table.stats().bytesBeforeStreamStart());
        assertEquals(3, c.stats.retransmittedBytes()[0]);
        assertEquals(StreamEnd.END_OF_CAPTURE, c.c2s.end);
        assertFalse(c.stats.handshakeSeen());
    }

    @Test
    void holeInTheMiddleIsReportedAsAGapNeverGlued() {
        Talk t = new Talk(table, 10, 20).handshake();
        t.c(0, "first").c(15, "third");
        table.finish(t.tick());
        RecordingFactory.Connection c = factory.only();
        assertEquals("first[gap 10]third", c.c2s.view.toString());
        assertEquals(List.of("data 0+5", "gap 5+10", "data 15+5", "end END_OF_CAPTURE"), c.c2s.events);
        assertEquals(10, c.stats.missingBytes()[0]);
    }

    @Test
    void finBeforeTheOutOfOrderDataArrivesWaitsForTheHole() {
        Talk t = new Talk(table, 10, 20).handshake();
        t.c(0, "aaaa").c(8, "cccc").cFin(12);
        assertEquals(null, factory.only().c2s.end, "the hole before the FIN can still be retransmitted");
        t.c(4, "bbbb");
        RecordingFactory.Connection c = factory.only();
        assertEquals(List.of("data 0+4", "data 4+4", "data 8+4", "end FIN"), c.c2s.events);
        assertEquals(0, c.stats == null ? 0 : 1);
    }

    @Test
    void finAcknowledgedByThePeerEndsTheDirectionWithAGapForTheHole() {
        Talk t = new Talk(table, 10, 20).handshake();
        t.c(0, "aaaa").c(8, "cccc").cFin(12);
        t.sAck(13); // the server has every byte and the FIN: the hole was just not captured
        RecordingFactory.Connection c = factory.only();
        assertEquals(List.of("data 0+4", "gap 4+4", "data 8+4", "end FIN"), c.c2s.events);
        t.c(4, "bbbb"); // too late: the direction has ended, nothing more is delivered
        t.c(12, "after-fin");
        assertEquals(4, c.c2s.events.size());
        assertEquals(9, table.stats().outOfOrderBytesTruncated(), "only the bytes after the FIN");
    }

    @Test
    void bytesAcknowledgedBeyondTheCaptureAreATrailingGap() {
        Talk t = new Talk(table, 10, 20).handshake();
        t.c(0, "seen");
        t.sAck(100); // the server got 100 bytes; the capture has 4
        table.finish(t.tick());
        RecordingFactory.Connection c = factory.only();
        assertEquals(List.of("data 0+4", "gap 4+96", "end END_OF_CAPTURE"), c.c2s.events);
        assertEquals(96, c.stats.missingBytes()[0]);
    }

    @Test
    void resetEndsBothDirectionsAndDeliversBufferedDataAfterAGap() {
        Talk t = new Talk(table, 10, 20).handshake();
        t.c(0, "aaaa").c(8, "cccc").s(0, "ok");
        t.sRst(2);
        RecordingFactory.Connection c = factory.only();
        assertEquals(List.of("data 0+4", "gap 4+4", "data 8+4", "end RST"), c.c2s.events);
        assertEquals(List.of("data 0+2", "end RST"), c.s2c.events);
        assertTrue(c.stats != null, "closed");
        assertEquals(0, table.outOfOrderBytesBuffered());
        table.finish(t.tick());
        assertEquals(1, factory.connections.size());
    }

    @Test
    void dataAfterAResetIsNotLostButStartsANewConnection() {
        Talk t = new Talk(table, 10, 20).handshake();
        t.c(0, "harmless");
        t.sRst(0); // e.g. a spoofed RST meant to blind the monitor
        t.c(8, "-exfiltrated");
        t.c(0, "harmless"); // a late copy of old data is not a new connection
        table.finish(t.tick());
        assertEquals(2, factory.connections.size());
        RecordingFactory.Connection second = factory.connections.get(1);
        assertFalse(second.handshakeSeen);
        assertEquals("-exfiltrated", second.c2s.text());
    }

    @Test
    void perDirectionCapSkipsTheHoleKeepsGoingAndRecordsTruncation() {
        long cap = 4096;
        table = new FlowTable(factory, ReassemblyConfig.DEFAULTS.withOutOfOrderCaps(cap, 1L << 30));
        Talk t = new Talk(table, 10, 20).handshake();
        t.c(0, "start");
        byte[] chunk = new byte[1000];
        java.util.Arrays.fill(chunk, (byte) 'x');
        for (int i = 0; i < 50; i++) { // 50 KB after a 95-byte hole
            t.send(t.clientPacket(100 + i * 1000L, chunk, 0));
            assertTrue(table.outOfOrderBytesBuffered() <= cap, "bounded: " + table.outOfOrderBytesBuffered());
        }
        t.c(5, "y".repeat(95)); // the hole's bytes, after the cap forced skipping them
        t.c(50_100, "end");
        table.finish(t.tick());
        RecordingFactory.Connection c = factory.only();
        assertEquals("gap 5+95", c.c2s.events.get(1));
        assertEquals(5 + 50_000 + 3, c.stats.bytes()[0]);
        assertEquals(95, c.stats.truncatedBytes()[0]);
        assertEquals(0, c.stats.missingBytes()[0], "the skipped bytes arrived: truncated, not missing");
        assertEquals(95, table.stats().outOfOrderBytesTruncated());
        assertEquals(1, table.stats().forcedGaps());
        assertTrue(table.stats().outOfOrderBytesPeak() <= cap);
    }

    @Test
    void globalCapBoundsMemoryAcrossFlows() {
        long global = 8192;
        table = new FlowTable(factory, ReassemblyConfig.DEFAULTS.withOutOfOrderCaps(1 << 20, global));
        byte[] chunk = new byte[500];
        List<Talk> talks = new ArrayList<>();
        for (int f = 0; f < 20; f++) {
            Talk t = new Talk(table, Packets.CLIENT, 40000 + f, Packets.SERVER, 80, 1000L * f, 7).handshake();
            talks.add(t);
            for (int i = 0; i < 10; i++) {
                t.send(t.clientPacket(10 + i * 500L, chunk, 0)); // each flow: 10-byte hole then 5000 bytes
                assertTrue(table.outOfOrderBytesBuffered() <= global);
            }
        }
        table.finish(talks.get(0).tick());
        assertTrue(table.stats().forcedGaps() > 0);
        for (RecordingFactory.Connection c : factory.connections) {
            assertEquals(5000, c.stats.bytes()[0], "every flow keeps going after its hole");
            assertEquals("gap 0+10", c.c2s.events.get(0));
        }
        assertEquals(0, table.outOfOrderBytesBuffered());
    }

    @Test
    void manyTinyOutOfOrderSegmentsAreChargedTheirOverhead() {
        long cap = 64 * 1024;
        table = new FlowTable(factory, ReassemblyConfig.DEFAULTS.withOutOfOrderCaps(cap, 1L << 30));
        Talk t = new Talk(table, 10, 20).handshake();
        for (int i = 0; i < 5000; i++) { // 1-byte segments with 1-byte holes between them
            t.c(2 + 2L * i, "z");
            assertTrue(table.outOfOrderBytesBuffered() <= cap);
        }
        assertTrue(table.stats().forcedGaps() > 0);
    }

    @Test
    void snapLengthCutPacketsGiveAGapAtOnce() {
        Talk t = new Talk(table, 10, 20).handshake();
        DecodedPacket cut = t.clientPacket(0, Packets.bytes("0123"), 0); // really 10 bytes on the wire
        cut.payloadTruncated = true;
        t.send(cut);
        t.c(10, "ABCD");
        RecordingFactory.Connection c = factory.only();
        assertEquals(List.of("data 0+4", "gap 4+6", "data 10+4"), c.c2s.events);
        assertEquals(0, table.outOfOrderBytesBuffered());
    }

    @Test
    void conflictsPerFlowAndBytesPerCopyAreBounded() {
        table = new FlowTable(factory, ReassemblyConfig.DEFAULTS.withOverlapConflictLimits(3, 4));
        Talk t = new Talk(table, 10, 20).handshake();
        t.c(0, "0123456789");
        for (int i = 0; i < 10; i++) {
            t.c(0, "abcdefghij");
        }
        table.finish(t.tick());
        RecordingFactory.Connection c = factory.only();
        assertEquals(3, c.stats.overlapConflicts().size());
        assertEquals("0123", str(c.stats.overlapConflicts().get(0).keptBytes()));
        assertEquals("abcd", str(c.stats.overlapConflicts().get(0).alternateBytes()));
        assertEquals(10, table.stats().overlapConflicts());
        assertEquals(7, table.stats().overlapConflictsNotKept());
    }

    @Test
    void bytesOlderThanTheKeptHistoryAreCountedAsNotCompared() {
        table = new FlowTable(factory, ReassemblyConfig.DEFAULTS.withRetransmitCheck(4096, 1 << 20));
        Talk t = new Talk(table, 10, 20).handshake();
        byte[] chunk = new byte[1000];
        for (int i = 0; i < 10; i++) {
            t.send(t.clientPacket(i * 1000L, chunk, 0));
        }
        t.c(0, "different"); // 10 KB back: no longer kept
        t.c(9000, "different"); // recent: compared
        table.finish(t.tick());
        assertEquals(9, table.stats().overlapBytesNotCompared());
        assertEquals(1, factory.only().stats.overlapConflicts().size());
    }

    @Test
    void dataAfterFinIsTruncatedNotDelivered() {
        Talk t = new Talk(table, 10, 20).handshake();
        t.c(0, "done");
        t.send(t.clientPacket(4, Packets.bytes(""), FIN));
        t.c(5, "sneaky");
        table.finish(t.tick());
        RecordingFactory.Connection c = factory.only();
        assertEquals("done", c.c2s.text());
        assertTrue(c.stats.truncatedBytes()[0] >= 6);
    }

    private static List<int[]> permutations(int n) {
        List<int[]> out = new ArrayList<>();
        permute(new int[n], new boolean[n], 0, out);
        return out;
    }

    private static void permute(int[] cur, boolean[] used, int depth, List<int[]> out) {
        if (depth == cur.length) {
            out.add(cur.clone());
            return;
        }
        for (int i = 0; i < cur.length; i++) {
            if (!used[i]) {
                used[i] = true;
                cur[depth] = i;
                permute(cur, used, depth + 1, out);
                used[i] = false;
            }
        }
    }
}
