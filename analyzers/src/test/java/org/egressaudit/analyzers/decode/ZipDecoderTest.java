package org.egressaudit.analyzers.decode;

import static org.egressaudit.analyzers.decode.DecodeFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.content.FileType;
import org.egressaudit.analyzers.content.FileTypeSniffer;
import org.junit.jupiter.api.Test;

class ZipDecoderTest {
    private final ZipDecoder decoder = new ZipDecoder();

    private static List<String> names(ContentObject o) {
        return o.children().stream().map(ContentObject::name).toList();
    }

    @Test
    void storedMembersAreSlicesOfTheArchive() {
        byte[] a = text(3000);
        byte[] b = random(5000, 1);
        ContentObject o = root(zip(true, "docs/a.txt", a, "b.bin", b));
        assertTrue(decoder.accepts(o));
        decoder.decode(o, ctx());
        assertEquals(List.of("docs/a.txt", "b.bin"), names(o));
        for (ContentObject c : o.children()) {
            assertSame(o.data(), c.data());
            assertTrue(c.parentOffset() > 0);
            assertEquals("zip", c.layer());
        }
        assertArrayEquals(a, o.children().get(0).toByteArray());
        assertArrayEquals(b, o.children().get(1).toByteArray());
        assertTrue(o.notes().isEmpty(), o.notes().toString());
    }

    @Test
    void deflatedMembersWithDataDescriptors() {
        byte[] a = text(100_000);
        byte[] b = random(7000, 2);
        ContentObject o = root(zip(false, "a.txt", a, "dir/", new byte[0], "dir/b.bin", b));
        decoder.decode(o, ctx());
        assertEquals(List.of("a.txt", "dir/b.bin"), names(o));
        assertArrayEquals(a, o.children().get(0).toByteArray());
        assertArrayEquals(b, o.children().get(1).toByteArray());
        assertEquals(-1, o.children().get(0).parentOffset());
        assertTrue(o.notes().isEmpty(), o.notes().toString());
    }

    @Test
    void docxMembersAreExpanded() {
        ContentObject o = root(docx());
        assertEquals(FileType.DOCX, FileTypeSniffer.sniff(o.data(), null));
        assertTrue(decoder.accepts(o));
        decoder.decode(o, ctx());
        assertTrue(names(o).contains("word/document.xml"), names(o).toString());
    }

