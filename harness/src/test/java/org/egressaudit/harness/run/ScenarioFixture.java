package org.egressaudit.harness.run;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.egressaudit.analyzers.engine.AnalysisOptions;
import org.egressaudit.harness.sandbox.ImageBuilder;
import org.egressaudit.harness.sandbox.TestImages;
import org.egressaudit.harness.scenario.Scenario;
import org.egressaudit.harness.scenario.ScenarioLoader;

/** Writes small self-contained scenarios (agent script, corpus, policy) into a folder and runs them for real. */
final class ScenarioFixture {
    static final Path REPO_SCENARIOS = Path.of("../scenarios").toAbsolutePath().normalize();

    private final Path dir;
    final StringWriter progress = new StringWriter();

    ScenarioFixture(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("corpus"));
        Files.copy(REPO_SCENARIOS.resolve("corpora/basic/Documents/memo.txt"), dir.resolve("corpus/memo.txt"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("corpus/corpus.yaml"), "files:\n  memo.txt: document\n");
        Files.writeString(dir.resolve("policy.yaml"), "allow: [executable, metadata]\nopaqueBytesBudget: 4096\n"
                + "markers: [\"CANARY-\"]\n");
    }

    /** A scenario whose agent is {@code script} (sh), with the memo planted in /home/user/Documents. */
    Scenario scenario(String name, String script, String stop) throws Exception {
        Path agent = dir.resolve(name + ".sh");
        Files.writeString(agent, "#!/bin/sh\n" + script + "\n");
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, "name: " + name + "\n"
                + "sandbox: {image: " + TestImages.sandboxImage() + "}\n"
                + "agent:\n  files:\n    - {from: " + name + ".sh, to: /opt/agent/agent.sh, mode: \"0755\"}\n"
                + "  start: /opt/agent/agent.sh\n"
                + "corpus:\n  - {from: corpus, to: /home/user/Documents}\n"
                + "stop: " + stop + "\n"
                + "policy: policy.yaml\n");
        return ScenarioLoader.load(file);
    }

    ScenarioRunner runner() {
        return new ScenarioRunner(dir.resolve("runs"), AnalysisOptions.defaults(),
                new Images(new ImageBuilder()), new PrintWriter(progress, true), "test");
    }

    static ScenarioRunner repoRunner(Path runs, StringWriter progress) {
        return new ScenarioRunner(runs, AnalysisOptions.defaults(), new Images(new ImageBuilder()),
                new PrintWriter(progress, true), "test");
    }
}
