package org.egressaudit.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `egress-audit diff` end to end over hand-made run folders: table, exit codes. */
class DiffCommandTest {

    static Path run(Path dir, String scenario, String verdict, String findings, String transmissions)
            throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.json"), "{\"verdict\":\"" + verdict + "\",\"findings\":[" + findings
                + "],\"transmissions\":[" + transmissions + "],\"connections\":[]}");
        Files.writeString(dir.resolve("run.json"), "{\"scenario\":\"" + scenario + "\"}");
        return dir;
    }

    static final String LEAK = "{\"kind\":\"whole\",\"effect\":\"FAIL\",\"plantedFile\":\"home/u/secret.docx\","
            + "\"category\":\"document\",\"destination\":\"exfil.example\"}";
    static final String TX = "{\"direction\":\"out\",\"flow\":\"f\",\"destination\":\"up.example\",\"bytes\":100}";
    static final String TX2 = "{\"direction\":\"out\",\"flow\":\"g\",\"destination\":\"exfil.example\",\"bytes\":9}";

    @Test
    void worseIsExitOneSameIsZeroBadInputIsTwo(@TempDir Path d) throws Exception {
        Path a = run(d.resolve("a"), "s", "PASS", "", TX);
        Path b = run(d.resolve("b"), "s", "FAIL", LEAK, TX + "," + TX2);
        String[] r = RunCommandTest.run("diff", a.toString(), b.toString());
        assertEquals("1", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("WORSE") && r[1].contains("new destination:  exfil.example")
                && r[1].contains("new planted file: home/u/secret.docx") && r[1].contains("PASS -> FAIL"), r[1]);

        r = RunCommandTest.run("diff", b.toString(), a.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("(better)"), r[1]);

        r = RunCommandTest.run("diff", a.toString(), a.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("same"), r[1]);

        Path broken = Files.createDirectories(d.resolve("broken"));
        Files.writeString(broken.resolve("run.json"), "{\"scenario\":\"s\"}");
        r = RunCommandTest.run("diff", a.toString(), broken.toString());
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(r[2].contains(broken.resolve("report.json").toString()), r[2]);
    }

    @Test
    void volumeThresholdIsAnOption(@TempDir Path d) throws Exception {
        Path a = run(d.resolve("A/r1"), "s", "PASS", "", TX);
        Path b = run(d.resolve("B/r1"), "s", "PASS", "", TX.replace("100", "130"));
        String[] r = RunCommandTest.run("diff", a.getParent().toString(), b.getParent().toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(!r[1].contains("volume:"), r[1]);
        r = RunCommandTest.run("diff", a.getParent().toString(), b.getParent().toString(), "--volume-threshold",
                "0.2");
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("volume:") && r[1].contains("+30%"), r[1]);
        r = RunCommandTest.run("diff", a.toString(), b.toString(), "--volume-threshold", "-1");
        assertEquals("2", r[0]);
    }

    @Test
    void suitesWithNothingInCommonAreBadInput(@TempDir Path d) throws Exception {
        run(d.resolve("A/r1"), "one", "PASS", "", "");
        run(d.resolve("B/r1"), "two", "PASS", "", "");
        String[] r = RunCommandTest.run("diff", d.resolve("A").toString(), d.resolve("B").toString());
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(List.of(r[2].split("\n")).stream().anyMatch(l -> l.contains("no scenario appears in both")), r[2]);
    }
}
