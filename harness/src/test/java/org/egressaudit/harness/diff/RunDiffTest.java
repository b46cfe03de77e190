package org.egressaudit.harness.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Comparisons of small hand-made report.json pairs. */
class RunDiffTest {

    /** A finding in report.json form. */
    static String finding(String effect, String kind, String file, String category, String dest) {
        return "{\"id\":1,\"kind\":\"" + kind + "\",\"effect\":\"" + effect + "\",\"plantedFile\":"
                + (file == null ? "null" : "\"" + file + "\"") + ",\"category\":\"" + category
                + "\",\"destination\":\"" + dest + "\",\"flow\":\"tcp 10.0.0.2:4000 -> 10.0.0.1:443\"}";
    }

    /** An outbound transmission in report.json form. */
    static String tx(String dest, long bytes, String flow) {
        return "{\"id\":1,\"direction\":\"out\",\"protocol\":\"http\",\"flow\":\"" + flow + "\",\"destination\":\""
                + dest + "\",\"bytes\":" + bytes + "}";
    }

    /** Writes a run folder with report.json and run.json. */
    static Path run(Path parent, String folder, String scenario, String verdict, List<String> findings,
                    List<String> transmissions, List<String> connections) throws Exception {
        Path dir = Files.createDirectories(parent.resolve(folder));
        Files.writeString(dir.resolve("report.json"), "{\"schemaVersion\":\"1\",\"verdict\":\"" + verdict
                + "\",\"findings\":[" + String.join(",", findings) + "],\"transmissions\":["
                + String.join(",", transmissions) + "],\"connections\":[" + String.join(",", connections) + "]}");
        Files.writeString(dir.resolve("run.json"), "{\"scenario\":\"" + scenario
                + "\",\"started\":\"2026-01-01T00:00:00Z\"}");
        return dir;
    }

    static final String FLOW = "tcp 10.0.0.2:4000 -> 10.0.0.1:443";

    @Test
    void sameRunsAreNotWorse(@TempDir Path d) throws Exception {
        List<String> f = List.of(finding("FAIL", "whole", "home/u/a.docx", "document", "up.example"));
        List<String> t = List.of(tx("up.example", 1000, FLOW));
        RunReport a = RunReport.read(run(d, "a", "s", "FAIL", f, t, List.of()));
        RunReport b = RunReport.read(run(d, "b", "s", "FAIL", f, t, List.of()));
        RunDiff diff = RunDiff.compare(a, b, 0.5);
        assertFalse(diff.worse());
        assertTrue(diff.unchanged());
    }

    @Test
    void aNewPlantedFileCategoryFindingAndDestinationMakeBWorse(@TempDir Path d) throws Exception {
        RunReport a = RunReport.read(run(d, "a", "s", "PASS", List.of(), List.of(tx("up.example", 100, FLOW)),
                List.of()));
        RunReport b = RunReport.read(run(d, "b", "s", "FAIL",
                List.of(finding("FAIL", "whole", "home/u/a.docx", "document", "exfil.example")),
                List.of(tx("up.example", 100, FLOW), tx("exfil.example", 5000, FLOW)), List.of()));
        RunDiff diff = RunDiff.compare(a, b, 0.5);
        assertTrue(diff.worse());
        assertTrue(diff.verdictWorse());
        assertEquals(List.of("exfil.example"), diff.newDestinations());
        assertEquals(List.of("document"), diff.newCategories());
        assertEquals(List.of("home/u/a.docx"), diff.newPlantedFiles());
        assertEquals(1, diff.newBlockingFindings().size());
        assertTrue(diff.volumeChanges().isEmpty(), "a new destination is not a volume change");
    }

    @Test
    void aBetterRunIsNotWorseAndSaysWhatWentAway(@TempDir Path d) throws Exception {
        RunReport a = RunReport.read(run(d, "a", "s", "FAIL",
                List.of(finding("FAIL", "whole", "home/u/a.docx", "document", "up.example")),
                List.of(tx("up.example", 1000, FLOW)), List.of()));
        RunReport b = RunReport.read(run(d, "b", "s", "PASS", List.of(), List.of(tx("up.example", 900, FLOW)),
                List.of()));
        RunDiff diff = RunDiff.compare(a, b, 0.5);
        assertFalse(diff.worse());
        assertTrue(diff.verdictChanged());
        assertEquals(1, diff.goneBlockingFindings().size());
        assertTrue(diff.volumeChanges().isEmpty(), "-10% is within 50%");
    }

    @Test
    void aDestinationAlsoSeenInAIsNotNewButAnOpaqueFindingThereIs(@TempDir Path d) throws Exception {
        RunReport a = RunReport.read(run(d, "a", "s", "PASS", List.of(), List.of(tx("up.example", 10, FLOW)),
                List.of()));
        RunReport b = RunReport.read(run(d, "b", "s", "OPAQUE",
                List.of(finding("OPAQUE", "opaque", null, "unknown", "up.example")),
                List.of(tx("up.example", 10, FLOW)), List.of()));
        RunDiff diff = RunDiff.compare(a, b, 0.5);
        assertTrue(diff.newDestinations().isEmpty());
        assertTrue(diff.newCategories().isEmpty(), "OPAQUE findings say nothing about categories leaving");
        assertTrue(diff.worse());
    }