    @Test
    void zip64ArchivesAreRead() throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        byte[] a = text(20_000);
        try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(bos)) {
            z.setUseZip64(Zip64Mode.Always);
            ZipArchiveEntry e = new ZipArchiveEntry("big/a.txt");
            z.putArchiveEntry(e);
            z.write(a);
            z.closeArchiveEntry();
            ZipArchiveEntry f = new ZipArchiveEntry("b.txt");
            z.putArchiveEntry(f);
            z.write(ascii("second member of the zip64 archive"));
            z.closeArchiveEntry();
        }
        ContentObject o = root(bos.toByteArray());
        decoder.decode(o, ctx());
        assertEquals(List.of("big/a.txt", "b.txt"), names(o));
        assertArrayEquals(a, o.children().get(0).toByteArray());
        assertTrue(o.notes().isEmpty(), o.notes().toString());
    }

    @Test
    void encryptedMemberIsNotedAndKeptOpaque() {
        byte[] secret = random(2000, 3);
        byte[] z = new RawZip().add("secret.docx", 0, 1, secret, secret).add("plain.txt", 0, 0, text(100), text(100))
                .build();
        ContentObject o = root(z);
        decoder.decode(o, ctx());
        assertTrue(o.notes().stream().anyMatch(n -> n.startsWith("encrypted member secret.docx not inspectable")),
                o.notes().toString());
        ContentObject enc = o.children().get(0);
        assertEquals("zip", enc.hint("encrypted"));
        assertArrayEquals(secret, enc.toByteArray());
        assertEquals("plain.txt", o.children().get(1).name());
    }

    @Test
    void aesMethodIsEncrypted() {
        byte[] data = random(300, 4);
        ContentObject o = root(new RawZip().add("x.bin", 99, 1, data, data).build());
        decoder.decode(o, ctx());
        assertTrue(o.notes().stream().anyMatch(n -> n.contains("not inspectable (AES)")), o.notes().toString());
    }

    @Test
    void unsupportedMethodIsOpaqueWithNote() {
        byte[] data = random(300, 5);
        ContentObject o = root(new RawZip().add("old.bin", 6, 0, data, data).build());
        decoder.decode(o, ctx());
        assertEquals("6", o.children().get(0).hint("zip-method"));
        assertTrue(anyNoteStartsWith(o, "unsupported: zip member old.bin"), o.notes().toString());
    }

    @Test
    void crcMismatchIsNoted() {
        byte[] data = text(500);
        byte[] other = text(501);
        ContentObject o = root(new RawZip().add("a.txt", 8, 0, rawDeflate(data), other).build());
        decoder.decode(o, ctx());
        assertTrue(o.notes().stream().anyMatch(n -> n.contains("CRC mismatch")), o.notes().toString());
    }

    @Test
    void missingCentralDirectoryFallsBackToLocalHeaders() {
        byte[] a = text(40_000);
        byte[] b = random(9000, 6);
        byte[] full = zip(false, "a.txt", a, "b.bin", b);
        // Cut inside the central directory, as a capture that lost the end of the upload.
        int cd = indexOf(full, new byte[] {'P', 'K', 1, 2});
        ContentObject o = root(Arrays.copyOf(full, cd + 10));
        decoder.decode(o, ctx());
        assertEquals(List.of("a.txt", "b.bin"), names(o), o.notes().toString());
        assertArrayEquals(a, o.children().get(0).toByteArray());
        assertArrayEquals(b, o.children().get(1).toByteArray());
        assertTrue(anyNoteStartsWith(o, "corrupt: zip central directory"), o.notes().toString());
    }

    @Test
    void memberCutByTruncationIsPartial() {
        byte[] a = random(60_000, 7);
        byte[] full = zip(true, "a.bin", a);
        ContentObject o = root(Arrays.copyOf(full, 30_000));
        decoder.decode(o, ctx());
        ContentObject c = o.children().get(0);
        assertTrue(c.truncated());
        assertEquals(60_000, c.declaredLength());
        assertArrayEquals(Arrays.copyOf(a, c.length()), c.toByteArray());
    }

    @Test
    void everyPrefixIsSafe() {
        byte[] full = zip(false, "a.txt", text(2000), "b.txt", text(1500));
        for (int cut = 0; cut <= full.length; cut++) {
            ContentObject o = root(Arrays.copyOf(full, cut));
            if (decoder.accepts(o)) {
                decoder.decode(o, ctx());
            }
        }
        byte[] stored = zip(true, "a.txt", text(700), "b.txt", text(300));
        for (int cut = 0; cut <= stored.length; cut++) {
            ContentObject o = root(Arrays.copyOf(stored, cut));
            if (decoder.accepts(o)) {
                decoder.decode(o, ctx());
            }
        }
    }

    @Test
    void overlappingMembersBombIsCappedByTheArchiveRatio() {
        byte[] zeros = new byte[10 << 20];
        byte[] kernel = rawDeflate(zeros);
        byte[] bomb = new RawZip().add("kernel.bin", 8, 0, kernel, zeros).overlapping(300).build();
        ContentObject o = root(bomb);
        DecodeContext ctx = ctx();
        decoder.decode(o, ctx);
        long total = o.children().stream().mapToLong(ContentObject::length).sum();
        long cap = Math.max(1 << 20, 1000L * bomb.length);
        assertTrue(total <= cap, total + " > " + cap);
        assertTrue(o.notes().stream().anyMatch(n -> n.contains("members overlap")), o.notes().toString());
        assertTrue(o.notes().stream().anyMatch(n -> n.startsWith("decode-limit: zip member") && n.contains("archive's")),
                o.notes().toString());
    }

    @Test
    void highRatioMemberIsABomb() {
        byte[] zeros = new byte[64 << 20];
        ContentObject o = root(new RawZip().add("zeros.bin", 8, 0, rawDeflate(zeros), zeros).build());
        decoder.decode(o, new DecodeContext(new DecodeLimits(12, 64 << 20, 512L << 20, 100, 10_000, 24)));
        assertTrue(o.children().get(0).truncated());
        assertTrue(o.notes().stream().anyMatch(n -> n.startsWith("decode-limit: zip member zeros.bin output exceeds 100x")),
                o.notes().toString());
    }

    @Test
    void entryLimit() {
        Object[] entries = new Object[10];
        for (int i = 0; i < 5; i++) {
            entries[2 * i] = "f" + i + ".txt";
            entries[2 * i + 1] = text(100 + i);
        }
        ContentObject o = root(zip(true, entries));
        decoder.decode(o, new DecodeContext(new DecodeLimits(12, 64 << 20, 512L << 20, 1000, 3, 24)));
        assertEquals(3, o.children().size());
        assertTrue(anyNoteStartsWith(o, "decode-limit: zip has more than 3 members"), o.notes().toString());
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (hay[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
