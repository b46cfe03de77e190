package org.egressaudit.harness.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Runs every registered {@link ReportRenderer}; a renderer that fails costs its own file, never the report. */
public final class ReportRenderers {
    private ReportRenderers() {
    }

    /** Renders with each registered renderer; returns one line per failure (empty when all succeeded). */
    public static List<String> renderAll(ObjectNode report, Path runDir) {
        List<String> failures = new ArrayList<>();
        try {
            for (ReportRenderer r : ServiceLoader.load(ReportRenderer.class)) {
                try {
                    r.render(report.deepCopy(), runDir);
                } catch (Exception e) {
                    failures.add(r.getClass().getName() + ": " + e);
                }
            }
        } catch (ServiceConfigurationError e) {
            failures.add("report renderers: " + e.getMessage());
        }
        return failures;
    }
}
