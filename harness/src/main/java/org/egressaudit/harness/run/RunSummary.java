package org.egressaudit.harness.run;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.harness.capture.CaptureStats;
import org.egressaudit.harness.report.ConsoleSummary;

/** The human summary of one run: how it went, then the analysis summary, then whether it was as expected. */
public final class RunSummary {
    private RunSummary() {
    }

    public static String text(RunOutcome o, boolean verbose) {
        return text(new Facts(o.scenario().name(), o.folder().dir(), o.agentVersion(), o.stopReason(), o.capture(),
                o.notes(), o.fileActivity(), o.result(), o.verdict(), o.exitCode(), o.problem(),
                o.scenario().expect()), verbose);
    }

    /**
     * What a summary is made of, whether the run just happened or is re-read from its folder.
     *
     * @param verdict the run's verdict (may be worse than the analysis's), null when there is none
     */
    public record Facts(String scenario, Path dir, String agentVersion, String stopReason, CaptureStats capture,
                        List<String> notes, List<String> fileActivity, AnalysisResult result, Verdict verdict,
                        int exitCode, String problem, Optional<Verdict> expect) {
    }

    public static String text(Facts o, boolean verbose) {
        StringWriter text = new StringWriter();
        PrintWriter w = new PrintWriter(text);
        w.println("== scenario " + o.scenario() + " (" + o.dir() + ")");
        if (o.agentVersion() != null) {
            w.println("agent:   " + o.agentVersion());
        }
        if (o.stopReason() != null) {
            w.println("stopped: " + o.stopReason());
        }
        if (o.capture() != null) {
            w.println("capture: " + o.capture().received() + " packets received, " + o.capture().dropped()
                    + " dropped, " + o.capture().droppedByInterface() + " dropped by interface");
        }
        for (String n : o.notes()) {
            w.println("note:    " + n);
        }
        for (String a : o.fileActivity()) {
            w.println("files:   " + a);
        }
        if (o.result() != null) {
            new ConsoleSummary(w, false, verbose).print(o.result());
            if (o.verdict() != o.result().verdict()) {
                w.println("RUN VERDICT: " + o.verdict() + " (the capture was incomplete)");
            }
        } else {
            w.println((o.exitCode() == 3 ? "SETUP FAILED: " : "ERROR: ") + o.problem());
        }
        o.expect().ifPresent(e -> w.println("expected " + e + ": "
                + (e == o.verdict() ? "as expected" : "NOT AS EXPECTED")));
        w.flush();
        return text.toString();
    }
}
