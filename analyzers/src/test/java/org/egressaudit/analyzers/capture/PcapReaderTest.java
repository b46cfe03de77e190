package org.egressaudit.analyzers.capture;

import org.egressaudit.analyzers.capture.CaptureTestSupport.Packet;
import org.egressaudit.analyzers.testsupport.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.egressaudit.analyzers.capture.CaptureTestSupport.frame;
import static org.egressaudit.analyzers.capture.CaptureTestSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcapReaderTest {
    private static final long T0 = 1_700_000_000_123_456_789L;

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"LITTLE_ENDIAN,false", "LITTLE_ENDIAN,true", "BIG_ENDIAN,false", "BIG_ENDIAN,true"})
    void readsBothByteOrdersAndResolutions(String order, boolean nanos) throws IOException {
        ByteOrder bo = order.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        Path f = dir.resolve("a.pcap");
        try (PcapWriter w = new PcapWriter(f, bo, nanos, LinkType.LINUX_SLL, 65535)) {
            w.write(T0, frame(60, 1));
            w.write(T0 + 1_000, frame(1514, 2));
            w.write(T0 + 2_000_000_000L, frame(1, 3));
        }
        try (CaptureReader r = CaptureReaders.open(f)) {
            assertTrue(r instanceof PcapReader);
            assertTrue(r.formatDescription().contains(nanos ? "nanoseconds" : "microseconds"), r.formatDescription());
            assertTrue(r.formatDescription().contains(bo == ByteOrder.BIG_ENDIAN ? "big-endian" : "little-endian"));
            List<Packet> p = readAll(r);
            assertEquals(3, p.size());
            long precision = nanos ? 1 : 1000;
            assertEquals(T0 / precision * precision, p.get(0).ts());
            assertEquals((T0 + 1_000) / precision * precision, p.get(1).ts());
            assertEquals((T0 + 2_000_000_000L) / precision * precision, p.get(2).ts());
            assertArrayEquals(frame(1514, 2), p.get(1).data());
            assertEquals(LinkType.LINUX_SLL, p.get(0).linkType());
            assertEquals(24, p.get(0).fileOffset());
            assertEquals(24 + 16 + 60, p.get(1).fileOffset());
            assertEquals(2, p.get(2).index());
            assertEquals(Files.size(f), r.bytesRead());
            assertEquals(List.of(), r.warnings());
        }
    }

    @Test
    void snapLengthKeepsOriginalLength() throws IOException {
        Path f = dir.resolve("snap.pcap");
        try (PcapWriter w = new PcapWriter(f, ByteOrder.LITTLE_ENDIAN, false, LinkType.ETHERNET, 96)) {
            w.write(T0, frame(1500, 0));
        }
        List<Packet> p = readAll(f, CaptureReaderConfig.DEFAULT_WINDOW_BYTES);
        assertEquals(96, p.get(0).capLen());
        assertEquals(1500, p.get(0).origLen());
    }

    @Test
    void originalLengthBelowCapturedIsRaisedToCaptured() throws IOException {
        Path f = dir.resolve("orig.pcap");
        try (PcapWriter w = new PcapWriter(f)) {
            byte[] fr = frame(100, 0);
            w.write(T0, fr, 0, 100, 0);
        }
        assertEquals(100, readAll(f, 1 << 20).get(0).origLen());
    }

    @Test
    void truncatedTailKeepsEarlierPackets() throws IOException {
        Path f = dir.resolve("trunc.pcap");
        try (PcapWriter w = new PcapWriter(f)) {
            w.write(T0, frame(100, 0));
            w.write(T0 + 1, frame(100, 1));
            w.writeRecordHeader(T0 + 2, 100, 100);
            w.writeRaw(new byte[40]);
        }
        try (CaptureReader r = CaptureReaders.open(f)) {
            assertEquals(2, readAll(r).size());
            assertEquals(1, r.warnings().size());
            String w = r.warnings().get(0);
            assertTrue(w.contains("truncated record at offset " + (24 + 2 * 116)), w);
            assertTrue(w.contains(f.toString()), w);
            assertEquals(24 + 2 * 116, r.bytesRead());
        }
    }

    @Test
    void truncatedRecordHeaderIsAWarning() throws IOException {
        Path f = dir.resolve("trunch.pcap");
        try (PcapWriter w = new PcapWriter(f)) {
            w.write(T0, frame(100, 0));
            w.writeRaw(new byte[7]);
        }
        try (CaptureReader r = CaptureReaders.open(f)) {
            assertEquals(1, readAll(r).size());
            assertTrue(r.warnings().get(0).contains("truncated record header at offset 140"), r.warnings().toString());
        }
    }

    @Test
    void corruptRecordLengthStopsWithWarning() throws IOException {
        Path f = dir.resolve("corrupt.pcap");
        try (PcapWriter w = new PcapWriter(f)) {
            w.write(T0, frame(100, 0));
            w.writeRecordHeader(T0 + 1, 0x7FFF0000, 100);
            w.writeRaw(new byte[10_000]);
            w.write(T0 + 2, frame(100, 1));
        }
        try (CaptureReader r = CaptureReaders.open(f)) {
            assertEquals(1, readAll(r).size());
            assertEquals(1, r.warningCount());
            assertTrue(r.warnings().get(0).contains("corrupt record at offset 140"), r.warnings().toString());
        }
    }

    @Test
    void negativeRecordLengthIsCorruption() throws IOException {
        Path f = dir.resolve("neg.pcap");
        try (PcapWriter w = new PcapWriter(f)) {
            w.writeRecordHeader(T0, -5, 100);
            w.writeRaw(new byte[100]);
        }
        try (CaptureReader r = CaptureReaders.open(f)) {
            assertEquals(0, readAll(r).size());
            assertTrue(r.warnings().get(0).contains("corrupt record at offset 24"));
        }
    }

    @Test
    void tinyWindowsGiveIdenticalResults() throws IOException {
        Path f = dir.resolve("win.pcap");
        try (PcapWriter w = new PcapWriter(f)) {
            for (int i = 0; i < 300; i++) {
                w.write(T0 + i * 1000L, frame(1 + (i * 37) % 400, i));
            }
        }
        List<Packet> huge = readAll(f, CaptureReaderConfig.DEFAULT_WINDOW_BYTES);
        assertEquals(300, huge.size());
        for (int window : new int[] {64, 100, 333, 4096}) {
            assertEquals(huge, readAll(f, window), "window " + window);
        }
    }

    @Test
    void headerOnlyFileHasNoPackets() throws IOException {
        Path f = dir.resolve("empty.pcap");
        new PcapWriter(f).close();
        try (CaptureReader r = CaptureReaders.open(f)) {
            assertEquals(0, readAll(r).size());
            assertEquals(List.of(), r.warnings());
        }
    }

    @Test
    void unknownLinkTypeIsWarnedOnce() throws IOException {
        Path f = dir.resolve("lt.pcap");
        try (PcapWriter w = new PcapWriter(f, 147)) {
            w.write(T0, frame(10, 0));
        }
        try (CaptureReader r = CaptureReaders.open(f)) {
            List<Packet> p = readAll(r);
            assertEquals(147, p.get(0).linkType());
            assertEquals(1, r.warnings().size());
            assertTrue(r.warnings().get(0).contains("link type 147"));
        }
    }

    @Test
    void modifiedPcapRecordsAreRead() throws IOException {
        // Kuznetzov's format: magic a1b2cd34 and 8 extra bytes per record header.
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24 + 24 + 5).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2cd34).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        b.putInt(10).putInt(20).putInt(5).putInt(5).putInt(1).putShort((short) 0x0800).put((byte) 0).put((byte) 0);
        b.put(new byte[] {1, 2, 3, 4, 5});
        Path f = dir.resolve("mod.pcap");
        Files.write(f, b.array());
        List<Packet> p = readAll(f, 1 << 20);
        assertEquals(1, p.size());
        assertEquals(10_000_020_000L, p.get(0).ts());
        assertEquals("[1, 2, 3, 4, 5]", Arrays.toString(p.get(0).data()));
    }
}
