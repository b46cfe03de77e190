package org.egressaudit.harness.differential;

import java.util.Objects;
import org.egressaudit.analyzers.engine.AnalysisResult;

/** One run of a differential: its traffic and which corpus it planted. */
public record LabelledRun(RunLabel label, RunTraffic traffic) {
    public LabelledRun {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(traffic, "traffic");
    }

    /** Reduces an analysis to its traffic right away, so the full result need not be kept. */
    public static LabelledRun of(RunLabel label, String runId, AnalysisResult result) {
        return new LabelledRun(label, RunTraffic.of(runId, result));
    }

    public String runId() {
        return traffic.runId();
    }
}
