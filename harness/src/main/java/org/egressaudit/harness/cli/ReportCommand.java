package org.egressaudit.harness.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.egressaudit.analyzers.capture.CaptureFormatException;
import org.egressaudit.analyzers.corpus.CorpusException;
import org.egressaudit.analyzers.engine.AnalysisOptions;
import org.egressaudit.analyzers.policy.PolicyException;
import org.egressaudit.harness.report.ReportRenderers;
import org.egressaudit.harness.run.RunReanalysis;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code egress-audit report RUN_DIR}: rewrites a run folder's reports from its evidence, without re-running. */
@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Regenerates report.json and summary.txt (and any registered renderings, e.g. HTML) of a run "
                + "folder without re-running it: capture.pcap is analysed again with the folder's corpus/, "
                + "policy.yaml and tls-keys.log; the run section is kept from run.json.",
                "Exit codes: 0 PASS, 1 FAIL or OPAQUE, 2 not a run folder or unreadable input."})
public final class ReportCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run folder written by 'egress-audit run'.")
    Path runDir;

    @Option(names = "--threads", paramLabel = "N", description = "Analysis worker threads (default: number of cores).")
    Integer threads;

    @Option(names = {"-q", "--quiet"}, description = "Print only the verdict line.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AnalysisOptions options = AnalysisOptions.defaults();
        if (threads != null) {
            if (threads < 1 || threads > 256) {
                err.println("egress-audit report: --threads must be 1..256, got " + threads);
                return ExitCodes.BAD_INPUT;
            }
            options = options.withThreads(threads);
        }
        RunReanalysis.Regenerated r;
        try {
            r = new RunReanalysis(options, Version.get()).regenerate(runDir);
        } catch (RunReanalysis.NotARunFolderException e) {
            err.println("egress-audit report: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        } catch (PolicyException e) {
            err.println("egress-audit report: policy: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        } catch (CorpusException e) {
            err.println("egress-audit report: corpus: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        } catch (CaptureFormatException e) {
            err.println("egress-audit report: capture: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        } catch (IOException e) {
            err.println("egress-audit report: " + runDir + ": " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        for (String w : r.warnings()) {
            err.println("egress-audit report: warning: " + w);
        }
        // The single call site of extra renderings (HTML report...): renderers register through ServiceLoader.
        for (String f : ReportRenderers.renderAll(r.report(), runDir)) {
            err.println("egress-audit report: warning: rendering failed: " + f);
        }
        if (quiet) {
            out.println("VERDICT: " + r.verdict());
        } else {
            out.print(r.summary());
            out.println("report: " + runDir.resolve("report.json"));
        }
        return ExitCodes.of(r.verdict());
    }
}
