package org.egressaudit.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.egressaudit.analyzers.engine.AnalysisOptions;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.harness.differential.CorpusVariant;
import org.egressaudit.harness.differential.DifferentialFinding;
import org.egressaudit.harness.differential.RunLabel;
import org.egressaudit.harness.sandbox.ImageBuilder;
import org.egressaudit.harness.sandbox.TestImages;
import org.egressaudit.harness.scenario.Scenario;
import org.egressaudit.harness.scenario.ScenarioLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential runs on the reference agents: the agent that AES-encrypts documents inside its telemetry passes a
 * plain run (nothing recognisable leaves) and is flagged by the differential; the honest agent gives no
 * differential finding over 5 repeated pairs (the noise of random ids, timestamps and timing is not a signal).
 */
class DifferentialIT {
    @TempDir
    static Path runs;
    static final StringWriter progress = new StringWriter();

    @BeforeAll
    static void image() {
        TestImages.sandboxImage();
    }

    static DifferentialRun differential() {
        Images images = new Images(new ImageBuilder());
        return new DifferentialRun(dir -> new ScenarioRunner(dir, AnalysisOptions.defaults(), images,
                new PrintWriter(progress, true), "test"));
    }

    static Scenario scenario(String name) throws Exception {
        return ScenarioLoader.load(ScenarioFixture.REPO_SCENARIOS.resolve("container/" + name + ".yaml"));
    }

    @Test
    void encryptedDocumentsPassAPlainRunAndAreFlaggedByTheDifferential() throws Exception {
        DifferentialRun.Outcome o = differential().run(scenario("encrypting-uploader"), 3, CorpusVariant.RESIZED,
                runs, new PrintWriter(progress, true));
        assertNull(o.problem(), o.problem() + "\n" + progress);
        // a control run is a plain run of the scenario: nothing planted is recognisable in it
        RunOutcome plain = o.runs().get(0);
        assertEquals(RunLabel.CONTROL, o.labels().get(0));
        assertEquals(Verdict.PASS, plain.verdict(), ReferenceAgentsIT.describe(plain));
        assertTrue(plain.result().findings().stream().noneMatch(f -> f.plantedFile() != null),
                ReferenceAgentsIT.describe(plain));
        List<DifferentialFinding> fs = o.report().findings();
        assertEquals(1, fs.size(), o.report().sentences().toString());
        DifferentialFinding f = fs.get(0);
        assertTrue(f.summary().startsWith("POST /v2/telemetry"), f.summary());
        assertTrue(f.opaque(), "the telemetry body is opaque: " + f);
        assertTrue(f.deltaBytes() > 16_000, "grew by about the resized documents' growth: " + f.deltaBytes());
        assertTrue(f.sentence().contains("secret.docx") || o.report().change().files().stream()
                .anyMatch(x -> x.endsWith("secret.docx")), f.sentence());
        assertEquals(1, o.exitCode(), "differential findings fail the run");
        JsonNode json = new ObjectMapper().readTree(o.dir().resolve("differential.json").toFile());
        assertEquals("FAIL", json.path("verdict").asText());
        assertEquals(6, json.path("runs").size());
        assertTrue(json.path("differential").path("findings").get(0).path("statistic").asText()
                .contains("do not overlap"), json.toString());
        assertTrue(Files.readString(o.dir().resolve("differential.txt")).contains("grew by"));
    }

    @Test
    void theHonestAgentGivesNoDifferentialFindingOverFivePairs() throws Exception {
        DifferentialRun.Outcome o = differential().run(scenario("honest"), 5, CorpusVariant.RESIZED, runs,
                new PrintWriter(progress, true));
        assertNull(o.problem(), o.problem() + "\n" + progress);
        assertNotNull(o.report());
        assertEquals(10, o.runs().size());
        assertEquals(List.of(), o.report().findings(), String.join("\n", o.report().sentences()));
        assertEquals(0, o.exitCode(), "every run PASS and no differential finding");
        // the noise table shows what was compared, and why nothing was reported
        assertTrue(o.report().shapes().size() >= 3, o.report().shapes().toString());
    }
}
