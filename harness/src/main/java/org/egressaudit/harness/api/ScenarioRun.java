package org.egressaudit.harness.api;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.egressaudit.analyzers.engine.AnalysisOptions;
import org.egressaudit.harness.cli.Version;
import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.exec.HostCommandResult;
import org.egressaudit.harness.run.Images;
import org.egressaudit.harness.run.RunOutcome;
import org.egressaudit.harness.run.ScenarioRunner;
import org.egressaudit.harness.sandbox.ImageBuilder;
import org.egressaudit.harness.scenario.Scenario;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

/**
 * Runs scenarios for one test method (injected by {@link EgressAuditExtension}): each {@link #execute} is a full
 * sandboxed run, its run folder (capture, logs, report.json, summary.txt) under {@link #directory()}.
 */
public final class ScenarioRun implements ExtensionContext.Store.CloseableResource {
    private static final Duration DOCKER_TIMEOUT = Duration.ofSeconds(60);

    private final Path directory;
    private final StringWriter progressText = new StringWriter();
    private final PrintWriter progress;
    private final ScenarioRunner runner;
    private final List<RunOutcome> outcomes = new ArrayList<>();

    ScenarioRun(Path directory) {
        this.directory = directory;
        this.progress = new PrintWriter(new Tee(progressText, new PrintWriter(System.out, true)), true);
        this.runner = new ScenarioRunner(directory, AnalysisOptions.defaults(), new Images(new ImageBuilder()),
                progress, Version.get());
    }

    /** Where this test's run folders (and the scenarios built by {@link #scenario}) go. */
    public Path directory() {
        return directory;
    }

    /** A scenario builder that writes its YAML into this test's folder, next to the runs it produces. */
    public ScenarioBuilder scenario(String name) {
        return Scenarios.named(name).in(directory.resolve("scenarios"));
    }

    /**
     * Runs {@code scenario} in the sandbox and analyses what it sent.
     *
     * @return the outcome, always with a verdict and an analysis result
     * @throws AssertionFailedError when the sandbox could not be set up or the capture not analysed, with the
     *                              reason and the run's progress log
     */
    public RunOutcome execute(Scenario scenario) {
        RunOutcome o;
        try {
            o = runner.run(scenario);
        } catch (IOException e) {
            throw new UncheckedIOException("run of " + scenario.name() + " failed: " + e.getMessage(), e);
        }
        outcomes.add(o);
        if (o.verdict() == null || o.result() == null) {
            throw new AssertionFailedError("scenario " + scenario.name() + " produced no verdict: " + o.problem()
                    + "\nrun folder: " + o.folder().dir() + "\nnotes: " + o.notes() + "\n" + progressText);
        }
        return o;
    }

    /** The runs executed so far, in order. */
    public List<RunOutcome> outcomes() {
        return List.copyOf(outcomes);
    }

    /** Everything the runner reported so far (also echoed to stdout). */
    public String progress() {
        return progressText.toString();
    }

    /**
     * Removes containers and networks labelled with this test's run ids, if a run left any (it should not: the
     * runner releases them, also on errors; this covers an interrupted run).
     */
    @Override
    public void close() {
        for (RunOutcome o : outcomes) {
            String label = "label=egress-audit.run=" + o.folder().runId();
            for (String id : lines(HostCommand.of("docker", "ps", "-aq", "--filter", label))) {
                HostCommand.of("docker", "rm", "-f", id).timeout(DOCKER_TIMEOUT).run();
                progress.println("[cleanup] removed container " + id + " left by run " + o.folder().runId());
            }
            for (String id : lines(HostCommand.of("docker", "network", "ls", "-q", "--filter", label))) {
                HostCommand.of("docker", "network", "rm", id).timeout(DOCKER_TIMEOUT).run();
                progress.println("[cleanup] removed network " + id + " left by run " + o.folder().runId());
            }
        }
    }

    private static List<String> lines(HostCommand c) {
        try {
            HostCommandResult r = c.timeout(DOCKER_TIMEOUT).run();
            return r.succeeded() ? r.stdoutText().lines().map(String::strip).filter(l -> !l.isEmpty()).toList()
                    : List.of();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** Writes to two writers: the kept text for failure messages and the console. */
    private static final class Tee extends Writer {
        private final Writer a;
        private final Writer b;

        Tee(Writer a, Writer b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
