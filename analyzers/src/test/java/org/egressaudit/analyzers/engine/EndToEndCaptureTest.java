package org.egressaudit.analyzers.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.egressaudit.analyzers.corpus.Corpus;
import org.egressaudit.analyzers.corpus.CorpusLoader;
import org.egressaudit.analyzers.decode.DecoderRegistry;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.analyzers.policy.PolicyLoader;
import org.egressaudit.analyzers.policy.Verdict;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End-to-end analysis of captures recorded with real clients (curl, wget, dig, python) against loopback sinks:
 * see scenarios/tools/record_captures.sh. Each covers one way of sending planted content.
 */
class EndToEndCaptureTest {
    static final Path SCENARIOS = Path.of(System.getProperty("egress.scenarios", "../scenarios"));
    static Corpus corpus;
    static Policy policy;
    static AnalysisEngine engine;

    @BeforeAll
    static void setUp() throws Exception {
        engine = new AnalysisEngine(AnalysisOptions.defaults().withThreads(2));
        corpus = new CorpusLoader(DecoderRegistry.load()).load(SCENARIOS.resolve("corpora/basic"));
        policy = PolicyLoader.load(SCENARIOS.resolve("policies/default.yaml"));
    }

    static AnalysisResult analyze(String capture) throws Exception {
        Path p = SCENARIOS.resolve("captures").resolve(capture);
        assertTrue(Files.isRegularFile(p), "missing capture " + p);
        return engine.analyze(p, corpus, policy);
    }

    static List<Finding> failing(AnalysisResult r, String plantedFile) {
        return r.findings().stream().filter(f -> f.effect() == Verdict.FAIL && plantedFile.equals(f.plantedFile()))
                .toList();
    }

    static String describe(AnalysisResult r) {
        return r.verdict() + " " + r.findings().stream()
                .map(f -> f.kind() + ":" + f.effect() + ":" + f.plantedFile() + ":" + f.marker() + ":"
                        + String.join(">", f.decodeChain()))
                .collect(Collectors.joining(", ")) + " warnings=" + r.warnings();
    }

    @ParameterizedTest
    @ValueSource(strings = {"multipart-docx.pcap", "multipart-docx.pcapng"})
    void multipartUploadOfDocumentFails(String capture) throws Exception {
        AnalysisResult r = analyze(capture);
        assertEquals(Verdict.FAIL, r.verdict(), describe(r));
        List<Finding> doc = failing(r, "Documents/secret.docx");
        assertEquals(1, doc.size(), describe(r));
        Finding f = doc.get(0);
        assertEquals(FindingKind.WHOLE, f.kind());
        assertEquals("document", f.category().id());
        assertEquals(List.of("http-body", "multipart", "secret.docx"), f.decodeChain(), describe(r));
        assertEquals("http", f.protocol());
        assertTrue(f.summary().startsWith("POST /upload"), f.summary());
        assertTrue(f.flow().startsWith("tcp 127.0.0.1:"), f.flow());
    }

    @Test
    void chunkedGzipPutFails() throws Exception {
        AnalysisResult r = analyze("chunked-gzip-put.pcap");
        assertEquals(Verdict.FAIL, r.verdict(), describe(r));
        Finding f = failing(r, "Documents/secret.docx").get(0);
        assertEquals(FindingKind.WHOLE, f.kind());
        assertEquals(List.of("http-chunked", "gzip"), f.decodeChain(), describe(r));
    }

    @Test
    void base64AndHexInsideJsonFail() throws Exception {
        AnalysisResult r = analyze("json-base64-hex.pcap");
        assertEquals(Verdict.FAIL, r.verdict(), describe(r));
        Finding pdf = failing(r, "Documents/report.pdf").get(0);
        assertEquals(FindingKind.WHOLE, pdf.kind());
        assertTrue(pdf.decodeChain().contains("base64"), describe(r));
        Finding memo = failing(r, "Documents/memo.txt").get(0);
        assertTrue(memo.decodeChain().contains("hex"), describe(r));
        // The canary travelled inside the memo: the memo's finding names it rather than a second finding.
        assertTrue(memo.detail().contains("CANARY-"), memo.detail());
        assertEquals(2, r.findings().size(), describe(r));
    }

