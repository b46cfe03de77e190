package org.egressaudit.harness.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

class DifferentialAnalysisTest {
    private static final String CLOUD = "cloud.vendor.example";
    private static final CorpusChange ABSENT = new CorpusChange(CorpusVariant.ABSENT,
            List.of("home/user/Documents/secret.docx"), 17_000, 0);
    private static final CorpusChange RESIZED = new CorpusChange(CorpusVariant.RESIZED,
            List.of("home/user/Documents/secret.docx", "home/user/Documents/memo.txt"), 20_000, 36_384);

    /**
     * An honest, chatty agent: JSON events with uuids in the path and a few hundred bytes of variation per run
     * (timestamps, counters), a heartbeat every few seconds on TLS without keys, DNS look-ups, hash look-ups of
     * constant size. Runs are identical in distribution whatever the label.
     */
    private static void honest(Traffic t, Random rnd) {
        int events = 20 + rnd.nextInt(3);
        for (int i = 0; i < events; i++) {
            t.http(CLOUD, 443, "POST", "/v2/events/" + UUID.randomUUID() + "?seq=" + i + "&ts=" + rnd.nextInt(),
                    900 + rnd.nextInt(120), 0);
        }
        t.tls("update.vendor.example", 3000 + rnd.nextInt(400));
        for (int i = 0; i < 3; i++) {
            t.http(CLOUD, 443, "POST", "/api/v1/lookup", 310, 0);
        }
        t.dns("cloud.vendor.example", "vendor.example", "A", 38);
        t.dns(Long.toHexString(rnd.nextLong() | 1L << 62) + ".telemetry.vendor.example", "vendor.example", "TXT", 60);
        t.inbound(CLOUD, 50_000 + rnd.nextInt(10_000));
    }

