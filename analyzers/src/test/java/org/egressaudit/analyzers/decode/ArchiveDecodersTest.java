package org.egressaudit.analyzers.decode;

import static org.egressaudit.analyzers.decode.DecodeFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry;
import org.apache.commons.compress.archivers.sevenz.SevenZMethod;
import org.apache.commons.compress.archivers.sevenz.SevenZOutputFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.content.FileType;
import org.egressaudit.analyzers.content.FileTypeSniffer;
import org.junit.jupiter.api.Test;

/** tar and 7z. */
class ArchiveDecodersTest {

    static byte[] tar(int longFileMode, Object... nameThenBytes) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bos)) {
            t.setLongFileMode(longFileMode);
            for (int i = 0; i < nameThenBytes.length; i += 2) {
                byte[] b = (byte[]) nameThenBytes[i + 1];
                TarArchiveEntry e = new TarArchiveEntry((String) nameThenBytes[i]);
                e.setSize(b.length);
                t.putArchiveEntry(e);
                t.write(b);
                t.closeArchiveEntry();
            }
        }
        return bos.toByteArray();
    }

    static byte[] sevenZ(SevenZMethod method, char[] password, Object... nameThenBytes) throws IOException {
        SeekableInMemoryByteChannel ch = new SeekableInMemoryByteChannel();
        try (SevenZOutputFile z = password == null ? new SevenZOutputFile(ch) : new SevenZOutputFile(ch, password)) {
            z.setContentCompression(method);
            for (int i = 0; i < nameThenBytes.length; i += 2) {
                byte[] b = (byte[]) nameThenBytes[i + 1];
                SevenZArchiveEntry e = new SevenZArchiveEntry();
                e.setName((String) nameThenBytes[i]);
                e.setSize(b.length);
                z.putArchiveEntry(e);
                z.write(b);
                z.closeArchiveEntry();
            }
        }
        return Arrays.copyOf(ch.array(), (int) ch.size());
    }

    private static List<String> names(ContentObject o) {
        return o.children().stream().map(ContentObject::name).toList();
    }

    @Test
    void tarMembersAreSlicesWithLongNames() throws IOException {
        String longName = "very/deep/" + "directory/".repeat(15) + "memo.txt";
        byte[] a = text(1500);
        byte[] b = random(700, 1);
        for (int mode : new int[] {TarArchiveOutputStream.LONGFILE_GNU, TarArchiveOutputStream.LONGFILE_POSIX}) {
            ContentObject o = root(tar(mode, longName, a, "b.bin", b));
            TarDecoder d = new TarDecoder();
            assertTrue(d.accepts(o));
            d.decode(o, ctx());
            assertEquals(List.of(longName, "b.bin"), names(o), "mode " + mode);
            assertArrayEquals(a, o.children().get(0).toByteArray());
            assertArrayEquals(b, o.children().get(1).toByteArray());
            assertSame(o.data(), o.children().get(1).data());
            assertEquals(o.children().get(1).offset(), o.children().get(1).parentOffset());
            assertTrue(o.notes().isEmpty(), o.notes().toString());
        }
    }

    @Test
    void tarGzThroughTheRegistry() throws IOException {
        byte[] doc = docx();
        ContentObject o = root(gzip(tar(TarArchiveOutputStream.LONGFILE_POSIX, "out/plan.docx", doc, "n.txt", text(99))));
        DecoderRegistry.load().decodeTree(o, ctx());
        ContentObject tar = o.children().get(0);
        assertEquals("gzip", tar.layer());
        ContentObject member = tar.children().get(0);
        assertEquals(List.of("http-body", "gzip", "tar", "out/plan.docx"), member.chain());
        assertArrayEquals(doc, member.toByteArray());
        assertEquals(FileType.DOCX, FileTypeSniffer.sniff(member.data(), member.offset(), member.length(), member.name()));
        assertTrue(member.children().stream().anyMatch(c -> "word/document.xml".equals(c.name())));
    }

    @Test
    void truncatedTarKeepsPartialMember() throws IOException {
        byte[] a = random(5000, 2);
        byte[] t = tar(TarArchiveOutputStream.LONGFILE_GNU, "a.bin", a, "b.bin", random(100, 3));
        ContentObject o = root(Arrays.copyOf(t, 3000));
        new TarDecoder().decode(o, ctx());
        ContentObject c = o.children().get(0);
        assertTrue(c.truncated());
        assertEquals(5000, c.declaredLength());
        assertArrayEquals(Arrays.copyOf(a, c.length()), c.toByteArray());
        assertTrue(anyNoteStartsWith(o, "corrupt: tar member a.bin"), o.notes().toString());
    }

    @Test
    void damagedTarHeaderStopsWithNote() throws IOException {
        byte[] t = tar(TarArchiveOutputStream.LONGFILE_GNU, "a.txt", text(600), "b.txt", text(10));
        t[1536 + 3] ^= 0x55; // second header's name, checksum now wrong
        t[1536 + 257] = (byte) 'x'; // and no ustar magic to vouch for it
        ContentObject o = root(t);
        new TarDecoder().decode(o, ctx());
        assertEquals(List.of("a.txt"), names(o));
        assertTrue(anyNoteStartsWith(o, "corrupt: tar header damaged"), o.notes().toString());
    }

    @Test
    void everyTarPrefixIsSafe() throws IOException {
        byte[] t = tar(TarArchiveOutputStream.LONGFILE_POSIX, "x".repeat(120), text(300), "b", text(20));
        for (int cut = 0; cut <= t.length; cut++) {
            ContentObject o = root(Arrays.copyOf(t, cut));
            TarDecoder d = new TarDecoder();
            if (d.accepts(o)) {
                d.decode(o, ctx());
            }
        }
    }

    @Test
    void sevenZipLzma2HoldingADocxAndAnExe() throws IOException {
        byte[] doc = docx();
        byte[] exe = pe(40_000);
        ContentObject o = root(sevenZ(SevenZMethod.LZMA2, null, "docs/plan.docx", doc, "bin/tool.exe", exe));
        SevenZipDecoder d = new SevenZipDecoder();
        assertTrue(d.accepts(o));
        assertEquals(FileType.SEVEN_ZIP, FileTypeSniffer.sniff(o.data(), null));
        d.decode(o, ctx());
        assertEquals(List.of("docs/plan.docx", "bin/tool.exe"), names(o));
        assertArrayEquals(doc, o.children().get(0).toByteArray());
        assertArrayEquals(exe, o.children().get(1).toByteArray());
        assertEquals(FileType.DOCX, FileTypeSniffer.sniff(o.children().get(0).toByteArray(), "plan.docx"));
        assertEquals(FileType.PE, FileTypeSniffer.sniff(o.children().get(1).toByteArray(), null));
        assertEquals("7z", o.children().get(0).layer());
        assertTrue(o.notes().isEmpty(), o.notes().toString());
    }

    @Test
    void sevenZipLzma() throws IOException {
        byte[] a = text(30_000);
        ContentObject o = root(sevenZ(SevenZMethod.LZMA, null, "a.txt", a));
        new SevenZipDecoder().decode(o, ctx());
        assertArrayEquals(a, o.children().get(0).toByteArray());
    }

    @Test
    void encryptedSevenZipIsNoted() throws IOException {
        ContentObject o = root(sevenZ(SevenZMethod.LZMA2, "pw".toCharArray(), "secret.docx", docx()));
        new SevenZipDecoder().decode(o, ctx());
        assertTrue(o.children().isEmpty());
        assertTrue(o.notes().stream().anyMatch(n -> n.startsWith("encrypted") && n.contains("not inspectable")),
                o.notes().toString());
    }

    @Test
    void truncatedSevenZipIsCorrupt() throws IOException {
        byte[] z = sevenZ(SevenZMethod.LZMA2, null, "a.bin", random(20_000, 4));
        ContentObject o = root(Arrays.copyOf(z, z.length - 40));
        new SevenZipDecoder().decode(o, ctx());
        assertTrue(anyNoteStartsWith(o, "corrupt: 7z"), o.notes().toString());
    }

    @Test
    void everySevenZipPrefixIsSafe() throws IOException {
        byte[] z = sevenZ(SevenZMethod.LZMA2, null, "a.txt", text(400), "b.txt", text(200));
        for (int cut = 0; cut <= z.length; cut++) {
            ContentObject o = root(Arrays.copyOf(z, cut));
            SevenZipDecoder d = new SevenZipDecoder();
            if (d.accepts(o)) {
                d.decode(o, ctx());
            }
        }
    }

    @Test
    void sevenZipEntryLimit() throws IOException {
        byte[] z = sevenZ(SevenZMethod.LZMA2, null, "a", text(50), "b", text(60), "c", text(70));
        ContentObject o = root(z);
        new SevenZipDecoder().decode(o, new DecodeContext(new DecodeLimits(12, 1 << 20, 1 << 20, 1000, 2, 24)));
        assertEquals(2, o.children().size());
        assertTrue(anyNoteStartsWith(o, "decode-limit: 7z has more than 2"), o.notes().toString());
    }

    @Test
    void registryOrderAndFirstChildWins() {
        DecoderRegistry r = DecoderRegistry.load();
        List<ContentDecoder> ds = r.decoders();
        assertTrue(ds.size() >= 12, ds.toString());
        for (int i = 1; i < ds.size(); i++) {
            assertTrue(ds.get(i - 1).priority() <= ds.get(i).priority());
        }
        assertEquals("content-encoding", ds.get(0).name());
        // A gzip body declared as gzip: the Content-Encoding decoder wins, the sniffing one is not run too.
        ContentObject o = root(gzip(text(100)), Map.of("content-encoding", "gzip"));
        assertTrue(r.decodeOne(o, ctx()));
        assertEquals(1, o.children().size());
        assertFalse(r.decodeOne(root(random(100, 1)), ctx()));
    }

    @Test
    void aThrowingDecoderIsNotedAndSkipped() {
        ContentDecoder broken = new ContentDecoder() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public int priority() {
                return 1;
            }

            @Override
            public boolean accepts(ContentObject object) {
                return true;
            }

            @Override
            public void decode(ContentObject object, DecodeContext context) {
                throw new IllegalStateException("bug");
            }
        };
        DecoderRegistry r = new DecoderRegistry(List.of(new GzipDecoder(), broken));
        ContentObject o = root(gzip(text(100)));
        assertTrue(r.decodeOne(o, ctx()));
        assertTrue(anyNoteStartsWith(o, "decoder-error: broken"), o.notes().toString());
    }

    @Test
    void depthLimitStopsNesting() {
        byte[] b = text(200);
        for (int i = 0; i < 6; i++) {
            b = gzip(b);
        }
        ContentObject o = root(b);
        DecodeContext ctx = new DecodeContext(new DecodeLimits(3, 1 << 20, 1 << 20, 1000, 10, 24));
        DecoderRegistry.load().decodeTree(o, ctx);
        ContentObject deepest = o;
        while (!deepest.children().isEmpty()) {
            deepest = deepest.children().get(0);
        }
        assertEquals(3, deepest.depth());
        assertTrue(anyNoteStartsWith(deepest, "decode-limit: depth 3"), deepest.notes().toString());
    }
}
