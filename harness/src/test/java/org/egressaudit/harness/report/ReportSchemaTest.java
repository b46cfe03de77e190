package org.egressaudit.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.egressaudit.analyzers.engine.FindingKind;
import org.egressaudit.analyzers.report.JsonReport;
import org.egressaudit.harness.cli.EgressAudit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real reports of the sample captures satisfy docs/report.schema.json, and the schema rejects broken ones. */
class ReportSchemaTest {
    static final Path SCENARIOS = Path.of("../scenarios");
    static final String CORPUS = SCENARIOS.resolve("corpora/basic").toString();
    static final String POLICY = SCENARIOS.resolve("policies/default.yaml").toString();

    static JsonNode analyze(Path dir, String capture, String... extra) throws Exception {
        Path json = dir.resolve(capture.replace('/', '_') + ".json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> args = new java.util.ArrayList<>(List.of("analyze", "-q", "--pcap",
                SCENARIOS.resolve("captures").resolve(capture).toString(), "--corpus", CORPUS, "--policy", POLICY,
                "--json", json.toString()));
        args.addAll(List.of(extra));
        int code = EgressAudit.execute(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertTrue(code == 0 || code == 1, capture + ": exit " + code + " " + out + err);
        return ReportSchema.read(json);
    }

    @ParameterizedTest
    @ValueSource(strings = {"archive-7z.pcap", "archive-zip.pcap", "hash-lookup.pcap", "multipart-docx.pcapng",
            "dns-labels.pcap", "json-base64-hex.pcap", "chunked-gzip-put.pcap", "raw-tcp-fragment.pcap",
            "keepalive-mixed-nsec.pcap", "split-connections.pcap", "benign-download.pcap"})
    void analyzeReportsOfTheSampleCapturesAreValid(String capture, @TempDir Path dir) throws Exception {
        JsonNode report = analyze(dir, capture);
        assertEquals(List.of(), ReportSchema.problems(report), capture);
        assertEquals(JsonReport.SCHEMA_VERSION, report.get("schemaVersion").asText());
    }

    @Test
    void decryptedTlsReportIsValid(@TempDir Path dir) throws Exception {
        JsonNode report = analyze(dir, "tls/tls12-aes128gcm.pcap", "--tls-keylog",
                SCENARIOS.resolve("captures/tls/tls12-aes128gcm.keys").toString());
        assertEquals(List.of(), ReportSchema.problems(report));
    }

    /** The reports above must exercise what the schema constrains most: findings with ranges and excerpts. */
    @Test
    void sampleReportsCoverFindingsWithEvidence(@TempDir Path dir) throws Exception {
        JsonNode report = analyze(dir, "archive-7z.pcap");
        assertFalse(report.get("findings").isEmpty());
        JsonNode dns = analyze(dir, "dns-labels.pcap");
        assertTrue(dns.get("findings").toString().contains("\"excerpt\""), dns.toPrettyString());
    }

    @Test
    void schemaKindEnumMatchesTheEngine() throws Exception {
        JsonNode kinds = ReportSchema.read(ReportSchema.FILE).at("/$defs/finding/properties/kind/enum");
        List<String> schema = new java.util.ArrayList<>();
        kinds.forEach(k -> schema.add(k.asText()));
        List<String> engine = java.util.Arrays.stream(FindingKind.values()).map(FindingKind::id).toList();
        assertEquals(engine, schema, "a new FindingKind needs the schema (and a schemaVersion decision, docs/report.md)");
    }

    @Test
    void unknownKindFails(@TempDir Path dir) throws Exception {
        ObjectNode report = (ObjectNode) analyze(dir, "archive-7z.pcap");
        ((ObjectNode) report.get("findings").get(0)).put("kind", "exfiltration");
        assertTrue(ReportSchema.problems(report).stream().anyMatch(p -> p.contains("kind")),
                ReportSchema.problems(report).toString());
    }

    @Test
    void missingVerdictFails(@TempDir Path dir) throws Exception {
        ObjectNode report = (ObjectNode) analyze(dir, "archive-7z.pcap");
        report.remove("verdict");
        assertTrue(ReportSchema.problems(report).stream().anyMatch(p -> p.contains("verdict")),
                ReportSchema.problems(report).toString());
    }

    @Test
    void badVerdictAndBadEffectFail(@TempDir Path dir) throws Exception {
        ObjectNode report = (ObjectNode) analyze(dir, "archive-7z.pcap");
        report.put("verdict", "WARN");
        assertFalse(ReportSchema.problems(report).isEmpty());
        report.put("verdict", "FAIL");
        ((ObjectNode) report.get("findings").get(0)).put("effect", "fail");
        assertFalse(ReportSchema.problems(report).isEmpty());
    }

    @Test
    void renamedFindingFieldFails(@TempDir Path dir) throws Exception {
        ObjectNode report = (ObjectNode) analyze(dir, "archive-7z.pcap");
        ObjectNode f = (ObjectNode) report.get("findings").get(0);
        f.set("planted_file", f.remove("plantedFile"));
        List<String> problems = ReportSchema.problems(report);
        assertTrue(problems.stream().anyMatch(p -> p.contains("plantedFile")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("planted_file")), problems.toString());
    }

    @Test
    void findingWithoutRangesOrWithWrongTypesFails(@TempDir Path dir) throws Exception {
        ObjectNode report = (ObjectNode) analyze(dir, "archive-7z.pcap");
        ObjectNode f = (ObjectNode) report.get("findings").get(0);
        f.remove("ranges");
        assertTrue(ReportSchema.problems(report).stream().anyMatch(p -> p.contains("ranges")));
        f.putArray("ranges");
        f.put("bytes", "12");
        assertFalse(ReportSchema.problems(report).isEmpty());
    }

    @Test
    void topLevelAdditionsAreAllowed(@TempDir Path dir) throws Exception {
        ObjectNode report = (ObjectNode) analyze(dir, "hash-lookup.pcap");
        report.putObject("somethingAddedLater").put("x", 1);
        assertEquals(List.of(), ReportSchema.problems(report));
    }

    @Test
    void otherSchemaVersionFails(@TempDir Path dir) throws Exception {
        ObjectNode report = (ObjectNode) analyze(dir, "hash-lookup.pcap");
        report.put("schemaVersion", "2");
        assertFalse(ReportSchema.problems(report).isEmpty());
        ArrayNode findings = (ArrayNode) report.get("findings");
        assertTrue(findings.isArray());
    }
}
