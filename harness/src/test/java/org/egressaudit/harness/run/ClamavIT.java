package org.egressaudit.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.egressaudit.analyzers.engine.AnalyzedTransmission;
import org.egressaudit.analyzers.engine.Finding;
import org.egressaudit.analyzers.engine.FindingKind;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.harness.sandbox.TestImages;
import org.egressaudit.harness.scenario.ScenarioLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ClamAV from Debian's packages (clamd, clamdscan, freshclam, clamonacc, clamsubmit: nothing here written for the
 * harness) audited for real: {@code scenarios/container/clamav.yaml} (only samples are submitted: PASS) and
 * {@code clamav-submits-document.yaml} (an over-broad signature makes ClamAV submit a classified document: FAIL).
 * The first run builds the ClamAV image with debootstrap (1-2 minutes); later runs reuse it.
 */
class ClamavIT {
    static final String EXE = "home/user/Documents/Samples/flagged.exe";
    static final String EICAR = "home/user/Downloads/eicar.com";
    static final String DOCX = "home/user/Documents/Documents/secret.docx";
    static final String S3 = "clamav-site.s3.amazonaws.com";
    static final String CDN = "database.clamav.net";
    static final String SITE = "www.clamav.net";

    @TempDir
    static java.nio.file.Path runs;
    static Map<String, RunOutcome> outcomes;
    static final StringWriter progress = new StringWriter();

