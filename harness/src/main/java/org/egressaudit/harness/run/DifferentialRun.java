package org.egressaudit.harness.run;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.harness.differential.CorpusVariant;
import org.egressaudit.harness.differential.DifferentialAnalysis;
import org.egressaudit.harness.differential.DifferentialException;
import org.egressaudit.harness.differential.DifferentialReport;
import org.egressaudit.harness.differential.LabelledRun;
import org.egressaudit.harness.differential.RunLabel;
import org.egressaudit.harness.differential.VariantCorpus;
import org.egressaudit.harness.scenario.CorpusEntry;
import org.egressaudit.harness.scenario.Scenario;

/**
 * {@code run --differential}: the scenario run as interleaved pairs, CONTROL (the corpus as planted) then VARIANT
 * (the private files changed, everything else equal), and the runs' traffic compared shape by shape against the
 * noise between runs with identical corpora. Catches what content matching cannot: a planted file that leaves
 * encrypted with the agent's own key still changes the size of what is sent.
 *
 * <p>Layout: {@code <runs>/<time>-<scenario>-differential-<id>/} holds the corpora of both labels, one run folder
 * per run, {@code differential.json} and {@code differential.txt}.
 */
public final class DifferentialRun {
    public static final int MIN_PAIRS = 2;
    public static final int MAX_PAIRS = 20;

    /**
     * @param dir      the differential's folder
     * @param runs     every run, in the order run (control, variant, control, ...)
     * @param labels   the label of each run
     * @param report   the comparison, null when the runs could not be compared
     * @param exitCode 0 no difference beyond noise and every run PASS; 1 differential findings or a run FAIL/OPAQUE;
     *                 2 bad input; 3 setup; 4 a run's containment failed
     */
    public record Outcome(Path dir, List<RunOutcome> runs, List<RunLabel> labels, DifferentialReport report,
                          int exitCode, String problem) {
        public Outcome {
            runs = List.copyOf(runs);
            labels = List.copyOf(labels);
        }
    }

    private final Function<Path, ScenarioRunner> runners;

    /** @param runners makes the scenario runner that writes run folders into a given folder */
    public DifferentialRun(Function<Path, ScenarioRunner> runners) {
        this.runners = runners;
    }

    public Outcome run(Scenario s, int pairs, CorpusVariant variant, Path runsDir, PrintWriter progress)
            throws IOException {
        if (pairs < MIN_PAIRS || pairs > MAX_PAIRS) {
            throw new IllegalArgumentException("--pairs must be " + MIN_PAIRS + ".." + MAX_PAIRS + " (each label needs"
                    + " two runs at least: the noise is measured between runs with identical corpora), not " + pairs);
        }
        RunFolder folder = RunFolder.create(runsDir, s.name() + "-differential");
        List<CorpusEntry> controlCorpus = GeneratedCorpora.materialize(s.corpus(), folder.dir().resolve(
                "control-corpus"));
        VariantCorpus.Variant v;
        try {
            v = VariantCorpus.materialize(controlCorpus, s.policy(), variant, folder.dir().resolve("variant-corpus"));
        } catch (DifferentialException | org.egressaudit.analyzers.corpus.CorpusException e) {
            return new Outcome(folder.dir(), List.of(), List.of(), null, 2, "cannot make the variant corpus: "
                    + e.getMessage());
        }
        Scenario control = copy(s, s.name() + ".control", controlCorpus);
        Scenario changed = copy(s, s.name() + ".variant", v.entries());
        progress.println("[" + s.name() + "] differential: " + pairs + " pairs, variant " + variant.id() + " ("
                + v.change().condition() + ")");
        progress.flush();
        ScenarioRunner runner = runners.apply(folder.dir());
        List<RunOutcome> outcomes = new ArrayList<>();
        List<RunLabel> labels = new ArrayList<>();
        List<LabelledRun> labelled = new ArrayList<>();
        String problem = null;
        int worst = 0;
        for (int i = 0; i < pairs && problem == null; i++) {
            // interleaved, so drift over time (caches, clocks) falls on both labels alike
            for (RunLabel label : List.of(RunLabel.CONTROL, RunLabel.VARIANT)) {
                RunOutcome o = runner.run(label == RunLabel.CONTROL ? control : changed);
                outcomes.add(o);
                labels.add(label);
                worst = Math.max(worst, o.exitCode());
                if (o.result() == null) {
                    problem = label.name().toLowerCase(java.util.Locale.ROOT) + " run " + (i + 1) + " ("
                            + o.folder().dir().getFileName() + ") has no result: " + o.problem();
                    break;
                }
                labelled.add(LabelledRun.of(label, o.folder().runId(), o.result()));
            }
        }
        DifferentialReport report = null;
        if (problem == null) {
            try {
                report = new DifferentialAnalysis().analyze(labelled, v.change());
            } catch (DifferentialException e) {
                problem = "cannot compare the runs: " + e.getMessage();
            }
        }
        int exit = problem != null ? Math.max(worst, 2) : !report.findings().isEmpty() ? Math.max(worst, 1) : worst;
        write(folder.dir(), s, pairs, variant, outcomes, labels, report, problem, exit);
        return new Outcome(folder.dir(), outcomes, labels, report, exit, problem);
    }

    private static Scenario copy(Scenario s, String name, List<CorpusEntry> corpus) {
        return new Scenario(name, s.description(), s.file(), s.sandbox(), s.agent(), corpus, s.triggers(), s.stop(),
                s.policy(), s.policyFile(), s.responders(), s.expect());
    }

    private static void write(Path dir, Scenario s, int pairs, CorpusVariant variant, List<RunOutcome> outcomes,
                              List<RunLabel> labels, DifferentialReport report, String problem, int exit)
            throws IOException {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode n = m.createObjectNode();
        n.put("scenario", s.name());
        n.put("pairs", pairs);
        n.put("variant", variant.id());
        n.put("exitCode", exit);
        n.put("verdict", verdictOf(report, problem, outcomes));
        if (problem != null) {
            n.put("problem", problem);
        }
        ArrayNode runs = n.putArray("runs");
        for (int i = 0; i < outcomes.size(); i++) {
            RunOutcome o = outcomes.get(i);
            ObjectNode r = runs.addObject();
            r.put("label", labels.get(i).name());
            r.put("runId", o.folder().runId());
            r.put("folder", dir.relativize(o.folder().dir()).toString());
            r.put("verdict", o.verdict() == null ? "ERROR" : o.verdict().name());
            if (o.problem() != null) {
                r.put("problem", o.problem());
            }
        }
        if (report != null) {
            n.set("differential", report.toJson());
        }
        m.writeValue(dir.resolve("differential.json").toFile(), n);
        Files.write(dir.resolve("differential.txt"), text(report, problem), StandardCharsets.UTF_8);
    }

    /** FAIL when private content changed the traffic beyond the noise; else the worst run verdict. */
    static String verdictOf(DifferentialReport report, String problem, List<RunOutcome> outcomes) {
        if (problem != null) {
            return "ERROR";
        }
        Verdict v = Verdict.PASS;
        for (RunOutcome o : outcomes) {
            v = v.worst(o.verdict());
        }
        return !report.findings().isEmpty() ? Verdict.FAIL.name() : v.name();
    }

    /** The console text: one sentence per finding, or why there is none. */
    public static List<String> text(DifferentialReport report, String problem) {
        List<String> out = new ArrayList<>();
        if (problem != null) {
            out.add("DIFFERENTIAL ERROR: " + problem);
            return out;
        }
        out.addAll(report.sentences());
        return out;
    }
}
