package org.egressaudit.analyzers.capture;

import org.egressaudit.analyzers.capture.CaptureTestSupport.Packet;
import org.egressaudit.analyzers.testsupport.PcapNgWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.egressaudit.analyzers.capture.CaptureTestSupport.frame;
import static org.egressaudit.analyzers.capture.CaptureTestSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcapNgReaderTest {
    private static final long T0 = 1_700_000_000_123_456_789L;

    @TempDir
    Path dir;

    private List<Packet> read(Path f) throws IOException {
        return readAll(f, CaptureReaderConfig.DEFAULT_WINDOW_BYTES);
    }

    @Test
    void twoInterfacesWithTheirOwnLinkTypeAndResolution() throws IOException {
        Path f = dir.resolve("two.pcapng");
        try (PcapNgWriter w = new PcapNgWriter(f)) {
            int eth = w.addInterface(LinkType.ETHERNET);                 // microseconds by default
            int raw = w.addInterface(LinkType.RAW, 65535, 9, 0);          // nanoseconds
            w.writeEpb(eth, T0, frame(80, 1));
            w.writeEpb(raw, T0 + 5, frame(41, 2));
        }
        List<Packet> p = read(f);
        assertEquals(2, p.size());
        assertEquals(LinkType.ETHERNET, p.get(0).linkType());
        assertEquals(0, p.get(0).interfaceId());
        assertEquals(T0 / 1000 * 1000, p.get(0).ts());
        assertEquals(LinkType.RAW, p.get(1).linkType());
        assertEquals(1, p.get(1).interfaceId());
        assertEquals(T0 + 5, p.get(1).ts());
        assertArrayEquals(frame(41, 2), p.get(1).data());
    }

    @Test
    void powerOfTwoResolutionAndOffset() throws IOException {
        Path f = dir.resolve("pow2.pcapng");
        long ts = 1_600_000_000_500_000_000L; // .5 s is exact in 2^-20 units
        try (PcapNgWriter w = new PcapNgWriter(f)) {
            w.addInterface(LinkType.ETHERNET, 65535, 0x80 | 20, 0);
            w.addInterface(LinkType.ETHERNET, 65535, 0x80 | 40, 0);
            w.addInterface(LinkType.ETHERNET, 65535, 3, 1_000_000_000L); // milliseconds, offset 1e9 s
            w.writeEpb(0, ts, frame(20, 0));
            w.writeEpb(1, 1_000_500_000_000L, frame(20, 0)); // 2^-40 s units only fit 64 bits for small times
            w.writeEpb(2, ts, frame(20, 0));
        }
        List<Packet> p = read(f);
        assertEquals(ts, p.get(0).ts());
        assertEquals(1_000_500_000_000L, p.get(1).ts());
        assertEquals(ts, p.get(2).ts());
    }

    @Test
    void bigEndianSectionThenLittleEndianSection() throws IOException {
        Path f = dir.resolve("sections.pcapng");
        try (PcapNgWriter w = new PcapNgWriter(f, ByteOrder.BIG_ENDIAN)) {
            w.addInterface(LinkType.ETHERNET);
            w.addInterface(LinkType.LINUX_SLL);
            w.writeEpb(1, T0, frame(30, 1));
            w.section(ByteOrder.LITTLE_ENDIAN);
            w.addInterface(LinkType.RAW, 0, 9, 0); // interface ids restart per section
            w.writeEpb(0, T0 + 7, frame(31, 2));
        }
        try (CaptureReader r = CaptureReaders.open(f)) {
            assertEquals("pcapng (big-endian)", r.formatDescription());
            List<Packet> p = readAll(r);
            assertEquals(2, p.size());
            assertEquals(LinkType.LINUX_SLL, p.get(0).linkType());
            assertEquals(LinkType.RAW, p.get(1).linkType());
            assertEquals(T0 + 7, p.get(1).ts());
            assertEquals(2, ((PcapNgReader) r).sections());
            assertEquals(List.of(), r.warnings());
        }
    }

    @Test
    void packetOfUndefinedInterfaceInNewSectionIsSkipped() throws IOException {
        Path f = dir.resolve("undef.pcapng");
        try (PcapNgWriter w = new PcapNgWriter(f)) {
            w.addInterface(LinkType.ETHERNET);
            w.addInterface(LinkType.ETHERNET);
            w.writeEpb(1, T0, frame(30, 1));
            w.section(ByteOrder.LITTLE_ENDIAN);
            w.addInterface(LinkType.ETHERNET);
            // Hand-made EPB naming interface 1, which the new section does not define.
            ByteBuffer body = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            body.putInt(1).putInt(0).putInt(0).putInt(4).putInt(4).putInt(0x01020304);
            w.writeBlock(PcapNgWriter.BT_EPB, body.array(), new byte[0]);
            w.writeEpb(0, T0, frame(30, 3));
        }
        try (CaptureReader r = CaptureReaders.open(f)) {
            assertEquals(2, readAll(r).size());
            assertTrue(r.warnings().get(0).contains("undefined interface 1"), r.warnings().toString());
        }
    }

    @Test
    void simplePacketBlockUsesInterfaceZeroAndSnapLength() throws IOException {
        Path f = dir.resolve("spb.pcapng");
        try (PcapNgWriter w = new PcapNgWriter(f)) {
            w.addInterface(LinkType.RAW, 64, -1, 0);
            w.writeEpb(0, T0, frame(20, 0));
            w.writeSpb(frame(64, 1), 1000);  // snapped to 64 of 1000
            w.writeSpb(frame(30, 2), 30);
        }
        List<Packet> p = read(f);
        assertEquals(3, p.size());
        assertEquals(64, p.get(1).capLen());
        assertEquals(1000, p.get(1).origLen());
        assertEquals(30, p.get(2).capLen());
        assertArrayEquals(frame(30, 2), p.get(2).data());
        assertEquals(p.get(0).ts(), p.get(2).ts(), "SPB has no timestamp: previous one is used");
        assertEquals(LinkType.RAW, p.get(2).linkType());
    }

    @Test
    void obsoletePacketBlockIsRead() throws IOException {
        Path f = dir.resolve("old.pcapng");
        try (PcapNgWriter w = new PcapNgWriter(f)) {
            w.addInterface(LinkType.ETHERNET, 65535, 9, 0);
            w.writeObsoletePacket(0, T0, frame(50, 4));
        }
        List<Packet> p = read(f);
        assertEquals(1, p.size());
        assertEquals(T0, p.get(0).ts());
        assertArrayEquals(frame(50, 4), p.get(0).data());
    }

    @Test
    void decryptionSecretsAreKeptAndOtherBlocksSkipped() throws IOException {
        Path f = dir.resolve("dsb.pcapng");
        byte[] keylog = "CLIENT_RANDOM 00112233 445566\n".getBytes(StandardCharsets.US_ASCII);
        try (PcapNgWriter w = new PcapNgWriter(f)) {
            w.writeDecryptionSecrets(PcapNgWriter.SECRETS_TLS_KEYLOG, keylog);
            w.addInterface(LinkType.ETHERNET);
            w.writeBlock(PcapNgWriter.BT_NRB, new byte[] {0, 0, 0, 0}, new byte[0]);
            w.writeBlock(PcapNgWriter.BT_ISB, new byte[20], new byte[0]);
            w.writeBlock(PcapNgWriter.BT_CUSTOM, new byte[] {1, 2, 3, 4, 5, 6, 7}, new byte[0]);
            w.writeBlock(0x7777, new byte[0], new byte[0]);
            w.writeEpb(0, T0, frame(40, 1));
        }
        try (CaptureReader r = CaptureReaders.open(f)) {
            List<Packet> p = readAll(r);
            assertEquals(1, p.size());
            assertEquals(1, r.decryptionSecrets().size());
            assertArrayEquals(keylog, r.decryptionSecrets().get(0));
            assertEquals(List.of(PcapNgWriter.SECRETS_TLS_KEYLOG), ((PcapNgReader) r).decryptionSecretTypes());
            assertEquals(List.of(), r.warnings());
            assertEquals(Files.size(f), r.bytesRead());
        }
    }

    @Test
    void truncatedTailKeepsEarlierPackets() throws IOException {
        Path f = dir.resolve("trunc.pcapng");
        try (PcapNgWriter w = new PcapNgWriter(f)) {
            w.addInterface(LinkType.ETHERNET);
            w.writeEpb(0, T0, frame(40, 1));
            w.writeEpb(0, T0, frame(40, 2));
        }
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 10));
        try (CaptureReader r = CaptureReaders.open(f)) {
            assertEquals(1, readAll(r).size());
            assertEquals(1, r.warnings().size());
            long lastBlock = all.length - 72;
            assertTrue(r.warnings().get(0).contains("truncated block at offset " + lastBlock), r.warnings().toString());
            assertEquals(lastBlock, r.bytesRead());
        }
    }

    @Test
    void blockLengthNotMultipleOfFourIsCorruption() throws IOException {
        Path f = dir.resolve("bad4.pcapng");
        long badAt;
        try (PcapNgWriter w = new PcapNgWriter(f)) {
            w.addInterface(LinkType.ETHERNET);
            w.writeEpb(0, T0, frame(40, 1));
            w.flush();
            badAt = Files.size(f);
            w.writeRaw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(6).putInt(37).array());
            w.writeRaw(new byte[64]);
        }
        try (CaptureReader r = CaptureReaders.open(f)) {
            assertEquals(1, readAll(r).size());
            String w = r.warnings().get(0);
            assertTrue(w.contains("corrupt block at offset " + badAt) && w.contains("not a multiple of 4"), w);
        }
    }

    @Test
    void hugeBlockLengthIsCorruption() throws IOException {
        Path f = dir.resolve("huge.pcapng");
        try (PcapNgWriter w = new PcapNgWriter(f)) {
            w.addInterface(LinkType.ETHERNET);
            w.writeRaw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(6).putInt(0x7FFFFFF0).array());
            w.writeRaw(new byte[64]);
        }
        try (CaptureReader r = CaptureReaders.open(f)) {
            assertEquals(0, readAll(r).size());
            assertTrue(r.warnings().get(0).contains("out of range"), r.warnings().toString());
        }
    }

    @Test
    void trailingLengthMismatchIsCorruption() throws IOException {
        Path f = dir.resolve("trail.pcapng");
        try (PcapNgWriter w = new PcapNgWriter(f)) {
            w.addInterface(LinkType.ETHERNET);
            w.writeRaw(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(0x7777).putInt(16).putInt(0).putInt(20).array());
            w.writeEpb(0, T0, frame(40, 1));
        }
        try (CaptureReader r = CaptureReaders.open(f)) {
            assertEquals(0, readAll(r).size());
            assertTrue(r.warnings().get(0).contains("trailing length 20 differs"), r.warnings().toString());
        }
    }

    @Test
    void capturedLengthBeyondBlockIsSkipped() throws IOException {
        Path f = dir.resolve("caplen.pcapng");
        try (PcapNgWriter w = new PcapNgWriter(f)) {
            w.addInterface(LinkType.ETHERNET);
            ByteBuffer body = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            body.putInt(0).putInt(0).putInt(0).putInt(400).putInt(400).putInt(0);
            w.writeBlock(PcapNgWriter.BT_EPB, body.array(), new byte[0]);
            w.writeEpb(0, T0, frame(40, 1));
        }
        try (CaptureReader r = CaptureReaders.open(f)) {
            assertEquals(1, readAll(r).size());
            assertTrue(r.warnings().get(0).contains("does not fit the block"), r.warnings().toString());
        }
    }

    @Test
    void tinyWindowsGiveIdenticalResults() throws IOException {
        Path f = dir.resolve("win.pcapng");
        try (PcapNgWriter w = new PcapNgWriter(f)) {
            w.addInterface(LinkType.ETHERNET);
            w.addInterface(LinkType.RAW, 0, 9, 0);
            for (int i = 0; i < 200; i++) {
                w.writeEpb(i % 2, T0 + i, frame(1 + (i * 53) % 300, i));
                if (i % 50 == 0) {
                    w.writeSpb(frame(17, i), 17);
                    w.section(i % 100 == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
                    w.addInterface(LinkType.ETHERNET);
                    w.addInterface(LinkType.RAW, 0, 9, 0);
                }
            }
        }
        List<Packet> huge = read(f);
        assertEquals(204, huge.size());
        for (int window : new int[] {64, 100, 333, 4096}) {
            assertEquals(huge, readAll(f, window), "window " + window);
        }
    }
}
