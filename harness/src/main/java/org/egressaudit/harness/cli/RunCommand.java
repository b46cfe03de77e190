package org.egressaudit.harness.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.egressaudit.analyzers.engine.AnalysisOptions;
import org.egressaudit.harness.report.JunitCase;
import org.egressaudit.harness.report.JunitXmlReport;
import org.egressaudit.harness.run.Images;
import org.egressaudit.harness.run.RunOutcome;
import org.egressaudit.harness.run.RunSummary;
import org.egressaudit.harness.run.ScenarioRunner;
import org.egressaudit.harness.sandbox.ImageBuilder;
import org.egressaudit.harness.scenario.Scenario;
import org.egressaudit.harness.scenario.ScenarioException;
import org.egressaudit.harness.scenario.ScenarioLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code egress-audit run}: runs scenarios in sandboxes, captures what the agent sends, and judges it. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Runs scenarios (a scenario file, a suite directory, or a suite.yaml) in sandboxes: the agent "
                + "runs next to a planted corpus, everything it sends is contained, captured and analysed.",
                "Exit codes: 0 PASS (with --expect: every verdict as expected), 1 FAIL or OPAQUE (or not as "
                        + "expected), 2 bad scenario or analysis error, 3 the sandbox could not be set up."})
public final class RunCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "SCENARIO", description = "Scenario files or suite directories.")
    List<Path> scenarios;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs",
            description = "Parent folder of the run folders (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "1",
            description = "Scenarios run at once, each in its own network (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--expect", description = "Compare each verdict with the scenario's 'expect:' and exit 0 only "
            + "when all match (for CI gating on a suite that contains known-bad agents).")
    boolean expect;

    @Option(names = "--shard", paramLabel = "K/N", description = "Run only the K-th of N shares of the scenarios "
            + "(1-based, by position in the suite), to split a suite over CI machines.")
    String shard;

    @Option(names = "--tls-ca", paramLabel = "CERT.pem", description = "Reuse this CA for TLS interception instead "
            + "of a fresh one per run (needs --tls-ca-key).")
    Path tlsCa;

    @Option(names = "--tls-ca-key", paramLabel = "KEY.pem", description = "Private key of --tls-ca.")
    Path tlsCaKey;

    @Option(names = "--threads", paramLabel = "N", description = "Analysis threads per run (default: cores).")
    Integer threads;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write a JUnit XML report (one test case per "
            + "scenario; FAIL/OPAQUE, or with --expect a verdict not as expected, is a failure) for CI to publish.")
    Path junit;

    @Option(names = {"-q", "--quiet"}, description = "Print only one line per scenario.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Print every transmission and warning, and on a terminal "
            + "every step of each run (off a terminal the steps are always printed, unless --quiet).")
    boolean verbose;

    @Option(names = "--differential", description = "Run ONE scenario as interleaved pairs: the corpus as planted "
            + "(control) and with its private files changed (variant), and report traffic whose size changes with the"
            + " private content beyond the noise between identical runs (sees through the agent's own encryption).")
    boolean differential;

    @Option(names = "--pairs", paramLabel = "N", defaultValue = "3", description = "With --differential: control/"
            + "variant pairs to run (2..20, default ${DEFAULT-VALUE}); more pairs separate signal from noise better.")
    int pairs;

    @Option(names = "--variant", paramLabel = "KIND", defaultValue = "resized", description = "With --differential:"
            + " how the private files differ: resized (same names, other content and size; default) or absent.")
    String variant;

    @Override
    public Integer call() throws Exception {
        PrintWriter outw = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (parallel < 1 || parallel > 32) {
            err.println("egress-audit run: --parallel must be 1..32, got " + parallel);
            return ExitCodes.BAD_INPUT;
        }
        if ((tlsCa == null) != (tlsCaKey == null)) {
            err.println("egress-audit run: --tls-ca and --tls-ca-key go together");
            return ExitCodes.BAD_INPUT;
        }
        if (tlsCa != null) {
            try {
                org.egressaudit.harness.tls.RunCertificateAuthority.load(tlsCa, tlsCaKey);
            } catch (java.io.IOException | RuntimeException e) {
                err.println("egress-audit run: --tls-ca " + tlsCa + ": " + e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
        }
        List<Scenario> all = new ArrayList<>();
        for (Path p : scenarios) {
            try {
                all.addAll(ScenarioLoader.loadSuite(p));
            } catch (ScenarioException e) {
                err.println("egress-audit run: " + e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
        }
        if (all.isEmpty()) {
            err.println("egress-audit run: no scenarios found in " + scenarios);
            return ExitCodes.BAD_INPUT;
        }
        if (differential) {
            return differential(all, outw, err);
        }
        if (shard != null) {
            Shard sh;
            try {
                sh = Shard.parse(shard);
            } catch (IllegalArgumentException e) {
                err.println("egress-audit run: --shard " + e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            all = sh.select(all);
            if (all.isEmpty()) {
                outw.println("shard " + shard + ": no scenarios in this share");
                return ExitCodes.PASS;
            }
        }
        // Resources of earlier runs whose process died without cleaning up (SIGKILL, power loss).
        try {
            var left = org.egressaudit.harness.network.RunNetwork.removeLeftovers();
            List<Long> vms = org.egressaudit.harness.vm.VmLeftovers.killOrphans();
            // interfaces before rules: a rule is a leftover once its interface is gone
            List<String> links = org.egressaudit.harness.network.HostBridge.removeLeftovers();
            int rules = org.egressaudit.harness.network.Redirects.removeLeftovers();
            if (!left.isEmpty() || rules > 0 || !vms.isEmpty() || !links.isEmpty()) {
                err.println("egress-audit run: removed leftovers of dead runs: " + left.containers().size()
                        + " containers, " + left.networks().size() + " networks, " + vms.size()
                        + " virtual machines, " + links.size() + " VM network interfaces, " + rules
                        + " firewall rules");
            }
        } catch (RuntimeException e) {
            err.println("egress-audit run: could not look for leftovers of earlier runs: " + e.getMessage());
        }
        AnalysisOptions options = AnalysisOptions.defaults();
        if (threads != null) {
            options = options.withThreads(threads);
        }
        // On a terminal a periodic status line replaces the runner's step lines (kept with --verbose); in logs
        // (not a terminal) the step lines stay and there is no status line.
        boolean terminal = Progress.interactive();
        Progress ticker = terminal && !quiet ? new Progress(outw, all.size(), System::nanoTime) : null;
        PrintWriter progress = quiet || (ticker != null && !verbose) ? new PrintWriter(new StringWriter()) : outw;
        ScenarioRunner runner = new ScenarioRunner(out, options, new Images(new ImageBuilder()), progress,
                Version.get());
        if (tlsCa != null) {
            runner.withCertificateAuthority(tlsCa, tlsCaKey);
        }
        if (ticker != null) {
            runner.withRunFolderListener((s, folder) -> ticker.capture(s.name(), folder.capture()));
            ticker.start();
        }
        java.time.Instant suiteStarted = java.time.Instant.now();
        List<RunOutcome> outcomes = new ArrayList<>();
        List<java.time.Duration> times = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, all.size()));
        try {
            List<Future<Timed>> futures = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                Scenario s = all.get(i);
                int number = i + 1;
                futures.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    if (ticker != null) {
                        ticker.started(number, s.name());
                    }
                    try {
                        RunOutcome o = runner.run(s);
                        return new Timed(o, java.time.Duration.ofNanos(System.nanoTime() - t0));
                    } finally {
                        if (ticker != null) {
                            ticker.finished(s.name());
                        }
                    }
                }));
            }
            for (Future<Timed> f : futures) {
                Timed t = f.get();
                outcomes.add(t.outcome());
                times.add(t.time());
            }
        } finally {
            pool.shutdownNow();
            if (ticker != null) {
                ticker.close();
            }
        }
        int code = ExitCodes.PASS;
        for (RunOutcome o : outcomes) {
            report(o, outw);
            code = Math.max(code, expect ? (o.exitCode() >= 2 ? o.exitCode() : o.asExpected() ? 0 : 1) : o.exitCode());
        }
        if (outcomes.size() > 1 || quiet) {
            outw.println();
            outw.println("scenario                      verdict   expected  run folder");
            for (RunOutcome o : outcomes) {
                outw.printf(Locale.ROOT, "%-29s %-9s %-9s %s%n", o.scenario().name(),
                        o.verdict() == null ? (o.exitCode() == 3 ? "SETUP" : "ERROR") : o.verdict(),
                        o.scenario().expect().map(Enum::name).orElse("-"), o.folder().dir());
            }
        }
        if (junit != null) {
            List<JunitCase> cases = new ArrayList<>();
            for (int i = 0; i < outcomes.size(); i++) {
                cases.add(JunitCase.of(outcomes.get(i), times.get(i), expect));
            }
            try {
                JunitXmlReport.write(junit, suiteName(), suiteStarted, cases);
            } catch (java.io.IOException e) {
                err.println("egress-audit run: cannot write --junit " + junit + ": " + e.getMessage());
                code = Math.max(code, ExitCodes.BAD_INPUT);
            }
        }
        return code;
    }

    private record Timed(RunOutcome outcome, java.time.Duration time) {
    }

    private int differential(List<Scenario> all, PrintWriter outw, PrintWriter err) throws Exception {
        if (all.size() != 1) {
            err.println("egress-audit run: --differential takes exactly one scenario, got " + all.size());
            return ExitCodes.BAD_INPUT;
        }
        org.egressaudit.harness.differential.CorpusVariant kind;
        try {
            kind = org.egressaudit.harness.differential.CorpusVariant.fromId(variant);
        } catch (IllegalArgumentException e) {
            err.println("egress-audit run: --variant " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        if (pairs < org.egressaudit.harness.run.DifferentialRun.MIN_PAIRS
                || pairs > org.egressaudit.harness.run.DifferentialRun.MAX_PAIRS) {
            err.println("egress-audit run: --pairs must be 2..20 (each label needs two runs to measure the noise), "
                    + "got " + pairs);
            return ExitCodes.BAD_INPUT;
        }
        AnalysisOptions options = threads == null ? AnalysisOptions.defaults()
                : AnalysisOptions.defaults().withThreads(threads);
        PrintWriter progress = quiet ? new PrintWriter(new StringWriter()) : outw;
        Images images = new Images(new ImageBuilder());
        var outcome = new org.egressaudit.harness.run.DifferentialRun(dir -> {
            ScenarioRunner r = new ScenarioRunner(dir, options, images, progress, Version.get());
            if (tlsCa != null) {
                r.withCertificateAuthority(tlsCa, tlsCaKey);
            }
            return r;
        }).run(all.get(0), pairs, kind, out, progress);
        outw.println();
        outw.println("run                                  label     verdict");
        for (int i = 0; i < outcome.runs().size(); i++) {
            RunOutcome o = outcome.runs().get(i);
            outw.printf(Locale.ROOT, "%-36s %-9s %s%n", o.folder().dir().getFileName(), outcome.labels().get(i),
                    o.verdict() == null ? "ERROR: " + o.problem() : o.verdict());
        }
        outw.println();
        org.egressaudit.harness.run.DifferentialRun.text(outcome.report(), outcome.problem()).forEach(outw::println);
        outw.println("differential: " + outcome.dir().resolve("differential.json"));
        return outcome.exitCode();
    }

    /** The JUnit suite name: the suite path when one suite (directory or suite.yaml) was given, else the tool's. */
    String suiteName() {
        if (scenarios.size() == 1 && (java.nio.file.Files.isDirectory(scenarios.get(0))
                || scenarios.get(0).getFileName().toString().equals(ScenarioLoader.SUITE_FILE))) {
            return scenarios.get(0).toString();
        }
        return JunitXmlReport.CLASSNAME;
    }

    private void report(RunOutcome o, PrintWriter outw) {
        if (!quiet) {
            outw.print(RunSummary.text(o, verbose));
        }
    }
}
