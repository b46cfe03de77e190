package org.egressaudit.analyzers.capture;

import org.egressaudit.analyzers.testsupport.PcapNgWriter;
import org.egressaudit.analyzers.testsupport.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptureReadersTest {
    @TempDir
    Path dir;

    private CaptureFormatException failure(byte[] content) throws IOException {
        Path f = dir.resolve("x.bin");
        Files.write(f, content);
        return assertThrows(CaptureFormatException.class, () -> CaptureReaders.open(f).close());
    }

    @Test
    void zipIsNotACapture() throws IOException {
        CaptureFormatException e = failure(new byte[] {0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0});
        assertTrue(e.getMessage().startsWith(dir.resolve("x.bin") + ": not a pcap/pcapng capture (first bytes 50 4b 03 04)"),
                e.getMessage());
    }

    @Test
    void gzipGetsAHint() throws IOException {
        assertTrue(failure(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0}).getMessage().contains("gzip"));
    }

    @Test
    void emptyFile() throws IOException {
        assertTrue(failure(new byte[0]).getMessage().endsWith("x.bin: empty file"));
    }

    @Test
    void tooShortFile() throws IOException {
        assertTrue(failure(new byte[] {(byte) 0xd4, (byte) 0xc3}).getMessage().contains("too short"));
    }

    @Test
    void pcapHeaderTruncated() throws IOException {
        CaptureFormatException e = failure(new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0, 4, 0, 0, 0});
        assertTrue(e.getMessage().contains("pcap header truncated (10 of 24 bytes)"), e.getMessage());
    }

    @Test
    void pcapngHeaderTruncated() throws IOException {
        CaptureFormatException e = failure(new byte[] {0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c});
        assertTrue(e.getMessage().contains("pcapng section header truncated"), e.getMessage());
    }

    @Test
    void pcapngBadByteOrderMagic() throws IOException {
        byte[] b = new byte[28];
        b[0] = 0x0a; b[1] = 0x0d; b[2] = 0x0d; b[3] = 0x0a; b[4] = 28;
        b[8] = 1; b[9] = 2; b[10] = 3; b[11] = 4;
        assertTrue(failure(b).getMessage().contains("invalid byte-order magic"));
    }

    @Test
    void dispatchesByMagicNotName() throws IOException {
        Path ng = dir.resolve("looks-like.pcap");
        try (PcapNgWriter w = new PcapNgWriter(ng)) {
            w.addInterface(LinkType.ETHERNET);
        }
        Path classic = dir.resolve("looks-like.pcapng");
        new PcapWriter(classic).close();
        try (CaptureReader a = CaptureReaders.open(ng); CaptureReader b = CaptureReaders.open(classic)) {
            assertTrue(a instanceof PcapNgReader);
            assertTrue(b instanceof PcapReader);
            assertEquals("pcapng (little-endian)", a.formatDescription());
        }
    }

    @Test
    void missingFileIsAnIoError() {
        IOException e = assertThrows(IOException.class, () -> CaptureReaders.open(dir.resolve("nope.pcap")));
        assertTrue(!(e instanceof CaptureFormatException));
    }

    @Test
    void damagedMagicGetsHint() throws IOException {
        byte[] b = Arrays.copyOf(new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, 0x00}, 24);
        assertTrue(failure(b).getMessage().contains("damaged"));
    }
}
