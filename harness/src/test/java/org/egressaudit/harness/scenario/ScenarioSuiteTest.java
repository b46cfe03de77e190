package org.egressaudit.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioSuiteTest {
    @TempDir
    Path tmp;
    ScenarioFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new ScenarioFixture(tmp);
    }

    static String scenario(String name) {
        return "name: " + name + "\nsandbox: {image: egress-audit/base:bookworm}\nagent: {start: run}\n"
                + "policy: {allow: [metadata]}\n";
    }

    static List<String> names(List<Scenario> suite) {
        return suite.stream().map(Scenario::name).toList();
    }

    @Test
    void directoryWithoutSuiteFileIsEveryScenarioBelowItSortedByPath() throws Exception {
        fx.write("b.yaml", scenario("bravo"));
        fx.write("a.yml", scenario("alpha"));
        fx.write("sub/c.yaml", scenario("charlie").replace("{allow: [metadata]}", "../policies/default.yaml"));
        fx.write(".hidden/d.yaml", scenario("hidden"));
        fx.write("notes.txt", scenario("not-yaml"));
        // policies/default.yaml and corpora/basic/corpus.yaml from the fixture are not scenarios and are skipped
        List<Scenario> suite = ScenarioLoader.loadSuite(tmp);
        assertEquals(List.of("alpha", "bravo", "charlie"), names(suite));
        assertEquals(tmp.resolve("sub/c.yaml"), suite.get(2).file());
    }

    @Test
    void suiteFileListsScenariosInItsOrderRelativeToItself() throws Exception {
        fx.write("shared/x.yaml", scenario("x-ray"));
        fx.write("suite/b.yaml", scenario("bravo"));
        fx.write("suite/a.yaml", scenario("alpha"));
        fx.write("suite/ignored.yaml", scenario("ignored"));
        fx.write("suite/suite.yaml", "description: only these\nscenarios: [b.yaml, ../shared/x.yaml, a.yaml]\n");
        List<Scenario> suite = ScenarioLoader.loadSuite(tmp.resolve("suite"));
        assertEquals(List.of("bravo", "x-ray", "alpha"), names(suite));
        assertEquals(tmp.resolve("shared/x.yaml"), suite.get(1).file());
        // the suite file itself may be given too
        assertEquals(names(suite), names(ScenarioLoader.loadSuite(tmp.resolve("suite/suite.yaml"))));
    }

    @Test
    void aScenarioFileIsASuiteOfOne() throws Exception {
        Path f = fx.write("one.yaml", scenario("one"));
        assertEquals(List.of("one"), names(ScenarioLoader.loadSuite(f)));
    }

    @Test
    void duplicateNamesAreAnError() throws Exception {
        fx.write("s/a.yaml", scenario("same"));
        fx.write("s/b.yaml", "# the second one\n" + scenario("same"));
        ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioLoader.loadSuite(tmp.resolve("s")));
        assertEquals(tmp.resolve("s/b.yaml") + ":2: name: 'same' is already the name of the scenario in "
                + tmp.resolve("s/a.yaml") + " (names must be unique in a suite)", e.getMessage());
    }

    @Test
    void suiteFileMistakes() throws Exception {
        fx.write("s/a.yaml", scenario("alpha"));
        Path suite = fx.write("s/suite.yaml", "scenarios:\n  - a.yaml\n  - missing.yaml\n");
        ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioLoader.loadSuite(tmp.resolve("s")));
        assertEquals(suite + ":3: scenarios[1]: 'missing.yaml' does not exist", e.getMessage());

        Files.writeString(suite, "scenarios: [a.yaml, ./a.yaml]\n");
        e = assertThrows(ScenarioException.class, () -> ScenarioLoader.loadSuite(tmp.resolve("s")));
        assertEquals(suite + ":1: scenarios[1]: './a.yaml' is listed twice", e.getMessage());

        Files.writeString(suite, "scenario: [a.yaml]\n");
        e = assertThrows(ScenarioException.class, () -> ScenarioLoader.loadSuite(tmp.resolve("s")));
        assertEquals(suite + ":1: scenario: unknown key 'scenario' (known keys here: description, scenarios)",
                e.getMessage());

        Files.writeString(suite, "scenarios: []\n");
        e = assertThrows(ScenarioException.class, () -> ScenarioLoader.loadSuite(tmp.resolve("s")));
        assertEquals(suite + ":1: scenarios: lists no scenarios", e.getMessage());
    }

    @Test
    void anInvalidScenarioInASuiteFailsTheWholeSuite() throws Exception {
        fx.write("s/a.yaml", scenario("alpha"));
        Path bad = fx.write("s/b.yaml", scenario("bravo") + "stop: {duration: forever}\n");
        ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioLoader.loadSuite(tmp.resolve("s")));
        assertEquals(bad + ":5: stop.duration: 'forever' is not a duration (write whole numbers with units h, m, s, "
                + "ms in that order, e.g. 500ms, 2s, 1m30s)", e.getMessage());
    }

    @Test
    void emptyOrMissingSuites() throws Exception {
        Files.createDirectories(tmp.resolve("empty"));
        fx.write("empty/policy.yaml", "allow: [metadata]\n");
        ScenarioException e = assertThrows(ScenarioException.class,
                () -> ScenarioLoader.loadSuite(tmp.resolve("empty")));
        assertEquals(tmp.resolve("empty") + ": no scenarios found (no *.yaml file with scenario keys such as "
                + "'agent:' or 'sandbox:', and no suite.yaml)", e.getMessage());
        e = assertThrows(ScenarioException.class, () -> ScenarioLoader.loadSuite(tmp.resolve("nope")));
        assertEquals(tmp.resolve("nope") + ": no such file or directory", e.getMessage());
    }

    @Test
    void theRepositoryScenariosDirectoryIsASuite() throws Exception {
        // policies and corpus manifests live there too; only real scenarios are picked up
        List<Scenario> suite = ScenarioLoader.loadSuite(ScenarioLoaderTest.SCENARIOS);
        assertEquals(true, names(suite).contains("example-hash-lookup"));
    }
}
