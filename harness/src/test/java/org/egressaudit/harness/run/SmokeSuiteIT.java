package org.egressaudit.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.analyzers.engine.Finding;
import org.egressaudit.analyzers.engine.FindingKind;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.harness.sandbox.TestImages;
import org.egressaudit.harness.scenario.Scenario;
import org.egressaudit.harness.scenario.ScenarioLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smoke suite's container scenarios, run for real (Docker, iptables, live capture), each with its expected
 * verdict and the evidence that makes it.
 */
class SmokeSuiteIT {
    @TempDir
    static Path runs;
    static Map<String, RunOutcome> outcomes;
    static final StringWriter progress = new StringWriter();

    @BeforeAll
    static void runSuite() throws Exception {
        TestImages.sandboxImage(); // builds the base image once if missing
        List<Scenario> suite = ScenarioLoader.loadSuite(ScenarioFixture.REPO_SCENARIOS.resolve("suites/smoke"));
        ScenarioRunner runner = ScenarioFixture.repoRunner(runs, progress);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<RunOutcome>> fs = suite.stream()
                    .map(s -> pool.submit(() -> runner.run(s))).toList();
            outcomes = new java.util.LinkedHashMap<>();
            for (var f : fs) {
                RunOutcome o = f.get();
                outcomes.put(o.scenario().name(), o);
            }
        } finally {
            pool.shutdown();
        }
    }

    static RunOutcome outcome(String name) {
        RunOutcome o = outcomes.get(name);
        assertNotNull(o, name + " not run: " + outcomes.keySet());
        assertNotNull(o.result(), name + ": " + o.problem() + "\n" + progress);
        return o;
    }

    static String describe(RunOutcome o) {
        return o.verdict() + " " + o.result().findings().stream()
                .map(f -> f.kind() + ":" + f.effect() + ":" + f.plantedFile() + ":" + f.marker())
                .collect(Collectors.joining(", ")) + " notes=" + o.notes();
    }

    @Test
    void everyScenarioGivesItsExpectedVerdictAndLeavesNothingBehind() {
        assertEquals(8, outcomes.size());
        for (RunOutcome o : outcomes.values()) {
            assertNotNull(o.verdict(), o.scenario().name() + ": " + o.problem());
            assertTrue(o.asExpected(), o.scenario().name() + ": " + describe(o));
            assertTrue(o.capture().complete(), o.scenario().name() + " capture lost packets: " + o.capture());
            assertTrue(Leftovers.of(o.folder().runId()).isEmpty(), Leftovers.of(o.folder().runId()).toString());
            for (String f : List.of("capture.pcap", "agent.log", "report.json", "run.json", "services.jsonl",
                    "scenario.yaml", "summary.txt")) {
                assertTrue(Files.isRegularFile(o.folder().dir().resolve(f)), o.folder().dir() + " lacks " + f);
            }
        }
    }

    @Test
    void everyConnectionAndQueryNamesItsProcessOrSaysWhyNot() throws Exception {
        for (RunOutcome o : outcomes.values()) {
            com.fasterxml.jackson.databind.JsonNode a = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(o.folder().report().toFile()).path("run").path("attribution");
            assertEquals(o.result().connections().size(), a.path("connections").size(), o.scenario().name());
            assertEquals(o.result().dnsQueries().size(), a.path("dnsQueries").size(), o.scenario().name());
            for (String list : List.of("connections", "dnsQueries")) {
                for (com.fasterxml.jackson.databind.JsonNode c : a.path(list)) {
                    boolean attributed = c.path("pid").isInt() && c.path("source").isTextual();
                    boolean explained = c.path("unattributed").asBoolean(false)
                            && c.path("reason").asText("").length() > 20;
                    assertTrue(attributed != explained, o.scenario().name() + ": " + c);
                }
            }
        }
        // with the strace audit on, the agent's own connections are attributed exactly
        com.fasterxml.jackson.databind.JsonNode qa = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(outcome("quarantine-archiver").folder().report().toFile()).path("run").path("attribution");
        for (com.fasterxml.jackson.databind.JsonNode c : qa.path("connections")) {
            String reason = c.path("reason").asText("");
            assertTrue(c.path("pid").isInt() || reason.startsWith("the harness's own containment probe")
                    || reason.contains("own system"), c.toString());
        }
        assertTrue(outcome("quarantine-archiver").fileActivity().stream().anyMatch(l -> l.startsWith("python3 (pid ")
                && l.contains("read /home/user/Work/tools/secret.docx, then connected to cloud.vendor.example:80")),
                outcome("quarantine-archiver").fileActivity().toString());
    }

    @Test
    void honestAgentUploadsOnlyTheFlaggedSample() {
        RunOutcome o = outcome("honest");
        assertEquals(Verdict.PASS, o.verdict(), describe(o));
        Finding exe = o.result().findings().stream()
                .filter(f -> "home/user/Documents/Samples/flagged.exe".equals(f.plantedFile())).findFirst()
                .orElseThrow(() -> new AssertionError(describe(o)));
        assertEquals(FindingKind.WHOLE, exe.kind());
        assertEquals(Verdict.PASS, exe.effect());
        assertEquals("cloud.vendor.example", exe.destination());
        assertTrue(o.result().dnsQueries().stream().anyMatch(q -> q.name().equals("cloud.vendor.example")));
    }

    @Test
    void quarantineArchiverFailsNamingTheDocumentInsideThe7z() {
        RunOutcome o = outcome("quarantine-archiver");
        assertEquals(Verdict.FAIL, o.verdict(), describe(o));
        Finding doc = o.result().findings().stream()
                .filter(f -> f.effect() == Verdict.FAIL && "home/user/Work/tools/secret.docx".equals(f.plantedFile()))
                .findFirst().orElseThrow(() -> new AssertionError(describe(o)));
        assertTrue(doc.decodeChain().contains("7z"), doc.decodeChain().toString());
        assertTrue(doc.summary().startsWith("POST /api/v1/quarantine"), doc.summary());
        // The file-activity audit ties the upload to the agent reading the document before it.
        assertTrue(o.fileActivity().stream().anyMatch(a -> a.startsWith("finding #" + doc.id() + ": the agent read "
                + "home/user/Work/tools/secret.docx")), o.fileActivity().toString());
    }

    @Test
    void dnsCanaryFailsOnTheCanaryInReassembledLabels() {
        RunOutcome o = outcome("dns-canary");
        assertEquals(Verdict.FAIL, o.verdict(), describe(o));
        assertTrue(o.result().findings().stream().anyMatch(f -> f.effect() == Verdict.FAIL
                && f.decodeChain().get(0).equals("dns-labels") && f.destination().endsWith("exfil.example")
                && (("CANARY-".equals(f.marker())) || f.detail().contains("CANARY-"))), describe(o));
    }

    @Test
    void hardCodedAddressesAreContainedAndRecordedWithTheirOriginalDestinations() throws Exception {
        RunOutcome o = outcome("hardcoded-ip");
        AnalysisResult r = o.result();
        Map<String, AnalysisResult.ConnectionRecord> byServer = r.connections().stream()
                .collect(Collectors.toMap(AnalysisResult.ConnectionRecord::server, Function.identity(), (a, b) -> a));
        assertTrue(byServer.containsKey("203.0.113.50:443"), byServer.keySet().toString());
        assertTrue(byServer.containsKey("198.51.100.20:8443"), byServer.keySet().toString());
        assertTrue(byServer.containsKey("192.0.2.77:9999"), byServer.keySet().toString());
        // The agent's bytes reached the harness (the sandbox got an answer from no one else).
        assertTrue(byServer.get("203.0.113.50:443").bytesToServer() > 0);
        assertTrue(r.dnsQueries().stream().anyMatch(q -> q.name().equals("telemetry.vendor.example")));
        String services = Files.readString(o.folder().servicesLog());
        assertTrue(services.contains("HELLO agent-id=42") || services.contains("raw"), services);
        assertTrue(services.contains("telemetry.vendor.example"), services);
    }

    @Test
    void documentsUploadedOverInterceptedHttpsFailWithChainsStartingAtTls() {
        RunOutcome o = outcome("https-upload");
        assertEquals(Verdict.FAIL, o.verdict(), describe(o));
        Map<String, Finding> byFile = o.result().findings().stream().filter(f -> f.effect() == Verdict.FAIL
                && f.plantedFile() != null).collect(Collectors.toMap(Finding::plantedFile, f -> f, (a, b) -> a));
        Finding docx = byFile.get("home/user/Documents/Documents/secret.docx");
        assertNotNull(docx, describe(o));
        assertEquals(List.of("tls", "http-body", "multipart", "secret.docx"), docx.decodeChain());
        assertEquals("http", docx.protocol(), "curl --http1.1");
        Finding pdf = byFile.get("home/user/Documents/Documents/report.pdf");
        assertNotNull(pdf, describe(o));
        assertEquals("h2", pdf.protocol(), "curl --http2 negotiated h2 through the interception");
        assertEquals("tls", pdf.decodeChain().get(0));
        Finding memo = byFile.get("home/user/Documents/Documents/memo.txt");
        assertNotNull(memo, "python urllib over HTTPS: " + describe(o));
        assertEquals("tls", memo.decodeChain().get(0));
        assertEquals("telemetry.vendor.example", memo.destination());
        assertTrue(Files.isRegularFile(o.folder().dir().resolve("tls-keys.log")));
    }

    @Test
    void aClientPinningItsCertificateIsOpaqueWithSniAndByteCounts() {
        RunOutcome o = outcome("https-pinned");
        assertEquals(Verdict.OPAQUE, o.verdict(), describe(o));
        Finding f = o.result().findings().stream().filter(x -> x.kind() == FindingKind.OPAQUE).findFirst()
                .orElseThrow(() -> new AssertionError(describe(o)));
        assertEquals("pinned.vendor.example", f.destination());
        assertTrue(f.bytes() > 0, "bytes from the client");
        assertTrue(f.detail().contains("bytes from the client") && f.detail().contains("sha256"), f.detail());
        // Never imply the stream was inspected: no content finding names a planted file.
        assertTrue(o.result().findings().stream().noneMatch(x -> x.plantedFile() != null), describe(o));
    }

    @Test
    void anAllowedSampleOverHttpsPasses() {
        RunOutcome o = outcome("https-sample");
        assertEquals(Verdict.PASS, o.verdict(), describe(o));
        Finding exe = o.result().findings().stream()
                .filter(f -> "home/user/Documents/Samples/flagged.exe".equals(f.plantedFile())).findFirst()
                .orElseThrow(() -> new AssertionError(describe(o)));
        assertEquals("tls", exe.decodeChain().get(0));
        assertEquals(Verdict.PASS, exe.effect());
    }
}