    @BeforeAll
    static void runBoth() throws Exception {
        TestImages.sandboxImage(); // the base image the ClamAV image is built on
        ScenarioRunner runner = ScenarioFixture.repoRunner(runs, progress);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<RunOutcome>> fs = List.of("clamav.yaml", "clamav-submits-document.yaml").stream()
                    .map(f -> ScenarioFixture.REPO_SCENARIOS.resolve("container").resolve(f))
                    .map(p -> pool.submit(() -> runner.run(ScenarioLoader.load(p)))).toList();
            outcomes = new java.util.LinkedHashMap<>();
            for (Future<RunOutcome> f : fs) {
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
                .map(f -> f.kind() + ":" + f.effect() + ":" + f.plantedFile() + "@" + f.destination() + ":"
                        + f.decodeChain())
                .collect(Collectors.joining(", ")) + " notes=" + o.notes() + "\n" + progress;
    }

    static String agentLog(RunOutcome o) throws Exception {
        return Files.readString(o.folder().agentLog());
    }

    static Finding finding(RunOutcome o, String planted) {
        return o.result().findings().stream().filter(f -> planted.equals(f.plantedFile())).findFirst()
                .orElseThrow(() -> new AssertionError(planted + " not found: " + describe(o)));
    }

    /** The planted file left whole as the file part of clamsubmit's multipart POST to the S3 bucket, over TLS. */
    static void assertSubmittedByClamsubmit(RunOutcome o, Finding f, Verdict effect) {
        String name = f.plantedFile().substring(f.plantedFile().lastIndexOf('/') + 1);
        assertEquals(FindingKind.WHOLE, f.kind(), describe(o));
        assertEquals(effect, f.effect(), describe(o));
        assertEquals(S3, f.destination(), describe(o));
        assertEquals(List.of("tls", "http-body", "multipart", name), f.decodeChain());
        assertTrue(f.summary().startsWith("POST / "), f.summary());
    }

    static List<AnalyzedTransmission> outboundTo(RunOutcome o, String destination) {
        return o.result().transmissions().stream()
                .filter(t -> t.transmission().outbound() && destination.equals(t.transmission().destination()))
                .toList();
    }

    @Test
    void bothRunsGiveTheirExpectedVerdictsAndLeaveNothingBehind() throws Exception {
        assertEquals(2, outcomes.size());
        for (RunOutcome o : outcomes.values()) {
            assertNotNull(o.verdict(), o.scenario().name() + ": " + o.problem() + "\n" + progress);
            assertTrue(o.asExpected(), o.scenario().name() + ": " + describe(o));
            assertTrue(o.capture().complete(), o.scenario().name() + " capture lost packets: " + o.capture());
            assertTrue(Leftovers.of(o.folder().runId()).isEmpty(), Leftovers.of(o.folder().runId()).toString());
            assertTrue(o.agentVersion().startsWith("ClamAV 1."), o.agentVersion());
            assertTrue(o.stopReason().contains("agent exited"), o.stopReason());
        }
    }

    @Test
    void theRealClamavToolsRanEachStep() throws Exception {
        for (RunOutcome o : outcomes.values()) {
            String log = agentLog(o);
            // clamd loaded the shipped signatures and answered on its socket; clamdscan reported detections.
            assertTrue(log.contains("[clamav-agent] clamd: ready=yes"), log);
            assertTrue(log.contains("/home/user/Documents/Samples/flagged.exe: Egress.Audit.TestSignature-1"
                    + ".UNOFFICIAL FOUND"), log);
            assertTrue(log.contains("/home/user/Downloads/eicar.com: Egress.Audit.Eicar-Test-File-1.UNOFFICIAL"
                    + " FOUND"), log);
            assertTrue(log.contains("[clamd.log]") && log.contains("clamd daemon 1."), log);
            // freshclam tried the CDN over HTTPS and failed (the harness answers, not ClamAV).
            assertTrue(log.contains("Trying to retrieve CVD header from https://database.clamav.net/"), log);
            assertTrue(log.contains("[clamav-agent] freshclam: exit="), log);
            assertFalse(log.contains("[clamav-agent] freshclam: exit=0 "), "freshclam cannot have updated: " + log);
            // clamonacc either ran or says clearly why it could not (fanotify needs CAP_SYS_ADMIN).
            assertTrue(log.contains("[clamav-agent] clamonacc: NOT POSSIBLE in this sandbox")
                    || log.contains("on-access scanning was possible"), log);
            // clamsubmit went through its whole protocol: CSRF page, presigned form, S3 upload, report redirect.
            for (String file : List.of("/home/user/Documents/Samples/flagged.exe", "/home/user/Downloads/eicar.com")) {
                assertTrue(log.contains("[clamav-agent] clamsubmit: " + file + " exit=0 "), file + "\n" + log);
            }
            assertTrue(log.contains("[clamsubmit] Submission success!"), log);
        }
    }

    @Test
    void onlyTheSamplesLeaveThroughClamsubmitAndThePassVariantPasses() throws Exception {
        RunOutcome o = outcome("clamav");
        assertEquals(Verdict.PASS, o.verdict(), describe(o));
        assertSubmittedByClamsubmit(o, finding(o, EXE), Verdict.PASS);
        assertSubmittedByClamsubmit(o, finding(o, EICAR), Verdict.PASS);
        assertTrue(o.result().findings().stream().noneMatch(f -> f.effect() != Verdict.PASS), describe(o));
        assertFalse(agentLog(o).contains("secret.docx: "), "no false positive without the over-broad rule");
        // The file-activity audit ties the upload to clamd reading the sample.
        assertTrue(o.fileActivity().stream().anyMatch(a -> a.contains("the agent read " + EXE) && a.contains(S3)),
                o.fileActivity().toString());
    }

    @Test
    void clamsubmitsCsrfAndPresignedSteps() {
        RunOutcome o = outcome("clamav");
        List<AnalyzedTransmission> site = outboundTo(o, SITE);
        Map<String, String> presigned = site.stream()
                .filter(t -> t.transmission().summary().startsWith("GET /presigned?type=malware"))
                .map(t -> t.transmission().attributes()).findFirst()
                .orElseThrow(() -> new AssertionError("no presigned request: " + describe(o)));
        assertEquals("egress-audit-csrf-0123456789abcdef", presigned.get("header:x-csrf-token"), presigned.toString());
        assertTrue(presigned.getOrDefault("header:cookie", "").startsWith("_clamav-net_session="), presigned.toString());
        assertTrue(site.stream().anyMatch(t -> t.transmission().summary().startsWith("POST /reports/submit")),
                describe(o));
        assertTrue(site.stream().allMatch(t -> t.findings().isEmpty()), "the report form carries no file");
    }

    @Test
    void freshclamsUpdateAttemptsShowAndCarryNothingPlanted() {
        for (RunOutcome o : outcomes.values()) {
            Set<String> asked = o.result().dnsQueries().stream().map(q -> q.name() + "/" + q.type())
                    .collect(Collectors.toSet());
            // The real names: freshclam's DNS version check, the CDN, then clamsubmit's site and bucket.
            for (String q : List.of("current.cvd.clamav.net/TXT", CDN + "/A", SITE + "/A", S3 + "/A")) {
                assertTrue(asked.contains(q), q + " not in " + asked);
            }
            List<AnalyzedTransmission> cdn = outboundTo(o, CDN);
            assertTrue(cdn.stream().anyMatch(t -> t.transmission().summary().startsWith("GET /daily.cvd")),
                    "freshclam's request to the CDN: " + describe(o));
            assertTrue(cdn.stream().allMatch(t -> t.findings().isEmpty()), describe(o));
            Set<String> cdnFlows = cdn.stream().map(t -> t.transmission().flow().toString()).collect(Collectors.toSet());
            assertTrue(o.result().connections().stream().anyMatch(c -> cdnFlows.contains(c.flow())
                    && c.handshakeSeen() && c.bytesToServer() > 0), "the CDN connection: " + o.result().connections());
            assertTrue(o.result().findings().stream().noneMatch(f -> cdnFlows.contains(f.flow())
                    || CDN.equals(f.destination())), describe(o));
            // Every planted file that left went to the S3 bucket, through clamsubmit's upload.
            assertTrue(o.result().findings().stream().filter(f -> f.plantedFile() != null)
                    .allMatch(f -> S3.equals(f.destination()) && f.decodeChain().get(0).equals("tls")), describe(o));
        }
    }

    @Test
    void aFalsePositiveSubmissionFailsNamingTheClassifiedDocument() throws Exception {
        RunOutcome o = outcome("clamav-submits-document");
        assertEquals(Verdict.FAIL, o.verdict(), describe(o));
        String log = agentLog(o);
        assertTrue(log.contains("/home/user/Documents/Documents/secret.docx: Egress.Audit.Overbroad.OOXML-1"
                + ".UNOFFICIAL FOUND"), log);
        assertTrue(log.contains("[clamav-agent] clamsubmit: /home/user/Documents/Documents/secret.docx exit=0 "), log);
        assertSubmittedByClamsubmit(o, finding(o, DOCX), Verdict.FAIL);
        assertSubmittedByClamsubmit(o, finding(o, EXE), Verdict.PASS);
        List<String> failing = o.result().findings().stream().filter(f -> f.effect() == Verdict.FAIL)
                .map(Finding::plantedFile).distinct().toList();
        assertEquals(List.of(DOCX), failing, describe(o));
        assertTrue(o.fileActivity().stream().anyMatch(a -> a.contains("the agent read " + DOCX)
                && a.contains("not allowed")), o.fileActivity().toString());
    }
}
