package org.egressaudit.harness.containment;

import java.util.List;

/**
 * One thing the harness verified about containment, and what it saw.
 *
 * @param name   short name, e.g. "tcp to 203.0.113.7:80"
 * @param passed true when the traffic ended at the harness (or nothing escaped)
 * @param detail what was observed, for the report
 */
public record ContainmentCheck(String name, boolean passed, String detail) {

    /** The failed checks' one-line descriptions. */
    public static List<String> failures(List<ContainmentCheck> checks) {
        return checks.stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.detail()).toList();
    }
}