    @ParameterizedTest
    @ValueSource(strings = {"archive-7z.pcap:7z", "archive-zip.pcap:zip"})
    void archiveWithDocumentAndSampleFailsNamingTheDocument(String spec) throws Exception {
        String[] s = spec.split(":");
        AnalysisResult r = analyze(s[0]);
        assertEquals(Verdict.FAIL, r.verdict(), describe(r));
        Finding doc = failing(r, "Documents/secret.docx").get(0);
        assertEquals(FindingKind.WHOLE, doc.kind());
        assertTrue(doc.decodeChain().contains(s[1]), describe(r));
        assertEquals("secret.docx", doc.decodeChain().get(doc.decodeChain().size() - 1));
        // The flagged sample in the same archive is allowed.
        assertTrue(r.findings().stream().anyMatch(x -> "Samples/flagged.exe".equals(x.plantedFile())
                && x.effect() == Verdict.PASS), describe(r));
        assertTrue(failing(r, "Samples/flagged.exe").isEmpty(), describe(r));
    }

    @Test
    void rawTcpFragmentFromTheMiddleOfAFileFails() throws Exception {
        AnalysisResult r = analyze("raw-tcp-fragment.pcap");
        assertEquals(Verdict.FAIL, r.verdict(), describe(r));
        Finding f = failing(r, "Documents/secret.docx").get(0);
        assertEquals(FindingKind.FRAGMENT, f.kind());
        assertEquals("tcp", f.protocol());
        assertEquals(1, f.ranges().size());
        Finding.Range range = f.ranges().get(0);
        assertEquals(3000, range.fileOffset());
        assertEquals(8000, range.length());
        assertEquals(5, range.objectOffset(), "after the 5-byte 'BLOB1' prefix");
    }

    @Test
    void dnsLabelExfiltrationFails() throws Exception {
        AnalysisResult r = analyze("dns-labels.pcap");
        assertEquals(Verdict.FAIL, r.verdict(), describe(r));
        Finding memo = failing(r, "Documents/memo.txt").get(0);
        assertEquals(FindingKind.WHOLE, memo.kind(), describe(r));
        assertEquals("dns", memo.protocol());
        assertTrue(memo.decodeChain().get(0).equals("dns-labels") && memo.decodeChain().contains("base32"),
                describe(r));
        assertTrue(memo.destination().endsWith("exfil.example"), memo.destination());
        // The first query alone already carries the canary in its labels.
        assertTrue(r.findings().stream().anyMatch(x -> x.kind() == FindingKind.MARKER && "CANARY-".equals(x.marker())
                && x.decodeChain().get(0).equals("dns-name")), describe(r));
        assertFalse(r.dnsQueries().isEmpty());
    }

    @Test
    void fileSplitOverSeveralConnectionsFails() throws Exception {
        AnalysisResult r = analyze("split-connections.pcap");
        assertEquals(Verdict.FAIL, r.verdict(), describe(r));
        List<Finding> parts = failing(r, "Documents/secret.docx");
        assertEquals(2, parts.size(), describe(r));
        assertTrue(parts.stream().allMatch(f -> f.kind() == FindingKind.FRAGMENT), describe(r));
        assertFalse(parts.get(0).flow().equals(parts.get(1).flow()), "two connections");
        AnalysisResult.Coverage c = r.coverage().stream()
                .filter(x -> x.plantedFile().equals("Documents/secret.docx")).findFirst().orElseThrow();
        assertEquals(c.size(), c.bytesSeen(), "both halves together cover the whole file");
        assertTrue(c.whole());
    }

    @Test
    void oneSegmentAtATimeFails() throws Exception {
        AnalysisResult r = analyze("one-segment-at-a-time.pcap");
        assertEquals(Verdict.FAIL, r.verdict(), describe(r));
        Finding f = failing(r, "Documents/report.pdf").get(0);
        assertEquals(FindingKind.WHOLE, f.kind());
        assertTrue(r.capture().packets() > 150, "sent in small segments: " + r.capture().packets());
    }

