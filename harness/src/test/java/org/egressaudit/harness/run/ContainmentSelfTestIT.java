package org.egressaudit.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.egressaudit.harness.cli.ExitCodes;
import org.egressaudit.harness.scenario.Scenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every run starts with a containment self-test. A contained run passes it (and says so in run.json); a run whose
 * containment is deliberately broken ends in ERROR: containment before the agent starts, whatever the agent does.
 * The breach targets are documentation addresses (203.0.113.7, 198.51.100.7, 192.0.2.53): harmless if they leave.
 */
class ContainmentSelfTestIT {
    @TempDir
    Path dir;

    private static JsonNode containment(RunOutcome o) throws Exception {
        JsonNode run = new ObjectMapper().readTree(o.folder().metadata().toFile());
        JsonNode c = run.path("containment");
        assertFalse(c.isMissingNode(), "run.json has a containment section: " + run);
        return c;
    }

    @Test
    void aContainedRunPassesEveryCheckAndKeepsItsVerdict() throws Exception {
        ScenarioFixture fx = new ScenarioFixture(dir);
        Scenario s = fx.scenario("contained", "cat /home/user/Documents/memo.txt > /dev/null; echo done",
                "{duration: 30s, agentExits: true}");
        RunOutcome o = fx.runner().run(s);
        assertNotNull(o.verdict(), o.problem() + "\n" + fx.progress);
        JsonNode c = containment(o);
        assertEquals("PASSED", c.path("status").asText(), c.toString());
        assertTrue(c.path("checks").size() >= 7, c.toString());
        for (JsonNode check : c.path("checks")) {
            assertTrue(check.path("passed").asBoolean(), check.toString());
        }
        String checks = c.toString();
        for (String what : new String[] {"dns via the sandbox's resolver", "dns to 192.0.2.53:53",
                "tcp to 203.0.113.7:80", "udp to 198.51.100.7:9", "connection tracking",
                "every answered connection was answered by the harness"}) {
            assertTrue(checks.contains(what), what + " missing: " + checks);
        }
        assertTrue(o.notes().stream().anyMatch(n -> n.startsWith("containment self-test: ")), o.notes().toString());
        JsonNode report = new ObjectMapper().readTree(o.folder().report().toFile());
        assertEquals("PASSED", report.path("run").path("containment").path("status").asText());
    }

    @Test
    void missingRedirectsEndTheRunInErrorBeforeTheAgentStarts() throws Exception {
        ScenarioFixture fx = new ScenarioFixture(dir);
        Scenario s = fx.scenario("no-redirects", "echo AGENT-RAN; sleep 5", "{duration: 30s, agentExits: true}");
        RunOutcome o = fx.runner().breakContainmentForTest(ScenarioRunner.Breach.NO_REDIRECTS).run(s);
        assertBreach(o, fx);
    }

    @Test
    void aNetworkWithARouteOutIsCaught() throws Exception {
        ScenarioFixture fx = new ScenarioFixture(dir);
        Scenario s = fx.scenario("route-out", "echo AGENT-RAN; sleep 5", "{duration: 30s, agentExits: true}");
        RunOutcome o = fx.runner().breakContainmentForTest(ScenarioRunner.Breach.ROUTE_OUT).run(s);
        assertBreach(o, fx);
        String checks = containment(o).toString();
        assertTrue(checks.contains("left towards 203.0.113.7") || checks.contains("left towards 192.0.2.53"),
                "the connection-tracking watch saw traffic leave: " + checks);
    }

    private static void assertBreach(RunOutcome o, ScenarioFixture fx) throws Exception {
        assertNull(o.verdict(), "no PASS/FAIL verdict for an uncontained run");
        assertEquals(ExitCodes.CONTAINMENT, o.exitCode(), o.problem() + "\n" + fx.progress);
        assertTrue(o.problem().startsWith("containment: "), o.problem());
        assertTrue(o.stopReason().startsWith("stopped before the agent started"), o.stopReason());
        assertFalse(Files.exists(o.folder().agentLog()) && Files.readString(o.folder().agentLog())
                .contains("AGENT-RAN"), "the agent never started");
        JsonNode c = containment(o);
        assertEquals("FAILED", c.path("status").asText(), c.toString());
        assertTrue(Files.readString(o.folder().summary()).contains("ERROR: containment: "),
                Files.readString(o.folder().summary()));
        JsonNode report = new ObjectMapper().readTree(o.folder().report().toFile());
        assertEquals("ERROR", report.path("verdict").asText(), "the report keeps the evidence, verdict ERROR");
    }
}
