package org.egressaudit.harness.run;

import java.util.List;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.harness.capture.CaptureStats;
import org.egressaudit.harness.scenario.Scenario;

/**
 * What one scenario run produced.
 *
 * @param verdict    the run's verdict (analysis verdict, made at least OPAQUE when the capture lost packets), or
 *                   null when the run could not be analysed
 * @param exitCode   0 PASS, 1 FAIL/OPAQUE, 2 analysis error, 3 the sandbox could not be set up
 * @param problem    why the run did not produce a verdict (setup or analysis), else null
 * @param stopReason why observation ended (duration, idle, agent exited)
 * @param notes      things a reviewer should know (agent crashed, trigger failed, capture drops)
 * @param fileActivity planted files the agent opened, and which findings followed (when the scenario audits files)
 */
public record RunOutcome(Scenario scenario, RunFolder folder, Verdict verdict, int exitCode, String problem,
                         AnalysisResult result, CaptureStats capture, String stopReason, String agentVersion,
                         List<String> notes, List<String> fileActivity) {

    public RunOutcome {
        notes = List.copyOf(notes);
        fileActivity = List.copyOf(fileActivity);
    }

    /** True when the scenario declared an expected verdict and the run produced it. */
    public boolean asExpected() {
        return scenario.expect().map(e -> e == verdict).orElse(true);
    }
}
