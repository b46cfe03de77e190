package org.egressaudit.harness.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.harness.scenario.Scenario;
import org.egressaudit.harness.scenario.ScenarioLoader;
import org.egressaudit.harness.scenario.Trigger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java builder produces what the YAML loader produces, and is rejected where the loader rejects. */
class ScenarioBuilderTest {
    @TempDir
    Path host;
    @TempDir
    Path out;
    Path agent;
    Path corpus;

    @BeforeEach
    void files() throws Exception {
        agent = Files.writeString(host.resolve("a.py"), "print('hi')\n");
        corpus = Files.createDirectories(host.resolve("corpus"));
        Files.writeString(corpus.resolve("memo.txt"), "memo CANARY-1\n");
    }

    private ScenarioBuilder minimal(String name) {
        return Scenarios.named(name).image("egress-audit/base:bookworm").agentFile(agent, "/opt/agent/a.py")
                .start("python3 /opt/agent/a.py").allow("metadata");
    }

    @Test
    void everyBuilderKeyReachesTheScenario() throws Exception {
        Path body = Files.writeString(host.resolve("verdict.json"), "{\"verdict\":\"clean\"}");
        Scenario s = Scenarios.named("my-exfil").description("hides the memo in a header")
                .image("egress-audit/base:bookworm").env("LANG", "C.UTF-8").env("FLAG", "yes").env("N", "0755")
                .workdir("/opt/agent").trustStore("/opt/agent/ca.pem")
                .agentVersion("1.10").agentFile(agent, "/opt/agent/a.py", "0755").install("mkdir -p /var/lib/a")
                .start("python3 /opt/agent/a.py").user("root").auditFiles()
                .plant(corpus, "/home/user/Documents")
                .trigger("update", Duration.ofSeconds(2), "touch /x")
                .triggerCopy("drop", Duration.ofMillis(1500), corpus.resolve("memo.txt"), "/home/user/new.txt")
                .stopAfter(Duration.ofSeconds(90)).stopWhenIdle(Duration.ofSeconds(5)).stopWhenAgentExits()
                .allow(Category.EXECUTABLE, Category.METADATA).opaqueBudget(4096).markers("CANARY-")
                .respond("*.vendor.example", "/api/*", 404, "{\"error\":\"no\"}")
                .respond(Responder.any().method("POST").status(200).header("Content-Type", "application/json")
                        .bodyFile(body))
                .expect(Verdict.FAIL).in(out).build();
        assertEquals("my-exfil", s.name());
        assertEquals(Optional.of("hides the memo in a header"), s.description());
        assertEquals(out.resolve("my-exfil.yaml"), s.file());
        assertEquals(Map.of("LANG", "C.UTF-8", "FLAG", "yes", "N", "0755"), s.sandbox().env());
        assertEquals(Optional.of("/opt/agent"), s.sandbox().workdir());
        assertEquals(List.of("/opt/agent/ca.pem"), s.sandbox().trustStores());
        assertEquals(Optional.of("1.10"), s.agent().version());
        assertEquals(agent, s.agent().files().get(0).from());
        assertEquals(0755, s.agent().files().get(0).mode().getAsInt());
        assertEquals(List.of("mkdir -p /var/lib/a"), s.agent().install());
        assertTrue(s.agent().auditFiles());
        assertEquals(corpus, s.corpus().get(0).from());
        assertEquals("/home/user/Documents", s.corpus().get(0).to());
        assertEquals(List.of("drop", "update"), s.triggers().stream().map(Trigger::name).toList(), "sorted by time");
        assertEquals(Duration.ofSeconds(90), s.stop().duration());
        assertEquals(Optional.of(Duration.ofSeconds(5)), s.stop().idle());
        assertTrue(s.stop().agentExits());
        assertTrue(s.policy().allows(Category.EXECUTABLE));
        assertFalse(s.policy().allows(Category.DOCUMENT));
        assertEquals(Optional.empty(), s.policyFile());
        assertEquals(2, s.responders().rules().size());
        assertEquals(Optional.of(Verdict.FAIL), s.expect());
    }

