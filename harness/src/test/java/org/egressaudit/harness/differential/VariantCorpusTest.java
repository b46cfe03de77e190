package org.egressaudit.harness.differential;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.corpus.Corpus;
import org.egressaudit.analyzers.corpus.CorpusLoader;
import org.egressaudit.analyzers.corpus.CorpusManifest;
import org.egressaudit.analyzers.decode.DecoderRegistry;
import org.egressaudit.analyzers.detect.PlantedFile;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.harness.scenario.CorpusEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VariantCorpusTest {
    private static final Policy DEFAULT = new Policy(Set.of(Category.EXECUTABLE, Category.METADATA), 4096, List.of(),
            4096);

    @TempDir
    Path tmp;
    private Path corpus;
    private byte[] secret;
    private byte[] memo;
    private byte[] exe;

    @BeforeEach
    void plant() throws IOException {
        corpus = tmp.resolve("basic");
        secret = bytes(20_000, 1);
        memo = "quarterly figures, do not share\n".repeat(40).getBytes(StandardCharsets.UTF_8);
        exe = bytes(3_000, 2);
        write("Documents/secret.docx", secret);
        write("Documents/memo.txt", memo);
        write("Samples/flagged.exe", exe);
        Files.writeString(corpus.resolve(CorpusManifest.FILE_NAME), """
                files:
                  Documents/secret.docx: document
                  "Documents/secret.docx!/word/document.xml": document
                  Documents/memo.txt: document
                  Samples/flagged.exe: executable
                """);
    }

    @Test
    void absentRemovesPrivateFilesAndDropsThemFromTheManifest() throws Exception {
        VariantCorpus.Variant v = VariantCorpus.materialize(List.of(new CorpusEntry(corpus, "/home/user")), DEFAULT,
                CorpusVariant.ABSENT, tmp.resolve("work"));
        assertEquals(List.of("home/user/Documents/memo.txt", "home/user/Documents/secret.docx"), v.changedFiles());
        assertEquals(memo.length + secret.length, v.controlBytes());
        assertEquals(0, v.variantBytes());
        Path dir = v.entries().get(0).from();
        assertEquals("/home/user", v.entries().get(0).to());
        assertTrue(dir.startsWith(tmp.resolve("work")), dir.toString());
        assertFalse(Files.exists(dir.resolve("Documents/secret.docx")));
        assertFalse(Files.exists(dir.resolve("Documents/memo.txt")));
        assertArrayEquals(exe, Files.readAllBytes(dir.resolve("Samples/flagged.exe")));
        Map<String, Category> m = CorpusManifest.load(dir.resolve(CorpusManifest.FILE_NAME)).categories();
        assertEquals(Map.of("Samples/flagged.exe", Category.EXECUTABLE), m);
        // The analysis loads the variant without complaint (a manifest naming a missing file is an error there).
        Corpus c = new CorpusLoader(DecoderRegistry.load()).load(dir);
        assertEquals(List.of("Samples/flagged.exe"), c.topLevelFiles().stream().map(PlantedFile::name).toList());
        assertTrue(v.change().condition().contains("when the 2 private files"), v.change().condition());
    }

    @Test
    void resizedKeepsNamesGrowsContentDeterministicallyAndKeepsCategories() throws Exception {
        List<CorpusEntry> entries = List.of(new CorpusEntry(corpus, "/home/user"));
        VariantCorpus.Variant v = VariantCorpus.materialize(entries, DEFAULT, CorpusVariant.RESIZED,
                tmp.resolve("work1"));
        Path dir = v.entries().get(0).from();
        byte[] s = Files.readAllBytes(dir.resolve("Documents/secret.docx"));
        byte[] mm = Files.readAllBytes(dir.resolve("Documents/memo.txt"));
        assertEquals(secret.length + secret.length / 2, s.length);
        assertEquals(memo.length + ResizedTail.MIN_TAIL_BYTES, mm.length); // short files get the minimum tail
        assertArrayEquals(secret, Arrays.copyOf(s, secret.length));
        assertArrayEquals(memo, Arrays.copyOf(mm, memo.length));
        assertFalse(Arrays.equals(Arrays.copyOfRange(s, secret.length, secret.length + 64),
                Arrays.copyOfRange(mm, memo.length, memo.length + 64)), "tails differ per file");
        assertArrayEquals(exe, Files.readAllBytes(dir.resolve("Samples/flagged.exe")));
        assertEquals(s.length + mm.length, v.variantBytes());
        Map<String, Category> m = CorpusManifest.load(dir.resolve(CorpusManifest.FILE_NAME)).categories();
        assertEquals(Category.DOCUMENT, m.get("Documents/secret.docx"));
        assertEquals(Category.DOCUMENT, m.get("Documents/memo.txt"));
        assertEquals(Category.EXECUTABLE, m.get("Samples/flagged.exe"));
        Corpus c = new CorpusLoader(DecoderRegistry.load()).load(dir);
        assertEquals(3, c.topLevelFiles().size());

        VariantCorpus.Variant again = VariantCorpus.materialize(entries, DEFAULT, CorpusVariant.RESIZED,
                tmp.resolve("work2"));
        assertArrayEquals(s, Files.readAllBytes(again.entries().get(0).from().resolve("Documents/secret.docx")));
        assertEquals(v.changedFiles(), again.changedFiles());
    }

    @Test
    void entriesWithoutPrivateFilesAreReturnedAsTheyAre() throws Exception {
        Path samples = tmp.resolve("samples");
        Files.createDirectories(samples);
        Files.write(samples.resolve("tool.exe"), exe);
        Files.writeString(samples.resolve(CorpusManifest.FILE_NAME), "files:\n  tool.exe: executable\n");
        CorpusEntry allowedDir = new CorpusEntry(samples, "/opt/samples");
        CorpusEntry allowedFile = new CorpusEntry(samples.resolve("tool.exe"), "/tmp/tool.exe");
        CorpusEntry privateFile = new CorpusEntry(corpus.resolve("Documents/secret.docx"), "/home/user/s.docx");
        List<CorpusEntry> entries = List.of(allowedDir, privateFile, allowedFile);

        VariantCorpus.Variant absent = VariantCorpus.materialize(entries, DEFAULT, CorpusVariant.ABSENT,
                tmp.resolve("a"));
        assertEquals(2, absent.entries().size());
        assertSame(allowedDir, absent.entries().get(0));
        assertSame(allowedFile, absent.entries().get(1));
        assertEquals(List.of("home/user/s.docx"), absent.changedFiles());

        VariantCorpus.Variant resized = VariantCorpus.materialize(entries, DEFAULT, CorpusVariant.RESIZED,
                tmp.resolve("r"));
        CorpusEntry copy = resized.entries().get(1);
        assertEquals("/home/user/s.docx", copy.to());
        assertEquals(secret.length * 3L / 2, Files.size(copy.from()));
        // The copy's own manifest gives it the category the original had from the manifest above it.
        assertEquals(Category.DOCUMENT, org.egressaudit.analyzers.corpus.CorpusManifest.listedAbove(copy.from()));
    }

    @Test
    void unlistedFilesAreJudgedByTheirSniffedCategory() throws Exception {
        Path dir = tmp.resolve("unlisted");
        Files.createDirectories(dir);
        Files.write(dir.resolve("run.exe"), exeHeader());
        Files.writeString(dir.resolve("notes.txt"), "a private note\n".repeat(50));
        VariantCorpus.Variant v = VariantCorpus.materialize(List.of(new CorpusEntry(dir, "/data")), DEFAULT,
                CorpusVariant.ABSENT, tmp.resolve("w"));
        Category note = PlantedCategory.of(dir.resolve("notes.txt"), "notes.txt", null);
        Category run = PlantedCategory.of(dir.resolve("run.exe"), "run.exe", null);
        assertEquals(Category.EXECUTABLE, run);
        assertFalse(DEFAULT.allows(note), "a text note is not an allowed category: " + note);
        assertEquals(List.of("data/notes.txt"), v.changedFiles());
        assertTrue(Files.exists(v.entries().get(0).from().resolve("run.exe")));
        assertFalse(Files.exists(v.entries().get(0).from().resolve(CorpusManifest.FILE_NAME)),
                "no manifest to keep consistent: none is invented");
    }

    @Test
    void nothingPrivateIsAnError() throws Exception {
        Policy all = new Policy(Set.of(Category.values()), 4096, List.of(), 4096);
        DifferentialException e = assertThrows(DifferentialException.class, () -> VariantCorpus.materialize(
                List.of(new CorpusEntry(corpus, "/home/user")), all, CorpusVariant.RESIZED, tmp.resolve("w")));
        assertTrue(e.getMessage().startsWith("the corpus has no file the policy forbids"), e.getMessage());
        assertTrue(e.getMessage().contains("a differential run would compare identical corpora"), e.getMessage());
    }

    @Test
    void absentWithEveryFilePrivateIsAnError() throws Exception {
        Policy none = new Policy(Set.of(), 4096, List.of(), 4096);
        DifferentialException e = assertThrows(DifferentialException.class, () -> VariantCorpus.materialize(
                List.of(new CorpusEntry(corpus, "/home/user")), none, CorpusVariant.ABSENT, tmp.resolve("w")));
        assertTrue(e.getMessage().contains("would plant nothing at all; use the 'resized' variant"), e.getMessage());
    }

    @Test
    void workDirMustBeFreshAndEntriesMustExist() throws Exception {
        Path used = tmp.resolve("used");
        Files.createDirectories(used);
        Files.writeString(used.resolve("x"), "x");
        DifferentialException e = assertThrows(DifferentialException.class, () -> VariantCorpus.materialize(
                List.of(new CorpusEntry(corpus, "/home/user")), DEFAULT, CorpusVariant.ABSENT, used));
        assertTrue(e.getMessage().contains("variant work directory is not empty"), e.getMessage());
        Exception missing = assertThrows(Exception.class, () -> VariantCorpus.materialize(
                List.of(new CorpusEntry(tmp.resolve("nope"), "/home/user")), DEFAULT, CorpusVariant.ABSENT,
                tmp.resolve("w")));
        assertTrue(missing.getMessage().contains("nope: corpus entry for /home/user not found"), missing.getMessage());
    }

    @Test
    void generatedEntriesAreGeneratedThenVaried() throws Exception {
        CorpusEntry g = CorpusEntry.generated("standard", 42, "/home/user");
        VariantCorpus.Variant v = VariantCorpus.materialize(List.of(g), DEFAULT, CorpusVariant.ABSENT,
                tmp.resolve("g"));
        assertFalse(v.changedFiles().isEmpty());
        Path dir = v.entries().get(0).from();
        for (String f : v.changedFiles()) {
            assertFalse(Files.exists(dir.resolve(f.substring("home/user/".length()))), f);
        }
        Corpus c = new CorpusLoader(DecoderRegistry.load()).load(dir);
        assertTrue(c.topLevelFiles().stream().allMatch(f -> DEFAULT.allows(f.category())),
                "only allowed files remain: " + c.topLevelFiles().stream().map(f -> f.name() + "=" + f.category())
                        .toList());
    }

    @Test
    void variantNamesParse() {
        assertEquals(CorpusVariant.RESIZED, CorpusVariant.fromId(" Resized "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CorpusVariant.fromId("gone"));
        assertEquals("unknown corpus variant 'gone' (valid: absent, resized)", e.getMessage());
    }

    private void write(String rel, byte[] data) throws IOException {
        Path p = corpus.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, data);
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    /** The start of an ELF64 executable: enough for the sniffer. */
    private static byte[] exeHeader() {
        byte[] b = new byte[256];
        b[0] = 0x7f;
        b[1] = 'E';
        b[2] = 'L';
        b[3] = 'F';
        b[4] = 2;
        b[5] = 1;
        b[6] = 1;
        b[16] = 2;
        b[18] = 0x3e;
        return b;
    }
}
