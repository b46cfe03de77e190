package org.egressaudit.harness.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.egressaudit.harness.diff.BadRunInputException;
import org.egressaudit.harness.diff.RunSet;
import org.egressaudit.harness.diff.SuiteDiff;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code egress-audit diff}: what a candidate run (or suite output) does that a baseline did not. */
@Command(name = "diff", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Compares two runs of the same scenario, or two suite outputs (directories of run folders, "
                + "paired by scenario name): new destinations, new categories and planted files leaving, new "
                + "FAIL/OPAQUE findings, verdict changes, and outbound volume changes per destination.",
                "Exit codes: 0 B is not worse than A, 1 B is worse (new FAIL/OPAQUE finding, worse verdict, new "
                        + "planted file or category leaving, new destination), 2 bad input."})
public final class DiffCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_A", description = "Baseline: a run folder or a directory of them.")
    Path runA;

    @Parameters(index = "1", paramLabel = "RUN_B", description = "Candidate: a run folder or a directory of them.")
    Path runB;

    @Option(names = "--volume-threshold", paramLabel = "R", defaultValue = "0.5",
            description = "Report a destination's outbound bytes when they change by more than this fraction of "
                    + "A's (default: ${DEFAULT-VALUE}, i.e. 50%%).")
    double volumeThreshold;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!(volumeThreshold >= 0) || Double.isInfinite(volumeThreshold)) {
            err.println("egress-audit diff: --volume-threshold must be a number >= 0, got " + volumeThreshold);
            return ExitCodes.BAD_INPUT;
        }
        SuiteDiff diff;
        try {
            diff = SuiteDiff.compare(RunSet.load(runA), RunSet.load(runB), volumeThreshold);
        } catch (BadRunInputException e) {
            err.println("egress-audit diff: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        if (diff.pairs().isEmpty()) {
            diff.print(out);
            err.println("egress-audit diff: no scenario appears in both " + runA + " and " + runB);
            return ExitCodes.BAD_INPUT;
        }
        diff.print(out);
        return diff.worse() ? ExitCodes.FAIL_OR_OPAQUE : ExitCodes.PASS;
    }
}
