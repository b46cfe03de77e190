package org.egressaudit.harness.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;

/** Regenerates report.html when {@code egress-audit report RUN_DIR} rewrites a run's reports. */
public final class HtmlReportRenderer implements ReportRenderer {

    @Override
    public void render(ObjectNode report, Path runDir) throws IOException {
        HtmlReport.write(report, runDir.resolve("report.html"));
    }
}