    @Test
    void toYamlIsAScenarioFileThatLoadsToTheSameScenario() throws Exception {
        ScenarioBuilder b = minimal("round-trip").plant(corpus, "/home/user/Documents")
                .trigger("t", Duration.ofSeconds(1), "echo 'quoted: yes'").stopAfter(Duration.ofSeconds(10));
        Scenario built = b.in(out).build();
        // written elsewhere, with paths relative to that place: a file a researcher can keep
        Path elsewhere = Files.createDirectories(host.resolve("scenarios/mine"));
        Path file = b.writeTo(elsewhere.resolve("round-trip.yaml"));
        String yaml = Files.readString(file);
        assertTrue(yaml.contains("from: ../../a.py"), yaml);
        assertFalse(yaml.contains(host.toString()), "host paths are relative: " + yaml);
        Scenario loaded = ScenarioLoader.load(file);
        assertEquals(built.agent(), loaded.agent());
        assertEquals(built.corpus(), loaded.corpus());
        assertEquals(built.triggers(), loaded.triggers());
        assertEquals(built.stop(), loaded.stop());
        assertEquals(b.toYaml(elsewhere), yaml);
    }

    @Test
    void policyFileIsReferencedAndResolvedByTheLoader() throws Exception {
        Path policy = Files.writeString(host.resolve("policy.yaml"), "allow: [document]\n");
        Scenario s = Scenarios.named("with-file").image("egress-audit/base:bookworm").start("true").policy(policy)
                .in(out).build();
        assertEquals(Optional.of(policy), s.policyFile());
        assertTrue(s.policy().allows(Category.DOCUMENT));
    }

    @Test
    void defaultDirectoryIsATemporaryOne() {
        Scenario s = minimal("temp").build();
        assertTrue(Files.isRegularFile(s.file()));
        assertTrue(s.file().getParent().getFileName().toString().startsWith("egress-audit-scenario-"));
    }

    @Test
    void loaderErrorsComeWithTheGeneratedYaml() {
        InvalidScenarioException e = assertThrows(InvalidScenarioException.class,
                () -> minimal("late").trigger("too-late", Duration.ofSeconds(120), "true")
                        .stopAfter(Duration.ofSeconds(30)).in(out).build());
        assertTrue(e.getMessage().contains("comes after stop.duration 30s"), e.getMessage());
        assertTrue(e.getMessage().contains("--- generated scenario"), e.getMessage());
        assertTrue(e.getMessage().matches("(?s).*\\d+  +at: 2m.*"), e.getMessage());
    }

    @Test
    void invalidValuesAreRejectedByTheLoadersRules() {
        assertThrows(InvalidScenarioException.class, () -> minimal("Bad Name").in(out).build());
        assertThrows(InvalidScenarioException.class, () -> minimal("rel").agentFile(agent, "relative/path").in(out).build());
        assertThrows(InvalidScenarioException.class, () -> minimal("mode").agentFile(corpus, "/c", "0755").in(out).build());
        assertThrows(InvalidScenarioException.class, () -> minimal("status")
                .respond("*", "/", 700, "x").in(out).build());
        assertThrows(InvalidScenarioException.class, () -> minimal("cat").allow("no-such-category").in(out).build());
        assertThrows(InvalidScenarioException.class, () -> Scenarios.named("nostart").image("egress-audit/base:bookworm")
                .allow("metadata").in(out).build());
        assertThrows(InvalidScenarioException.class, () -> Scenarios.named("nopolicy").image("egress-audit/base:bookworm")
                .start("true").in(out).build());
        assertThrows(InvalidScenarioException.class, () -> minimal("gone").plant(host.resolve("missing"), "/x")
                .in(out).build());
    }

    @Test
    void policyFileAndInlinePolicyExcludeEachOther() throws Exception {
        Path policy = Files.writeString(host.resolve("p.yaml"), "allow: []\n");
        assertThrows(IllegalStateException.class, () -> minimal("both").policy(policy).in(out).build());
    }

    @Test
    void subMillisecondDurationsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> minimal("nanos").stopAfter(Duration.ofNanos(1500))
                .in(out).build());
    }
}
