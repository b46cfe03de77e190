package org.egressaudit.harness.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry;
import org.apache.commons.compress.archivers.sevenz.SevenZFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.content.FileType;
import org.egressaudit.analyzers.content.FileTypeSniffer;
import org.egressaudit.analyzers.corpus.CorpusManifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusGeneratorTest {
    private static final String BANNER = "TOP SECRET//SI//NOFORN";

    @TempDir
    static Path tmp;
    static Path corpus;
    static List<GeneratedFile> manifest;

    @BeforeAll
    static void generate() throws IOException {
        corpus = tmp.resolve("seed42");
        manifest = CorpusGenerator.generate(corpus, CorpusRecipe.standard(), 42);
    }

    private static byte[] read(String name) throws IOException {
        return Files.readAllBytes(corpus.resolve(name));
    }

    @Test
    void sameSeedGivesByteIdenticalFiles() throws IOException {
        Path again = tmp.resolve("seed42-again");
        List<GeneratedFile> second = CorpusGenerator.generate(again, CorpusRecipe.standard(), 42);
        assertEquals(manifest, second);
        for (GeneratedFile f : manifest) {
            assertArrayEquals(read(f.name()), Files.readAllBytes(again.resolve(f.name())), f.name());
        }
        assertEquals(Files.readString(corpus.resolve("corpus.yaml")), Files.readString(again.resolve("corpus.yaml")));
    }

    @Test
    void differentSeedsGiveDifferentFiles() throws IOException {
        List<GeneratedFile> other = CorpusGenerator.generate(tmp.resolve("seed43"), CorpusRecipe.standard(), 43);
        Map<String, String> hashes = new HashMap<>();
        manifest.forEach(f -> hashes.put(f.name(), f.sha256()));
        assertEquals(manifest.size(), other.size());
        for (GeneratedFile f : other) {
            // The source tree and EICAR are fixed texts; everything drawn from the seed must differ.
            if (f.name().startsWith("Source/") || f.name().endsWith("eicar.com")) {
                assertEquals(hashes.get(f.name()), f.sha256(), f.name());
            } else {
                assertNotEquals(hashes.get(f.name()), f.sha256(), f.name());
            }
        }
    }

    @Test
    void manifestListsEveryFileWithItsRealSizeAndHash() throws Exception {
        CorpusManifest loaded = CorpusManifest.load(corpus.resolve("corpus.yaml"));
        assertEquals(manifest.size(), loaded.categories().size());
        String yaml = Files.readString(corpus.resolve("corpus.yaml"));
        for (GeneratedFile f : manifest) {
            byte[] data = read(f.name());
            assertEquals(data.length, f.size(), f.name());
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)), f.sha256());
            assertEquals(f.category(), loaded.categories().get(f.name()), f.name());
            assertTrue(yaml.contains("sha256=" + f.sha256()), f.name());
        }
        try (var files = Files.walk(corpus)) {
            assertEquals(manifest.size() + 1, files.filter(Files::isRegularFile).count(), "files not in the manifest");
        }
    }

    @Test
    void manifestCategoriesMatchTheAnalyzersSniffing() throws IOException {
        for (GeneratedFile f : manifest) {
            FileType t = FileTypeSniffer.sniff(read(f.name()), f.name());
            if (f.name().equals("Samples/eicar.com")) {
                // A DOS program made of printable bytes: sniffed as text, listed as what it is.
                assertEquals(Category.EXECUTABLE, f.category());
                continue;
            }
            assertEquals(t.category(), f.category(), f.name() + " sniffed as " + t);
        }
        assertEquals(FileType.DOCX, FileTypeSniffer.sniff(read("Documents/secret.docx"), null));
        assertEquals(FileType.XLSX, FileTypeSniffer.sniff(read("Documents/inventory.xlsx"), null));
        assertEquals(FileType.PPTX, FileTypeSniffer.sniff(read("Documents/briefing.pptx"), null));
        assertEquals(FileType.PDF, FileTypeSniffer.sniff(read("Documents/report.pdf"), null));
        assertEquals(FileType.TEXT, FileTypeSniffer.sniff(read("Documents/memo.txt"), "memo.txt"));
        assertEquals(FileType.CSV, FileTypeSniffer.sniff(read("Records/personnel.csv"), null));
        assertEquals(FileType.PE, FileTypeSniffer.sniff(read("Samples/flagged-tool.exe"), null));
        assertEquals(FileType.ELF, FileTypeSniffer.sniff(read("Samples/flagged-daemon"), null));
        assertEquals(FileType.SEVEN_ZIP, FileTypeSniffer.sniff(read("Archives/quarantine.7z"), null));
    }

    @Test
    void docxHasTheOfficePartsAndTheBannerInHeaderAndBody() throws IOException {
        Map<String, String> parts = unzipText(read("Documents/secret.docx"));
        for (String p : List.of("[Content_Types].xml", "_rels/.rels", "word/document.xml",
                "word/_rels/document.xml.rels", "word/header1.xml", "word/footer1.xml", "docProps/core.xml")) {
            assertTrue(parts.containsKey(p), "docx lacks " + p + ": " + parts.keySet());
        }
        assertTrue(parts.get("word/document.xml").contains(BANNER));
        assertTrue(parts.get("word/document.xml").contains("r:id=\"rId1\""), "header not referenced");
        assertTrue(parts.get("word/header1.xml").contains(BANNER));
        assertTrue(parts.get("word/_rels/document.xml.rels").contains("Target=\"header1.xml\""));
        assertTrue(parts.get("[Content_Types].xml").contains("/word/document.xml"));
    }

    @Test
    void xlsxAndPptxCarryTheBanner() throws IOException {
        Map<String, String> xlsx = unzipText(read("Documents/inventory.xlsx"));
        assertTrue(xlsx.get("xl/worksheets/sheet1.xml").contains("<oddHeader>&amp;C" + BANNER));
        assertTrue(xlsx.get("xl/workbook.xml").contains("r:id=\"rId1\""));
        Map<String, String> pptx = unzipText(read("Documents/briefing.pptx"));
        for (String p : List.of("ppt/presentation.xml", "ppt/slides/slide1.xml", "ppt/slideMasters/slideMaster1.xml",
                "ppt/slideLayouts/slideLayout1.xml", "ppt/theme/theme1.xml")) {
            assertTrue(pptx.containsKey(p), "pptx lacks " + p);
        }
        assertTrue(pptx.get("ppt/slides/slide1.xml").contains(BANNER));
    }

    @Test
    void bannerAndSubjectAreConfigurable() throws IOException {
        CorpusRecipe r = CorpusRecipe.standard().withBanner("SECRET//REL TO USA, FVEY").withSubject("Project <Orca> & co")
                .withCounts(1, 1, 0, 0).withSizes(3, 0, 512);
        Path out = tmp.resolve("custom");
        List<GeneratedFile> m = CorpusGenerator.generate(out, r, 7);
        String doc = unzipText(Files.readAllBytes(out.resolve("Documents/secret.docx"))).get("word/document.xml");
        assertTrue(doc.contains("SECRET//REL TO USA, FVEY"));
        assertTrue(doc.contains("Project &lt;Orca&gt; &amp; co"), "XML-escaped subject");
        assertFalse(doc.contains(BANNER));
        assertTrue(Files.readString(out.resolve("Documents/memo.txt")).contains("SECRET//REL TO USA, FVEY"));
        assertTrue(m.stream().noneMatch(f -> f.name().startsWith("Samples/flagged") || f.name().startsWith("Records/")));
    }

    @Test
    void pdfXrefOffsetsPointAtTheirObjectsAndTextIsSearchable() throws IOException {
        byte[] pdf = read("Documents/report.pdf");
        String s = new String(pdf, StandardCharsets.ISO_8859_1);
        assertTrue(s.startsWith("%PDF-1.4\n"));
        assertTrue(s.endsWith("%%EOF\n"));
        Matcher sx = Pattern.compile("startxref\n(\\d+)\n%%EOF\n$").matcher(s);
        assertTrue(sx.find());
        int xref = Integer.parseInt(sx.group(1));
        assertTrue(s.startsWith("xref\n0 ", xref), "startxref points at the xref table");
        Matcher head = Pattern.compile("xref\n0 (\\d+)\n").matcher(s);
        assertTrue(head.find(xref));
        int count = Integer.parseInt(head.group(1));
        int at = head.end() + 20; // skip entry 0 (the free list head)
        for (int n = 1; n < count; n++, at += 20) {
            String entry = s.substring(at, at + 20);
            assertTrue(entry.endsWith(" 00000 n \n"), entry);
            int off = Integer.parseInt(entry.substring(0, 10));
            assertTrue(s.startsWith(n + " 0 obj\n", off), "object " + n + " not at " + off);
        }
        assertTrue(s.contains("(" + BANNER + ") Tj"), "banner as searchable text");
        // Every stream's /Length is exact.
        Matcher st = Pattern.compile("/Length (\\d+) >>\nstream\n").matcher(s);
        int streams = 0;
        while (st.find()) {
            int len = Integer.parseInt(st.group(1));
            assertTrue(s.startsWith("\nendstream", st.end() + len));
            streams++;
        }
        assertTrue(streams >= 1);
    }

    @Test
    void pdftotextExtractsTheBanner() throws Exception {
        Path tool = Path.of("/usr/bin/pdftotext");
        // bin/setup --sandbox installs poppler-utils: a missing tool is a failure, not a skip.
        org.junit.jupiter.api.Assertions.assertTrue(Files.isExecutable(tool),
                "pdftotext not installed: run bin/setup --sandbox (apt-get install -y poppler-utils)");
        Process p = new ProcessBuilder(tool.toString(), corpus.resolve("Documents/report.pdf").toString(), "-")
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), text);
        assertTrue(text.startsWith(BANNER + "\n"), text);
        assertFalse(text.contains("Syntax Error"), text);
    }

    @Test
    void peHeadersAreValidAndOnlyFlaggedSamplesCarryTheSignature() throws IOException {
        for (String name : List.of("Samples/flagged-tool.exe", "Samples/clean-tool.exe")) {
            byte[] pe = read(name);
            ByteBuffer b = ByteBuffer.wrap(pe).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals('M', pe[0]);
            assertEquals('Z', pe[1]);
            int lfanew = b.getInt(0x3C);
            assertEquals(0x00004550, b.getInt(lfanew), "PE\\0\\0");
            assertEquals(0x14C, b.getShort(lfanew + 4) & 0xffff, "i386");
            int sections = b.getShort(lfanew + 6);
            int optSize = b.getShort(lfanew + 20) & 0xffff;
            assertEquals(0x10B, b.getShort(lfanew + 24) & 0xffff, "PE32 optional header magic");
            int opt = lfanew + 24;
            int entry = b.getInt(opt + 16);
            int fileAlign = b.getInt(opt + 36);
            int sizeOfHeaders = b.getInt(opt + 60);
            assertEquals(0, sizeOfHeaders % fileAlign);
            int table = opt + optSize;
            boolean entryInText = false;
            for (int i = 0; i < sections; i++) {
                int sec = table + 40 * i;
                int va = b.getInt(sec + 12);
                int rawSize = b.getInt(sec + 16);
                int rawPtr = b.getInt(sec + 20);
                assertTrue(rawPtr + rawSize <= pe.length, "section " + i + " inside the file");
                assertEquals(0, rawPtr % fileAlign);
                if (entry >= va && entry < va + b.getInt(sec + 8)) {
                    entryInText = true;
                    assertEquals((byte) 0xB8, pe[rawPtr + entry - va], "mov eax, 0 at the entry point");
                }
            }
            assertTrue(entryInText);
            boolean signed = contains(pe, CorpusGenerator.SIGNATURE);
            assertEquals(name.contains("flagged"), signed, name);
        }
    }

    @Test
    void elfHeadersAreValidAndOnlyFlaggedSamplesCarryTheSignature() throws IOException {
        for (String name : List.of("Samples/flagged-daemon", "Samples/clean-daemon")) {
            byte[] elf = read(name);
            ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
            assertArrayEquals(new byte[] {0x7F, 'E', 'L', 'F'}, java.util.Arrays.copyOf(elf, 4));
            assertEquals(2, elf[4], "ELFCLASS64");
            assertEquals(1, elf[5], "little-endian");
            assertEquals(2, b.getShort(16), "ET_EXEC");
            assertEquals(0x3E, b.getShort(18), "x86-64");
            long entry = b.getLong(24);
            long phoff = b.getLong(32);
            long shoff = b.getLong(40);
            int phnum = b.getShort(56);
            assertTrue(phoff >= 64 && phoff + 56L * phnum <= elf.length, "program headers within the file");
            assertTrue(shoff + 64L * b.getShort(60) <= elf.length, "section headers within the file");
            int ph = (int) phoff;
            assertEquals(1, b.getInt(ph), "PT_LOAD");
            long vaddr = b.getLong(ph + 16);
            long filesz = b.getLong(ph + 32);
            assertTrue(entry >= vaddr && entry < vaddr + filesz, "entry point is mapped");
            assertEquals((byte) 0xB8, elf[(int) (entry - vaddr)], "mov eax, 60");
            assertEquals(name.contains("flagged"), contains(elf, CorpusGenerator.SIGNATURE), name);
        }
    }

    @Test
    void eicarIsTheStandard68Bytes() throws IOException {
        byte[] e = read("Samples/eicar.com");
        assertEquals(68, e.length);
        assertEquals("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",
                new String(e, StandardCharsets.US_ASCII));
    }

    @Test
    void memosCarryACanaryDerivedFromTheSeed() throws IOException {
        String memo = Files.readString(corpus.resolve("Documents/memo.txt"));
        String memo2 = Files.readString(corpus.resolve("Documents/memo-2.txt"));
        Matcher m = Pattern.compile("CANARY-[0-9a-f]{24}").matcher(memo);
        assertTrue(m.find(), memo);
        assertEquals(SeededText.canary(42, "memo-1"), m.group());
        assertFalse(memo2.contains(m.group()), "each memo has its own token");
    }

    @Test
    void personalDataUsesReservedNamesAndNumbers() throws IOException {
        List<String> lines = Files.readAllLines(corpus.resolve("Records/personnel.csv"));
        assertEquals(51, lines.size());
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",");
            assertEquals(8, f.length, l);
            assertTrue(f[3].endsWith("@corp.example"), l);
            assertTrue(f[4].startsWith("+1-555-01"), l);
            assertTrue(f[5].startsWith("9"), "national ids in a never-issued range: " + l);
        }
    }

    @Test
    void sourceArchivesHoldTheSourceTree() throws IOException {
        Map<String, byte[]> tgz = untarGz(read("Source/collector.tar.gz"));
        Map<String, String> zip = unzipText(read("Source/collector.zip"));
        assertEquals(SourceTree.files().keySet(), tgz.keySet());
        assertEquals(SourceTree.files().keySet(), zip.keySet());
        assertArrayEquals(read("Source/collector/src/main.c"), tgz.get("collector/src/main.c"));
    }

    @Test
    void sevenZipOpensAndMixesADocumentASampleAndAnInnerArchive() throws IOException {
        Map<String, byte[]> members = new HashMap<>();
        try (SevenZFile z = SevenZFile.builder().setSeekableByteChannel(
                new SeekableInMemoryByteChannel(read("Archives/quarantine.7z"))).get()) {
            SevenZArchiveEntry e;
            while ((e = z.getNextEntry()) != null) {
                byte[] data = new byte[(int) e.getSize()];
                int n = 0;
                while (n < data.length) {
                    n += z.read(data, n, data.length - n);
                }
                members.put(e.getName(), data);
            }
        }
        assertEquals(FileType.PE, FileTypeSniffer.sniff(members.get("tools/keygen.exe"), null));
        assertTrue(contains(members.get("tools/keygen.exe"), CorpusGenerator.SIGNATURE));
        assertEquals(FileType.DOCX, FileTypeSniffer.sniff(members.get("tools/secret.docx"), null));
        assertTrue(unzipText(members.get("tools/notes.zip")).get("memo.txt").contains("CANARY-"));
    }

    @Test
    void archivesNestThreeDeep() throws IOException {
        Map<String, String> outbox = unzipText(read("Archives/outbox.zip"));
        assertTrue(outbox.containsKey("Reports/brief.docx"));
        Map<String, byte[]> backup = untarGz(read("Archives/backup.tar.gz"));
        assertArrayEquals(read("Archives/quarantine.7z"), backup.get("var/quarantine/quarantine.7z"));
        assertEquals(FileType.PDF, FileTypeSniffer.sniff(backup.get("home/user/report.pdf"), null));
        assertEquals(FileType.ELF, FileTypeSniffer.sniff(backup.get("usr/local/bin/helper"), null));
    }

    @Test
    void refusesANonEmptyDirectory() throws IOException {
        assertThrows(DirectoryNotEmptyException.class,
                () -> CorpusGenerator.generate(corpus, CorpusRecipe.standard(), 42));
    }

    @Test
    void recipeRejectsOutOfRangeValues() {
        assertThrows(IllegalArgumentException.class, () -> CorpusRecipe.standard().withCounts(51, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> CorpusRecipe.standard().withBanner("two\nlines"));
        assertThrows(IllegalArgumentException.class, () -> CorpusRecipe.standard().withSizes(1, 0, 10));
        assertTrue(CorpusRecipe.named("standard").isPresent());
        assertTrue(CorpusRecipe.named("nope").isEmpty());
    }

    // ------------------------------------------------------------------ helpers

    static boolean contains(byte[] hay, String needle) {
        return new String(hay, StandardCharsets.ISO_8859_1).contains(needle);
    }

    static Map<String, String> unzipText(byte[] zip) throws IOException {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = z.getNextEntry()) != null) {
                out.put(e.getName(), new String(z.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static Map<String, byte[]> untarGz(byte[] tgz) throws IOException {
        Map<String, byte[]> out = new java.util.LinkedHashMap<>();
        try (TarArchiveInputStream t = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(tgz)))) {
            TarArchiveEntry e;
            while ((e = t.getNextEntry()) != null) {
                out.put(e.getName(), t.readAllBytes());
            }
        }
        return out;
    }
}
