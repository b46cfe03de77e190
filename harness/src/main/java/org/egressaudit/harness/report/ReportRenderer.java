package org.egressaudit.harness.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An extra rendering of a run's report (e.g. HTML), written into the run folder next to report.json. Found with
 * {@link java.util.ServiceLoader}: implementations register in
 * {@code META-INF/services/org.egressaudit.harness.report.ReportRenderer} and need a public no-argument constructor.
 */
public interface ReportRenderer {
    /** Writes this rendering of {@code report} (report.json's content, run section included) into {@code runDir}. */
    void render(ObjectNode report, Path runDir) throws IOException;
}