    @Test
    void volumeChangesBeyondTheThresholdAreReportedButDoNotMakeBWorse(@TempDir Path d) throws Exception {
        RunReport a = RunReport.read(run(d, "a", "s", "PASS", List.of(),
                List.of(tx("up.example", 1000, FLOW), tx("t.example", 1000, FLOW), tx("z.example", 0, FLOW)),
                List.of()));
        RunReport b = RunReport.read(run(d, "b", "s", "PASS", List.of(),
                List.of(tx("up.example", 1400, FLOW), tx("t.example", 1600, FLOW), tx("t.example", 100, FLOW),
                        tx("z.example", 5, FLOW)), List.of()));
        RunDiff diff = RunDiff.compare(a, b, 0.5);
        assertEquals(List.of("t.example", "z.example"),
                diff.volumeChanges().stream().map(RunDiff.VolumeChange::destination).toList());
        assertEquals(1700, diff.volumeChanges().get(0).bytesB(), "bytes add up per destination");
        assertEquals(0.7, diff.volumeChanges().get(0).relative(), 1e-9);
        assertTrue(Double.isInfinite(diff.volumeChanges().get(1).relative()));
        assertFalse(diff.worse());
        assertEquals(3, RunDiff.compare(a, b, 0.3).volumeChanges().size(), "+40% is beyond 30%");
    }

    @Test
    void connectionsWithoutTransmissionsCountButNotTheResolverNorLinkLocalNoise(@TempDir Path d) throws Exception {
        String dns = "{\"flow\":\"udp 10.0.0.2:5000 -> 10.0.0.1:53\",\"server\":\"10.0.0.1:53\",\"protocol\":\"dns\"}";
        String gw = "{\"flow\":\"tcp 10.0.0.2:5001 -> 10.0.0.1:443\",\"server\":\"10.0.0.1:443\",\"protocol\":\"tcp\"}";
        String direct = "{\"flow\":\"tcp 10.0.0.2:5002 -> 203.0.113.9:8443\",\"server\":\"203.0.113.9:8443\","
                + "\"protocol\":\"tcp\"}";
        String v6 = "{\"flow\":\"tcp x\",\"server\":\"[2001:db8::7]:443\",\"protocol\":\"tcp\"}";
        RunReport a = RunReport.read(run(d, "a", "s", "PASS", List.of(), List.of(), List.of()));
        RunReport b = RunReport.read(run(d, "b", "s", "PASS", List.of(),
                List.of(tx("ff02::16", 88, "icmpv6 [fe80::1] -> [ff02::16]"), tx("224.0.0.251", 40, "udp y")),
                List.of(dns, gw, direct, v6)));
        assertEquals(List.of("2001:db8::7", "203.0.113.9"), RunDiff.compare(a, b, 0.5).newDestinations());
    }

    @Test
    void suitesArePairedByScenarioNameUsingTheLatestRepeat(@TempDir Path d) throws Exception {
        Path sa = d.resolve("A");
        Path sb = d.resolve("B");
        run(sa, "20260101-000000-one-aaaa", "one", "PASS", List.of(), List.of(), List.of());
        run(sa, "20260101-000000-two-aaaa", "two", "FAIL",
                List.of(finding("FAIL", "whole", "home/u/a.docx", "document", "up.example")), List.of(), List.of());
        run(sb, "20260101-000000-one-bbbb", "one", "FAIL",
                List.of(finding("FAIL", "whole", "home/u/b.pdf", "document", "up.example")), List.of(), List.of());
        Path later = run(sb, "20260101-000001-one-cccc", "one", "PASS", List.of(), List.of(), List.of());
        Files.writeString(later.resolve("run.json"), "{\"scenario\":\"one\",\"started\":\"2026-01-01T00:00:01Z\"}");
        run(sb, "20260101-000000-two-bbbb", "two", "FAIL",
                List.of(finding("FAIL", "whole", "home/u/a.docx", "document", "up.example")), List.of(), List.of());
        SuiteDiff diff = SuiteDiff.compare(RunSet.load(sa), RunSet.load(sb), 0.5);
        assertEquals(2, diff.pairs().size());
        assertFalse(diff.worse(), "the latest run of 'one' passes");
        assertEquals(1, diff.b().notes().size());
        assertEquals("PASS", diff.byScenario().get("one").b().verdict());
    }

    @Test
    void aMissingReportIsNamed(@TempDir Path d) throws Exception {
        Path dir = Files.createDirectories(d.resolve("r"));
        Files.writeString(dir.resolve("run.json"), "{\"scenario\":\"s\"}");
        BadRunInputException e = assertThrows(BadRunInputException.class, () -> RunSet.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("report.json").toString()), e.getMessage());
        assertThrows(BadRunInputException.class, () -> RunSet.load(d.resolve("nowhere")));
        Files.writeString(dir.resolve("report.json"), "{not json");
        assertThrows(BadRunInputException.class, () -> RunSet.load(dir));
    }
}