    private static List<LabelledRun> runs(int pairs, long seed, BiConsumer<Traffic, Random> control,
                                          BiConsumer<Traffic, Random> variant) {
        Random rnd = new Random(seed);
        List<LabelledRun> out = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            Traffic c = new Traffic();
            control.accept(c, rnd);
            out.add(new LabelledRun(RunLabel.CONTROL, c.traffic("control-" + i)));
            Traffic v = new Traffic();
            variant.accept(v, rnd);
            out.add(new LabelledRun(RunLabel.VARIANT, v.traffic("variant-" + i)));
        }
        return out;
    }

    @Test
    void honestNoisyTelemetryIsNeverReportedOverManyDifferentials() throws Exception {
        DifferentialAnalysis analysis = new DifferentialAnalysis();
        for (long seed = 0; seed < 300; seed++) {
            DifferentialReport r = analysis.analyze(runs(5, seed, DifferentialAnalysisTest::honest,
                    DifferentialAnalysisTest::honest), RESIZED);
            assertEquals(List.of(), r.findings(), "seed " + seed + ": " + r.sentences());
        }
        DifferentialReport r = analysis.analyze(runs(5, 1, DifferentialAnalysisTest::honest,
                DifferentialAnalysisTest::honest), RESIZED);
        // The noise table lists every shape, each with why it was not reported.
        assertEquals(List.of("dns vendor.example A cloud.vendor.example", "dns vendor.example TXT {x}.telemetry.vendor.example",
                "http cloud.vendor.example:443 POST /api/v1/lookup", "http cloud.vendor.example:443 POST /v2/events/{id}?seq&ts",
                "tls update.vendor.example:443 session"), r.shapes().stream().map(c -> c.shape().key()).toList());
        ShapeComparison events = r.shapes().get(3);
        assertTrue(events.bytes().noise() > 300, events.toString());
        assertTrue(events.reason().startsWith("not reported"), events.reason());
        ShapeComparison lookup = r.shapes().get(2);
        assertEquals(ShapeComparison.Outcome.RANGES_OVERLAP, lookup.outcome());
        assertEquals(0, lookup.bytes().noise());
        assertTrue(r.sentences().get(0).contains("no transmission changed"), r.sentences().get(0));
    }

    @Test
    void encryptedUploadThatGrowsByTheDocumentIsReportedWithItsDelta() throws Exception {
        BiConsumer<Traffic, Random> withDoc = (t, rnd) -> {
            honest(t, rnd);
            t.http(CLOUD, 443, "POST", "/v2/telemetry", 1_000 + rnd.nextInt(200) + 17_240, 17_240);
        };
        BiConsumer<Traffic, Random> withoutDoc = (t, rnd) -> {
            honest(t, rnd);
            t.http(CLOUD, 443, "POST", "/v2/telemetry", 1_000 + rnd.nextInt(200), 0);
        };
        DifferentialReport r = new DifferentialAnalysis().analyze(runs(5, 7, withDoc, withoutDoc), ABSENT);
        assertEquals(1, r.findings().size(), r.sentences().toString());
        DifferentialFinding f = r.findings().get(0);
        assertEquals("http cloud.vendor.example:443 POST /v2/telemetry", f.shape().key());
        assertEquals(DifferentialFinding.Change.GREW, f.change());
        assertEquals(ShapeComparison.Outcome.SIZE_CHANGE, f.basis());
        assertEquals(17_240, f.deltaBytes(), 200);
        assertTrue(f.noise() < 200, "noise " + f.noise());
        assertTrue(f.opaque());
        assertTrue(f.sentence().startsWith("POST /v2/telemetry to cloud.vendor.example:443 grew by 17,"), f.sentence());
        assertTrue(f.sentence().contains("when home/user/Documents/secret.docx was present; its body is opaque"),
                f.sentence());
        assertTrue(f.statistic().contains("do not overlap") && f.statistic().contains("plus the margin")
                && f.statistic().contains("0.79 %"), f.statistic());
        assertEquals(10, f.evidence().size());
        assertEquals(5, f.controlTotals().size());
        assertTrue(f.evidence().stream().allMatch(e -> e.transmissions().size() == 1));
        assertEquals("POST /v2/telemetry HTTP/1.1", f.summary());

        ObjectNode json = r.toJson();
        assertEquals("differential", json.get("findings").get(0).get("kind").asText());
        assertEquals(10, json.get("findings").get(0).get("evidence").size());
        assertEquals(6, json.get("noise").size());
        assertEquals("absent", json.get("variant").asText());
        assertTrue(r.sentences().get(1).contains("differential: POST /v2/telemetry"), r.sentences().toString());
    }

    @Test
    void resizedVariantReadsTheGrowthOnTheVariantSide() throws Exception {
        // Under RESIZED the variant runs hold more private content: an upload that grows with it grows there.
        DifferentialReport r = new DifferentialAnalysis().analyze(runs(3, 3,
                (t, rnd) -> t.http(CLOUD, 443, "PUT", "/blob/" + UUID.randomUUID(), 20_000 + rnd.nextInt(50), 19_000),
                (t, rnd) -> t.http(CLOUD, 443, "PUT", "/blob/" + UUID.randomUUID(), 36_384 + rnd.nextInt(50), 35_000)),
                RESIZED);
        DifferentialFinding f = r.findings().get(0);
        assertEquals(DifferentialFinding.Change.GREW, f.change());
        assertEquals(16_384, f.deltaBytes(), 60);
        assertTrue(f.opaque());
        assertTrue(f.sentence().contains("when the 2 private files (home/user/Documents/secret.docx, "
                + "home/user/Documents/memo.txt) were 16,384 bytes larger in total"), f.sentence());
    }

    @Test
    void requestThatAppearsOnlyWithTheDocumentIsReported() throws Exception {
        DifferentialReport r = new DifferentialAnalysis().analyze(runs(5, 11, (t, rnd) -> {
            honest(t, rnd);
            t.http("files.vendor.example", 80, "PUT", "/u/" + Long.toHexString(rnd.nextLong() | 1L << 60), 9_000, 100);
        }, DifferentialAnalysisTest::honest), ABSENT);
        assertEquals(1, r.findings().size(), r.sentences().toString());
        DifferentialFinding f = r.findings().get(0);
        assertEquals(DifferentialFinding.Change.APPEARS_ONLY, f.change());
        assertEquals("PUT /u/{id}", f.shape().request());
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L), f.variantTotals());
        assertFalse(f.opaque());
        assertTrue(f.sentence().contains("(9,000 bytes per run) appears only when home/user/Documents/secret.docx "
                + "was present"), f.sentence());
        assertTrue(f.evidence().stream().filter(e -> e.label() == RunLabel.VARIANT)
                .allMatch(e -> e.transmissions().isEmpty()));
    }

    @Test
    void smallRequestsPerPrivateFileAreReportedAsACountChange() throws Exception {
        // Three DNS queries of 40 bytes per private file: 120 bytes, inside the byte margin, but a consistent count.
        BiConsumer<Traffic, Random> queries = (t, rnd) -> {
            honest(t, rnd);
            for (int i = 0; i < 3; i++) {
                t.dns(Long.toHexString(rnd.nextLong() | 1L << 62) + ".rep.vendor.example", "vendor.example", "A", 40);
            }
        };
        DifferentialReport r = new DifferentialAnalysis().analyze(runs(4, 5, queries,
                DifferentialAnalysisTest::honest), ABSENT);
        assertEquals(1, r.findings().size(), r.sentences().toString());
        DifferentialFinding f = r.findings().get(0);
        assertEquals(ShapeComparison.Outcome.COUNT_CHANGE, f.basis());
        assertEquals(DifferentialFinding.Change.APPEARS_ONLY, f.change());
        assertEquals(3, f.deltaRequests(), 1e-9);
        assertEquals(120, f.deltaBytes(), 1e-9);
        assertTrue(f.statistic().contains("its bytes changed by 120 B, within the noise"), f.statistic());
        assertEquals("dns vendor.example A {x}.rep.vendor.example", f.shape().key());
    }

    @Test
    void countChangeOfAShapePresentOnBothSides() throws Exception {
        DifferentialReport r = new DifferentialAnalysis().analyze(runs(3, 5, (t, rnd) -> {
            for (int i = 0; i < 5; i++) {
                t.http(CLOUD, 80, "POST", "/ping", 50, 0);
            }
        }, (t, rnd) -> {
            for (int i = 0; i < 3; i++) {
                t.http(CLOUD, 80, "POST", "/ping", 50, 0);
            }
        }), ABSENT);
        DifferentialFinding f = r.findings().get(0);
        assertEquals(DifferentialFinding.Change.GREW, f.change());
        assertTrue(f.sentence().contains("made 2 more requests per run (+100 bytes)"), f.sentence());
    }

    @Test
    void overlappingRangesAreNotReportedEvenWithADifferentMean() throws Exception {
        List<Long> control = List.of(1_000L, 9_000L, 5_000L);
        List<Long> variant = List.of(3_000L, 3_100L, 3_050L);
        List<LabelledRun> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(new LabelledRun(RunLabel.CONTROL, new Traffic().http(CLOUD, 80, "POST", "/x", control.get(i), 0)
                    .traffic("c" + i)));
            runs.add(new LabelledRun(RunLabel.VARIANT, new Traffic().http(CLOUD, 80, "POST", "/x", variant.get(i), 0)
                    .traffic("v" + i)));
        }
        DifferentialReport r = new DifferentialAnalysis().analyze(runs, ABSENT);
        assertEquals(List.of(), r.findings());
        ShapeComparison c = r.shapes().get(0);
        assertEquals(ShapeComparison.Outcome.RANGES_OVERLAP, c.outcome());
        assertEquals(8_000, c.bytes().noise());
        assertTrue(c.reason().contains("[1,000, 9,000] B (control) vs [3,000, 3,100] B (variant) overlap"), c.reason());
    }

    @Test
    void separatedRangesWithinNoisePlusMarginAreNotReported() throws Exception {
        List<Long> control = List.of(10_000L, 10_400L);
        List<Long> variant = List.of(10_450L, 10_800L);
        List<LabelledRun> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            runs.add(new LabelledRun(RunLabel.CONTROL, new Traffic().http(CLOUD, 80, "POST", "/x", control.get(i), 0)
                    .traffic("c" + i)));
            runs.add(new LabelledRun(RunLabel.VARIANT, new Traffic().http(CLOUD, 80, "POST", "/x", variant.get(i), 0)
                    .traffic("v" + i)));
        }
        DifferentialReport r = new DifferentialAnalysis().analyze(runs, ABSENT);
        assertEquals(List.of(), r.findings());
        ShapeComparison c = r.shapes().get(0);
        assertEquals(ShapeComparison.Outcome.WITHIN_NOISE, c.outcome());
        assertEquals(425, c.bytes().signal(), 1e-9);
        assertEquals(400, c.bytes().noise());
        assertEquals(531.25, c.bytes().margin(), 1e-9); // 5 % of the larger mean, 10,625
        assertTrue(c.reason().contains("the difference of means (425 B) does not exceed the noise (400 B) plus "
                + "margin (531 B)"), c.reason());
        // Two runs of each separate by chance one time in three: the report says so.
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("probability 33 %")), r.warnings().toString());
    }

    @Test
    void marginBoundaryAndAShapeSentOnlyWithoutThePrivateFiles() throws Exception {
        List<LabelledRun> runs = new ArrayList<>();
        long[] c = {10_000, 10_100};
        long[] v = {10_460, 10_500}; // noise 100, margin max(256 B, 5 % of 10,480) = 524 B, signal 430: not reported
        long[] y = {700, 740}; // only in variant runs: signal 720 > noise 40 + margin 256: reported
        for (int i = 0; i < 2; i++) {
            runs.add(new LabelledRun(RunLabel.CONTROL, new Traffic().http(CLOUD, 80, "POST", "/x", c[i], 0)
                    .traffic("c" + i)));
            runs.add(new LabelledRun(RunLabel.VARIANT, new Traffic().http(CLOUD, 80, "POST", "/x", v[i], 0)
                    .http(CLOUD, 80, "POST", "/y", y[i], 0).traffic("v" + i)));
        }
        DifferentialReport r = new DifferentialAnalysis().analyze(runs, ABSENT);
        assertEquals(1, r.findings().size(), r.sentences().toString());
        DifferentialFinding f = r.findings().get(0);
        assertEquals("POST /y", f.shape().request());
        // Under ABSENT the control runs hold the private file; /y is sent only by the variant runs.
        assertEquals(DifferentialFinding.Change.DISAPPEARS, f.change());
        assertEquals(-720, f.deltaBytes(), 1e-9);
        assertTrue(f.sentence().contains("disappears when home/user/Documents/secret.docx was present"), f.sentence());
        assertEquals(ShapeComparison.Outcome.WITHIN_NOISE, r.shapes().get(0).outcome());
    }

    @Test
    void needsTwoRunsOfEachLabelAndDistinctRunIds() {
        List<LabelledRun> one = List.of(
                new LabelledRun(RunLabel.CONTROL, new Traffic().traffic("c0")),
                new LabelledRun(RunLabel.CONTROL, new Traffic().traffic("c1")),
                new LabelledRun(RunLabel.VARIANT, new Traffic().traffic("v0")));
        DifferentialException e = assertThrows(DifferentialException.class,
                () -> new DifferentialAnalysis().analyze(one, ABSENT));
        assertTrue(e.getMessage().contains("at least 2 control runs and 2 variant runs, got 2 control and 1 variant"),
                e.getMessage());
        List<LabelledRun> dup = List.of(
                new LabelledRun(RunLabel.CONTROL, new Traffic().traffic("r")),
                new LabelledRun(RunLabel.CONTROL, new Traffic().traffic("c1")),
                new LabelledRun(RunLabel.VARIANT, new Traffic().traffic("r")),
                new LabelledRun(RunLabel.VARIANT, new Traffic().traffic("v1")));
        e = assertThrows(DifferentialException.class, () -> new DifferentialAnalysis().analyze(dup, ABSENT));
        assertTrue(e.getMessage().contains("run 'r' is given more than once"), e.getMessage());
    }

    @Test
    void separationProbabilityIsTwoOverBinomial() {
        assertEquals(2.0 / 252, DifferentialAnalysis.separationProbability(5, 5), 1e-12);
        assertEquals(1.0 / 3, DifferentialAnalysis.separationProbability(2, 2), 1e-12);
        assertEquals(2.0 / 10, DifferentialAnalysis.separationProbability(2, 3), 1e-12);
    }

    @Test
    void runWarningsReachTheReport() throws Exception {
        List<LabelledRun> runs = List.of(
                new LabelledRun(RunLabel.CONTROL, new Traffic().omitted(12).traffic("c0")),
                new LabelledRun(RunLabel.CONTROL, new Traffic().traffic("c1")),
                new LabelledRun(RunLabel.VARIANT, new Traffic().traffic("v0")),
                new LabelledRun(RunLabel.VARIANT, new Traffic().traffic("v1")));
        DifferentialReport r = new DifferentialAnalysis().analyze(runs, ABSENT);
        assertTrue(r.warnings().get(0).startsWith("c0: the analysis kept no record of 12 transmissions"),
                r.warnings().toString());
    }
}
