package org.egressaudit.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.analyzers.engine.AnalyzedTransmission;
import org.egressaudit.analyzers.engine.Finding;
import org.egressaudit.analyzers.engine.FindingKind;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.analyzers.protocol.Transmission;
import org.egressaudit.harness.sandbox.TestImages;
import org.egressaudit.harness.scenario.Scenario;
import org.egressaudit.harness.scenario.ScenarioLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evasive and the load-case reference agents, run for real: {@code stealthy} must be caught at every trick
 * (split over connections, encoded, DNS labels, an encrypted blob), and {@code telemetry-heavy} must pass with
 * tens of MB captured without loss and analysed in reasonable time.
 */
class ReferenceAgentsIT {
    static final String DOCS = "home/user/Documents/Documents/";
    static final Duration LOAD_CASE_LIMIT = Duration.ofMinutes(3);

    @TempDir
    static Path runs;
    static final Map<String, RunOutcome> outcomes = new LinkedHashMap<>();
    static final Map<String, Duration> took = new LinkedHashMap<>();
    static final StringWriter progress = new StringWriter();

    @BeforeAll
    static void runScenarios() throws Exception {
        TestImages.sandboxImage(); // builds the base image once if missing
        ScenarioRunner runner = ScenarioFixture.repoRunner(runs, progress);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Map<String, Future<RunOutcome>> fs = new LinkedHashMap<>();
            for (String name : List.of("stealthy", "telemetry-heavy")) {
                Scenario s = ScenarioLoader.load(ScenarioFixture.REPO_SCENARIOS.resolve("container/" + name + ".yaml"));
                fs.put(name, pool.submit(() -> {
                    long t0 = System.nanoTime();
                    RunOutcome o = runner.run(s);
                    synchronized (took) {
                        took.put(name, Duration.ofNanos(System.nanoTime() - t0));
                    }
                    return o;
                }));
            }
            for (Map.Entry<String, Future<RunOutcome>> e : fs.entrySet()) {
                outcomes.put(e.getKey(), e.getValue().get());
            }
        } finally {
            pool.shutdown();
        }
    }

    static RunOutcome outcome(String name) {
        RunOutcome o = outcomes.get(name);
        assertNotNull(o, name + " not run: " + outcomes.keySet());
        assertNotNull(o.result(), name + ": " + o.problem() + "\n" + progress);
        assertTrue(o.capture().complete(), name + " capture lost packets: " + o.capture());
        return o;
    }

    static String describe(RunOutcome o) {
        return o.verdict() + " " + o.result().findings().stream()
                .map(f -> f.kind() + ":" + f.effect() + ":" + f.plantedFile() + ":" + f.destination() + ":"
                        + f.decodeChain())
                .collect(Collectors.joining(", ")) + " notes=" + o.notes() + " warnings=" + o.result().warnings();
    }

    static Finding only(RunOutcome o, FindingKind kind, String plantedFile) {
        List<Finding> fs = o.result().findings().stream()
                .filter(f -> f.kind() == kind && plantedFile.equals(f.plantedFile())).toList();
        assertEquals(1, fs.size(), kind + " " + plantedFile + ": " + describe(o));
        return fs.get(0);
    }

    @Test
    void stealthyAgentFails() {
        RunOutcome o = outcome("stealthy");
        assertEquals(Verdict.FAIL, o.verdict(), describe(o));
        assertTrue(o.asExpected());
    }

    @Test
    void aDocumentSplitOverThreeConnectionsIsAttributedFragmentByFragmentAndCoveredWhole() {
        RunOutcome o = outcome("stealthy");
        List<Finding> fragments = o.result().findings().stream()
                .filter(f -> f.kind() == FindingKind.FRAGMENT && (DOCS + "secret.docx").equals(f.plantedFile()))
                .toList();
        assertEquals(3, fragments.size(), describe(o));
        Set<String> flows = fragments.stream().map(Finding::flow).collect(Collectors.toSet());
        assertEquals(3, flows.size(), "each third on its own TCP connection: " + flows);
        long start = 0;
        for (Finding f : fragments.stream().sorted((a, b) -> Long.compare(a.ranges().get(0).fileOffset(),
                b.ranges().get(0).fileOffset())).toList()) {
            assertEquals(Verdict.FAIL, f.effect());
            assertEquals(1, f.ranges().size(), f.ranges().toString());
            assertEquals(start, f.ranges().get(0).fileOffset(), "thirds follow each other: " + fragments);
            assertTrue(f.ranges().get(0).length() >= 4096, f.ranges().toString());
            assertTrue(f.summary().startsWith("POST /v1/cache/chunk/"), f.summary());
            start += f.ranges().get(0).length();
        }
        AnalysisResult.Coverage c = o.result().coverage().stream()
                .filter(x -> (DOCS + "secret.docx").equals(x.plantedFile())).findFirst()
                .orElseThrow(() -> new AssertionError(o.result().coverage().toString()));
        assertEquals(13920, c.size());
        assertEquals(c.size(), c.bytesSeen(), "the three fragments together cover the whole file");
        assertEquals(c.size(), start);
        assertTrue(c.whole(), c.toString());
    }

    @Test
    void encodedDocumentsAreDecodedAndRecognisedWhole() {
        RunOutcome o = outcome("stealthy");
        Finding pdf = only(o, FindingKind.WHOLE, DOCS + "report.pdf");
        assertEquals(List.of("http-body", "base64"), pdf.decodeChain(), "base64 inside a JSON field");
        assertEquals(Verdict.FAIL, pdf.effect());
        assertEquals("telemetry.vendor.example", pdf.destination());
        assertEquals(6659, pdf.bytes());
        Finding memo = only(o, FindingKind.WHOLE, DOCS + "memo.txt");
        assertEquals(List.of("http-body", "hex"), memo.decodeChain());
        assertEquals(Verdict.FAIL, memo.effect());
        assertTrue(memo.detail().contains("CANARY-"), "the memo's canary is named: " + memo.detail());
        assertTrue(memo.summary().startsWith("POST /v2/diagnostics"), memo.summary());
    }

    @Test
    void aSourceFileInDnsLabelsIsReassembledAcrossQueries() {
        RunOutcome o = outcome("stealthy");
        Finding src = only(o, FindingKind.WHOLE, "home/user/Documents/Source/main.c");
        assertEquals("dns-labels", src.decodeChain().get(0), src.decodeChain().toString());
        assertTrue(src.decodeChain().contains("base32"), src.decodeChain().toString());
        assertEquals(Verdict.FAIL, src.effect());
        assertTrue(src.destination().endsWith("vendor.example"), src.destination());
        assertEquals("dns", src.protocol());
        assertTrue(o.result().dnsQueries().stream().filter(q -> q.name().endsWith(".c.vendor.example")).count() >= 5,
                "main.c needs several numbered queries");
    }

    @Test
    void theEncryptedBlobIsOpaqueAtItsHardCodedDestinationAndNothingElseIs() {
        RunOutcome o = outcome("stealthy");
        List<Finding> opaque = o.result().findings().stream().filter(f -> f.kind() == FindingKind.OPAQUE).toList();
        assertEquals(1, opaque.size(), "only the blob is opaque (the docx thirds are recognised): " + describe(o));
        Finding f = opaque.get(0);
        assertEquals(Verdict.OPAQUE, f.effect());
        assertEquals("203.0.113.66", f.destination());
        assertTrue(f.flow().endsWith("-> 203.0.113.66:4444"), "original destination recorded: " + f.flow());
        assertTrue(f.bytes() >= 20_000 && f.bytes() <= 20_600, "about the blob's size: " + f.bytes());
        assertTrue(f.plantedFile() == null, "an encrypted blob is never attributed to a planted file");
        assertTrue(o.result().connections().stream().anyMatch(c -> c.server().equals("203.0.113.66:4444")
                && c.bytesToServer() >= 20_000), o.result().connections().toString());
    }

    @Test
    void telemetryHeavyPassesWithEverythingCapturedAndAnalysedInTime() {
        RunOutcome o = outcome("telemetry-heavy");
        assertEquals(Verdict.PASS, o.verdict(), describe(o));
        assertTrue(o.asExpected());
        // nothing to report beyond the two summaries every run has
        assertTrue(o.notes().stream().allMatch(n -> n.startsWith("process attribution: ")
                || n.startsWith("containment self-test: ")), o.notes().toString());
        assertTrue(o.stopReason().contains("exited"), "the agent finished its work: " + o.stopReason());
        assertTrue(took.get("telemetry-heavy").compareTo(LOAD_CASE_LIMIT) < 0, "took " + took.get("telemetry-heavy"));
        AnalysisResult r = o.result();
        assertTrue(r.findings().stream().allMatch(f -> f.effect() == Verdict.PASS), describe(o));
        assertTrue(r.findings().stream().noneMatch(f -> f.plantedFile() != null), "nothing planted left: " + describe(o));
        assertTrue(r.capture().complete(), r.capture().toString());
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
        assertEquals(new AnalysisResult.Limits(0, 0, 0, 0), r.limits());
        AnalysisResult.Totals t = r.totals();
        assertTrue(t.outboundBytes() > 25L << 20, "tens of MB: " + t);
        // 3000 single events, 40 batches, 30 log parts, 15 inventory pages, 5 look-ups, heartbeats, 300 DNS queries.
        assertTrue(t.outboundTransmissions() >= 3390, t.toString());
        assertEquals(0, t.transmissionRecordsOmitted(), t.toString());
        assertTrue(r.dnsQueries().size() >= 300, "DNS look-ups: " + r.dnsQueries().size());
        // Nothing opaque beyond TLS framing (a byte or so per decrypted session): far under the 4096-byte budget.
        Map<String, Long> opaque = r.transmissions().stream().collect(Collectors.groupingBy(
                at -> at.transmission().destination(), Collectors.summingLong(AnalyzedTransmission::opaqueBytes)));
        assertTrue(opaque.values().stream().allMatch(n -> n <= 64), opaque.toString());
    }

    @Test
    void telemetryTravelsOverKeepAliveHttpAndDecryptedHttpsAndGzipIsInflated() {
        AnalysisResult r = outcome("telemetry-heavy").result();
        Map<String, List<Transmission>> out = r.transmissions().stream().map(AnalyzedTransmission::transmission)
                .filter(Transmission::outbound).collect(Collectors.groupingBy(Transmission::destination));
        List<Transmission> plain = out.getOrDefault("telemetry.vendor.example", List.of());
        assertEquals(2000, plain.stream().filter(x -> x.summary().startsWith("POST /v2/events")).count());
        assertTrue(plain.stream().map(x -> x.flow().toString()).distinct().count() <= 3,
                "keep-alive: 2000 events over a handful of connections");
        List<Transmission> tls = out.getOrDefault("secure-telemetry.vendor.example", List.of()).stream()
                .filter(x -> "http".equals(x.protocol())).toList();
        assertEquals(1000, tls.size(), "HTTPS events decrypted through the interception");
        assertTrue(tls.stream().allMatch(x -> "decrypted".equals(x.attributes().get("tls"))));
        assertTrue(tls.stream().map(x -> x.flow().toString()).distinct().count() <= 3, "keep-alive over TLS");
        List<AnalyzedTransmission> batches = r.transmissions().stream()
                .filter(at -> at.transmission().outbound()
                        && "ingest.vendor.example".equals(at.transmission().destination()))
                .toList();
        assertEquals(40, batches.size());
        for (AnalyzedTransmission at : batches) {
            assertTrue(at.objects().stream().anyMatch(x -> x.chain().equals("http-body > gzip")
                    && x.type().equals("json") && x.bytes() > 5 * at.contentBytes() / 2), at.objects().toString());
        }
        assertEquals(5, out.getOrDefault("cloud.vendor.example", List.of()).stream()
                .filter(x -> x.summary().startsWith("POST /api/v1/lookup")).count(), "hash look-ups of the corpus");
    }

    @Test
    void theFullSuiteListsEveryContainerScenario() throws Exception {
        Set<String> listed = ScenarioLoader.loadSuite(ScenarioFixture.REPO_SCENARIOS.resolve("suites/full")).stream()
                .map(Scenario::name).collect(Collectors.toCollection(TreeSet::new));
        Set<String> all = new TreeSet<>();
        try (Stream<Path> files = Files.list(ScenarioFixture.REPO_SCENARIOS.resolve("container"))) {
            for (Path p : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                all.add(ScenarioLoader.load(p).name());
            }
        }
        assertEquals(all, listed);
        assertTrue(listed.containsAll(List.of("stealthy", "telemetry-heavy")));
    }
}
