package org.egressaudit.harness.run;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.egressaudit.harness.report.ConsoleSummary;

/** The human summary of one run: how it went, then the analysis summary, then whether it was as expected. */
public final class RunSummary {
    private RunSummary() {
    }

    public static String text(RunOutcome o, boolean verbose) {
        StringWriter text = new StringWriter();
        PrintWriter w = new PrintWriter(text);
        w.println("== scenario " + o.scenario().name() + " (" + o.folder().dir() + ")");
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
        o.scenario().expect().ifPresent(e -> w.println("expected " + e + ": "
                + (o.asExpected() ? "as expected" : "NOT AS EXPECTED")));
        w.flush();
        return text.toString();
    }
}