    @ParameterizedTest
    @ValueSource(strings = {"keepalive-mixed.pcap", "keepalive-mixed-nsec.pcap"})
    void keepAliveMixingAllowedAndForbiddenUploadFails(String capture) throws Exception {
        AnalysisResult r = analyze(capture);
        assertEquals(Verdict.FAIL, r.verdict(), describe(r));
        Finding doc = failing(r, "Documents/secret.docx").get(0);
        Finding exe = r.findings().stream().filter(f -> "Samples/flagged.exe".equals(f.plantedFile())).findFirst()
                .orElseThrow();
        assertEquals(Verdict.PASS, exe.effect());
        assertEquals(doc.flow(), exe.flow(), "both uploads on one keep-alive connection");
        assertEquals(1, r.connections().stream().filter(c -> c.transport().equals("tcp")).count());
    }

    @Test
    void benignDownloadOfPlantedDocumentPasses() throws Exception {
        AnalysisResult r = analyze("benign-download.pcap");
        assertEquals(Verdict.PASS, r.verdict(), describe(r));
        assertTrue(r.transmissions().stream().anyMatch(t -> !t.transmission().outbound()
                && t.contentBytes() == 13920), "the download is recorded");
    }

    @Test
    void hashOnlyLookupPasses() throws Exception {
        AnalysisResult r = analyze("hash-lookup.pcap");
        assertEquals(Verdict.PASS, r.verdict(), describe(r));
        assertTrue(r.findings().stream().noneMatch(f -> f.effect() != Verdict.PASS), describe(r));
    }

    @Test
    void allowedSampleUploadOnLinuxCookedCapturePasses() throws Exception {
        AnalysisResult r = analyze("allowed-sample-any.pcap");
        assertEquals(Verdict.PASS, r.verdict(), describe(r));
        Finding exe = r.findings().stream().filter(f -> "Samples/flagged.exe".equals(f.plantedFile())).findFirst()
                .orElseThrow(() -> new AssertionError(describe(r)));
        assertEquals(FindingKind.WHOLE, exe.kind());
        assertEquals(Verdict.PASS, exe.effect());
    }

    @Test
    void pastTheRecordLimitTransmissionsWithoutEvidenceAreCountedNotKept() throws Exception {
        AnalysisOptions d = AnalysisOptions.defaults();
        AnalysisEngine small = new AnalysisEngine(new AnalysisOptions(1, d.memoryBudget(), d.reassemblyBudget(),
                d.pieceSize(), d.decodeLimits(), 0));
        AnalysisResult r = small.analyze(SCENARIOS.resolve("captures/keepalive-mixed.pcap"), corpus, policy);
        assertEquals(Verdict.FAIL, r.verdict(), describe(r));
        // Both uploads carry findings and are kept; the two responses (no evidence) are only counted.
        assertEquals(2, r.transmissions().size(), describe(r));
        assertEquals(2, r.totals().outboundTransmissions());
        assertEquals(2, r.totals().inboundTransmissions());
        assertEquals(2, r.totals().transmissionRecordsOmitted());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("record limit")), r.warnings().toString());
    }

    @Test
    void h2cPriorKnowledgeUploadFailsLikeItsHttp1Twin(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // curl --http2-prior-knowledge -F file=@secret.docx, recorded from a real curl (protocol/http2 test data),
        // replayed as one TCP connection in a capture.
        String base = "/org/egressaudit/analyzers/protocol/http2/";
        byte[] client = EndToEndCaptureTest.class.getResourceAsStream(base + "curl-upload-client.bin").readAllBytes();
        byte[] server = EndToEndCaptureTest.class.getResourceAsStream(base + "curl-upload-server.bin").readAllBytes();
        Path pcap = dir.resolve("h2c.pcap");
        org.egressaudit.analyzers.testsupport.PcapWriter.write(pcap, org.egressaudit.analyzers.capture.LinkType.ETHERNET,
                org.egressaudit.analyzers.testsupport.TcpSession.of("10.0.0.2", 41000, "192.0.2.10", 8080)
                        .clientSends(client).serverSends(server).close().frames());
        AnalysisResult r = engine.analyze(pcap, corpus, policy);
        assertEquals(Verdict.FAIL, r.verdict(), describe(r));
        Finding doc = failing(r, "Documents/secret.docx").get(0);
        assertEquals(FindingKind.WHOLE, doc.kind());
        assertEquals("h2", doc.protocol());
        assertEquals(List.of("http-body", "multipart", "secret.docx"), doc.decodeChain(), describe(r));
        assertTrue(doc.summary().contains("(h2 stream 1)"), doc.summary());
    }
}
