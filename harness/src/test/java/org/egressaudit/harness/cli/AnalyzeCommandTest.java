package org.egressaudit.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyzeCommandTest {
    static final Path SCENARIOS = Path.of("../scenarios");
    static final String CORPUS = SCENARIOS.resolve("corpora/basic").toString();
    static final String POLICY = SCENARIOS.resolve("policies/default.yaml").toString();

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = EgressAudit.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    static String capture(String name) {
        return SCENARIOS.resolve("captures").resolve(name).toString();
    }

    @Test
    void failingCaptureExitsOneAndWritesJsonReport(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("report.json");
        Run r = run("analyze", "--pcap", capture("archive-7z.pcap"), "--corpus", CORPUS, "--policy", POLICY,
                "--json", json.toString());
        assertEquals(ExitCodes.FAIL_OR_OPAQUE, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("VERDICT: FAIL"), r.out());
        assertTrue(r.out().contains("Documents/secret.docx"), r.out());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertEquals("FAIL", report.get("verdict").asText());
        boolean named = false;
        for (JsonNode f : report.get("findings")) {
            assertTrue(f.has("kind") && f.has("flow") && f.has("decodeChain") && f.has("category"), f.toString());
            if ("Documents/secret.docx".equals(f.get("plantedFile").asText()) && "FAIL".equals(f.get("effect").asText())) {
                named = true;
                assertEquals("whole", f.get("kind").asText());
                assertTrue(f.get("decodeChain").asText().contains("7z"), f.toString());
            }
        }
        assertTrue(named, report.toPrettyString());
    }

    @Test
    void passingCaptureExitsZero() {
        Run r = run("analyze", "--pcap", capture("hash-lookup.pcap"), "--corpus", CORPUS, "--policy", POLICY);
        assertEquals(ExitCodes.PASS, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("VERDICT: PASS"), r.out());
    }

    @Test
    void quietPrintsOnlyTheVerdict() {
        Run r = run("analyze", "-q", "--pcap", capture("hash-lookup.pcap"), "--corpus", CORPUS, "--policy", POLICY);
        assertEquals(0, r.code());
        assertEquals(1, r.out().strip().lines().count(), r.out());
    }

    @Test
    void missingCaptureIsBadInput() {
        Run r = run("analyze", "--pcap", "no/such.pcap", "--corpus", CORPUS, "--policy", POLICY);
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("no/such.pcap") && r.err().contains("no such file"), r.err());
    }

    @Test
    void notACaptureIsBadInputNamingTheFile(@TempDir Path dir) throws Exception {
        Path bogus = dir.resolve("notes.pcap");
        Files.writeString(bogus, "this is not a packet capture at all");
        Run r = run("analyze", "--pcap", bogus.toString(), "--corpus", CORPUS, "--policy", POLICY);
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("notes.pcap"), r.err());
    }

    @Test
    void badPolicyIsBadInputWithLineAndKey(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("policy.yaml");
        Files.writeString(p, "allow: [executable]\nopaqueBudget: 10\n");
        Run r = run("analyze", "--pcap", capture("hash-lookup.pcap"), "--corpus", CORPUS, "--policy", p.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("policy.yaml:2: unknown key 'opaqueBudget'"), r.err());
    }

    @Test
    void missingCorpusIsBadInput() {
        Run r = run("analyze", "--pcap", capture("hash-lookup.pcap"), "--corpus", "no/corpus", "--policy", POLICY);
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("no/corpus"), r.err());
    }

    @Test
    void missingRequiredOptionIsUsageError() {
        Run r = run("analyze", "--pcap", capture("hash-lookup.pcap"));
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("--corpus") || r.err().contains("--policy"), r.err());
    }

    @Test
    void badTlsKeylogFileExitsTwoNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("keys.log");
        Files.writeString(bad, "# not really a key log\nGET / HTTP/1.1\n");
        Run r = run("analyze", "--pcap", capture("hash-lookup.pcap"), "--corpus", CORPUS, "--policy", POLICY,
                "--tls-keylog", bad.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains(bad.toString()) && r.err().contains("line 2"), r.err());
        Run missing = run("analyze", "--pcap", capture("hash-lookup.pcap"), "--corpus", CORPUS, "--policy", POLICY,
                "--tls-keylog", dir.resolve("missing.log").toString());
        assertEquals(ExitCodes.BAD_INPUT, missing.code(), missing.err());
        assertTrue(missing.err().contains("missing.log"), missing.err());
    }

    @Test
    void tlsKeylogDecryptsTheUpload() {
        Run r = run("analyze", "--pcap", capture("tls/tls13-aes128gcm.pcap"), "--corpus", CORPUS, "--policy", POLICY,
                "--tls-keylog", capture("tls/tls13-aes128gcm.keys"), "-v");
        assertEquals(ExitCodes.FAIL_OR_OPAQUE, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("secret.docx") && r.out().contains("tls"), r.out());
        Run opaque = run("analyze", "--pcap", capture("tls/tls13-aes128gcm.pcap"), "--corpus", CORPUS, "--policy",
                POLICY);
        assertTrue(opaque.out().contains("OPAQUE") && !opaque.out().contains("secret.docx"), opaque.out());
    }

    @Test
    void truncatedCaptureIsAnalysedAsFarAsItGoesWithAWarning(@TempDir Path dir) throws Exception {
        byte[] whole = Files.readAllBytes(Path.of(capture("keepalive-mixed.pcap")));
        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 100));
        Run r = run("analyze", "--pcap", cut.toString(), "--corpus", CORPUS, "--policy", POLICY);
        assertEquals(ExitCodes.FAIL_OR_OPAQUE, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("INCOMPLETE") && r.out().contains("warning:"), r.out());
    }

    @Test
    void helpAndVersion() {
        Run help = run("analyze", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--pcap") && help.out().contains("--json"), help.out());
        Run version = run("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("egress-audit "), version.out());
        Run top = run("--help");
        assertTrue(top.out().contains("analyze") && top.out().contains("Exit codes"), top.out());
    }
}
