package org.egressaudit.analyzers.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.egressaudit.analyzers.capture.LinkType;
import org.egressaudit.analyzers.corpus.Corpus;
import org.egressaudit.analyzers.corpus.CorpusLoader;
import org.egressaudit.analyzers.decode.DecoderRegistry;
import org.egressaudit.analyzers.engine.AnalysisEngine;
import org.egressaudit.analyzers.engine.AnalysisOptions;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.analyzers.engine.Finding;
import org.egressaudit.analyzers.engine.FindingKind;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.analyzers.policy.PolicyLoader;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.analyzers.testsupport.PcapWriter;
import org.egressaudit.analyzers.testsupport.TcpSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector SPI through the whole engine: a capture whose HTTP request carries an SSN-shaped string gets a
 * MARKER finding from the test-registered {@link SsnDetector}, with no change to the engine's configuration.
 */
class ContentDetectorEngineTest {
    @TempDir
    static Path dir;
    static AnalysisEngine engine;
    static Corpus corpus;
    static Policy policy;

    @BeforeAll
    static void setUp() throws Exception {
        engine = new AnalysisEngine(AnalysisOptions.defaults());
        // the planted file is unrelated: the detector, not the corpus, is under test
        Path planted = Files.createDirectories(dir.resolve("corpus"));
        Files.writeString(planted.resolve("notes.txt"), "quarterly planning notes, nothing sent in this test\n");
        corpus = new CorpusLoader(DecoderRegistry.load()).load(planted);
        policy = PolicyLoader.parse("test-policy", "allow: [metadata]\n");
    }

    private static AnalysisResult analyse(String name, String request) throws Exception {
        Path pcap = dir.resolve(name + ".pcap");
        PcapWriter.write(pcap, LinkType.ETHERNET, TcpSession.of("10.0.0.2", 41000, "192.0.2.10", 80)
                .clientSends(request.getBytes(StandardCharsets.ISO_8859_1))
                .serverSends("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").close().frames());
        return engine.analyze(pcap, corpus, policy);
    }

    private static String post(String extraHeaders, String body) {
        return "POST /api/v1/telemetry HTTP/1.1\r\nHost: cloud.vendor.example\r\n" + extraHeaders
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static String describe(AnalysisResult r) {
        return r.verdict() + " " + r.findings().stream().map(f -> f.kind() + ":" + f.effect() + ":" + f.marker()
                + ":" + String.join(">", f.decodeChain())).collect(Collectors.joining(", "));
    }

    private static List<Finding> ssn(AnalysisResult r) {
        return r.findings().stream().filter(f -> SsnDetector.MARKER.equals(f.marker())).toList();
    }

    @Test
    void ssnInAnHttpBodyIsAFailingMarkerFinding() throws Exception {
        AnalysisResult r = analyse("body", post("", "{\"customer\":\"jane\",\"ssn\":\"078-05-1120\"}"));
        assertEquals(Verdict.FAIL, r.verdict(), describe(r));
        List<Finding> found = ssn(r);
        assertEquals(1, found.size(), describe(r));
        Finding f = found.get(0);
        assertEquals(FindingKind.MARKER, f.kind());
        assertEquals(Verdict.FAIL, f.effect());
        assertEquals("http", f.protocol());
        assertEquals("http-body", f.decodeChain().get(0), describe(r));
        assertTrue(f.excerpt().text().contains("078-05-1120"), f.excerpt().text());
        assertTrue(f.detail().contains("pii:ssn"), f.detail());
    }

    @Test
    void ssnHiddenInABase64HeaderIsFoundAfterDecoding() throws Exception {
        String hidden = Base64.getEncoder().encodeToString(
                "account holder jane doe, ssn 078-05-1120, dob 1970-01-01".getBytes(StandardCharsets.US_ASCII));
        AnalysisResult r = analyse("header", post("X-Trace: " + hidden + "\r\n", "{}"));
        assertEquals(Verdict.FAIL, r.verdict(), describe(r));
        Finding f = ssn(r).get(0);
        assertTrue(f.decodeChain().contains("base64"), describe(r));
    }

    @Test
    void harmlessTrafficHasNoDetectorFinding() throws Exception {
        AnalysisResult r = analyse("harmless", post("X-Trace: 4bf92f3577b34da6\r\n",
                "{\"build\":\"2024-05-11\",\"phone\":\"+1-555-0100\",\"id\":\"1078-05-11201\"}"));
        assertTrue(ssn(r).isEmpty(), describe(r));
        assertEquals(Verdict.PASS, r.verdict(), describe(r));
    }
}
