package org.egressaudit.harness.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusCommandTest {
    @Test
    void generatesTheSameCorpusForTheSameSeed(@TempDir Path dir) throws Exception {
        AnalyzeCommandTest.Run a = AnalyzeCommandTest.run("corpus", "generate", "--out", dir.resolve("a").toString(),
                "--seed", "9");
        AnalyzeCommandTest.Run b = AnalyzeCommandTest.run("corpus", "generate", "--out", dir.resolve("b").toString(),
                "--seed", "9", "--recipe", "standard");
        assertEquals(ExitCodes.PASS, a.code(), a.err());
        assertEquals(ExitCodes.PASS, b.code(), b.err());
        assertTrue(a.out().contains("Documents/secret.docx"), a.out());
        assertTrue(a.out().contains("(recipe standard, seed 9)"), a.out());
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/Documents/secret.docx")),
                Files.readAllBytes(dir.resolve("b/Documents/secret.docx")));
    }

    @Test
    void bannerOptionReachesTheDocuments(@TempDir Path dir) throws Exception {
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("corpus", "generate", "--out", dir.toString(),
                "--banner", "SECRET//NOFORN");
        assertEquals(ExitCodes.PASS, r.code(), r.err());
        assertTrue(Files.readString(dir.resolve("Documents/memo.txt")).contains("SECRET//NOFORN"));
    }

    @Test
    void badArgumentsExitTwo(@TempDir Path dir) throws Exception {
        assertEquals(ExitCodes.BAD_INPUT, AnalyzeCommandTest.run("corpus", "generate").code(), "no --out");
        assertEquals(ExitCodes.BAD_INPUT, AnalyzeCommandTest.run("corpus", "generate", "--out", dir.toString(),
                "--seed", "abc").code());
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("corpus", "generate", "--out", dir.toString(), "--recipe",
                "huge");
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("unknown recipe 'huge' (known: standard)"), r.err());
        assertEquals(ExitCodes.BAD_INPUT, AnalyzeCommandTest.run("corpus", "generate", "--out", dir.toString(),
                "--banner", "").code(), "blank banner");
        Files.writeString(dir.resolve("existing.txt"), "x");
        r = AnalyzeCommandTest.run("corpus", "generate", "--out", dir.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("empty directory"), r.err());
        assertEquals(ExitCodes.BAD_INPUT, AnalyzeCommandTest.run("corpus").code(), "no subcommand");
    }
}
