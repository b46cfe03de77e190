package org.egressaudit.analyzers.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.egressaudit.analyzers.corpus.Corpus;
import org.egressaudit.analyzers.corpus.CorpusLoader;
import org.egressaudit.analyzers.decode.DecoderRegistry;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.analyzers.policy.PolicyLoader;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.analyzers.protocol.tls.keylog.KeyLog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS decryption end to end on real captures: curl uploading Documents/secret.docx as multipart over HTTPS to a
 * loopback python server, with curl's SSLKEYLOGFILE (scenarios/tools/record_tls_captures.sh). With the key log
 * the findings are those of the plaintext upload, their chains starting at "tls"; without it the upload is
 * opaque; with wrong keys it is opaque and says why.
 */
class TlsEndToEndTest {
    static final Path TLS = EndToEndCaptureTest.SCENARIOS.resolve("captures/tls");
    static final String[] CAPTURES = {"tls12-aes128gcm", "tls12-aes256gcm", "tls12-chacha20", "tls13-aes128gcm",
            "tls13-aes256gcm", "tls13-chacha20", "tls13-aes128ccm", "tls13-aes128ccm8"};
    static Corpus corpus;
    static Policy policy;
    static AnalysisEngine engine;

    @BeforeAll
    static void setUp() throws Exception {
        engine = new AnalysisEngine(AnalysisOptions.defaults().withThreads(2));
        corpus = new CorpusLoader(DecoderRegistry.load()).load(EndToEndCaptureTest.SCENARIOS.resolve("corpora/basic"));
        policy = PolicyLoader.load(EndToEndCaptureTest.SCENARIOS.resolve("policies/default.yaml"));
    }

    static AnalysisResult analyze(String name, KeyLog keys) throws Exception {
        Path p = TLS.resolve(name + ".pcap");
        assertTrue(Files.isRegularFile(p), "missing capture " + p);
        return engine.analyze(p, corpus, policy, keys);
    }

    static void assertDecryptedUploadFails(AnalysisResult r) {
        String d = EndToEndCaptureTest.describe(r);
        assertEquals(Verdict.FAIL, r.verdict(), d);
        List<Finding> doc = EndToEndCaptureTest.failing(r, "Documents/secret.docx");
        assertEquals(1, doc.size(), d);
        Finding f = doc.get(0);
        assertEquals(FindingKind.WHOLE, f.kind(), d);
        assertEquals(List.of("tls", "http-body", "multipart", "secret.docx"), f.decodeChain(), d);
        assertEquals("http", f.protocol());
        assertTrue(f.summary().startsWith("POST /upload"), f.summary());
        assertTrue(f.flow().startsWith("tcp 127.0.0.1:") && f.flow().endsWith(":8443"), f.flow());
        assertEquals(1, r.connections().size(), "one TCP connection: " + r.connections());
        assertFalse(r.findings().stream().anyMatch(x -> x.kind() == FindingKind.OPAQUE), d);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls12-aes128gcm", "tls12-aes256gcm", "tls12-chacha20", "tls13-aes128gcm",
            "tls13-aes256gcm", "tls13-chacha20", "tls13-aes128ccm", "tls13-aes128ccm8"})
    void decryptedUploadFailsLikeThePlaintextOne(String name) throws Exception {
        assertDecryptedUploadFails(analyze(name, KeyLog.load(TLS.resolve(name + ".keys"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls12-aes128gcm", "tls13-aes256gcm"})
    void withoutKeysTheUploadIsOpaque(String name) throws Exception {
        AnalysisResult r = analyze(name, KeyLog.empty());
        String d = EndToEndCaptureTest.describe(r);
        assertEquals(Verdict.OPAQUE, r.verdict(), d);
        assertTrue(EndToEndCaptureTest.failing(r, "Documents/secret.docx").isEmpty(), d);
        Finding opaque = r.findings().stream().filter(x -> x.kind() == FindingKind.OPAQUE).findFirst().orElseThrow();
        assertEquals("upload.test", opaque.destination(), d);
        assertTrue(opaque.bytes() > 14_000, d);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls12-chacha20", "tls13-aes128gcm"})
    void wrongKeysLeaveTheUploadOpaqueWithANote(String name) throws Exception {
        // Same client randoms, every secret's first byte changed.
        StringBuilder wrong = new StringBuilder();
        for (String line : Files.readAllLines(TLS.resolve(name + ".keys"), StandardCharsets.US_ASCII)) {
            String[] f = line.split(" ");
            char c = f[2].charAt(0) == '0' ? '1' : '0';
            wrong.append(f[0]).append(' ').append(f[1]).append(' ').append(c).append(f[2].substring(1)).append('\n');
        }
        AnalysisResult r = analyze(name, KeyLog.parse(wrong.toString()));
        String d = EndToEndCaptureTest.describe(r);
        assertEquals(Verdict.OPAQUE, r.verdict(), d);
        assertTrue(EndToEndCaptureTest.failing(r, "Documents/secret.docx").isEmpty(), d);
        assertTrue(r.transmissions().stream().anyMatch(t -> t.transmission().notes().stream()
                .anyMatch(n -> n.contains("decryption failed at") && n.contains("(wrong key?)"))), d);
    }

    @Test
    void keysInsideThePcapngAreUsedWithoutAKeyLogFile() throws Exception {
        Path p = TLS.resolve("tls13-aes128gcm-dsb.pcapng");
        assertDecryptedUploadFails(engine.analyze(p, corpus, policy));
    }
}
