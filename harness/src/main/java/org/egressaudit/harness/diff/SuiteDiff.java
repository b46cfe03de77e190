package org.egressaudit.harness.diff;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.egressaudit.harness.report.ConsoleSummary;

/** Two run sets paired by scenario name, each pair compared; renders the readable table of `egress-audit diff`. */
public record SuiteDiff(RunSet a, RunSet b, List<RunDiff> pairs, List<String> onlyInA, List<String> onlyInB) {

    public SuiteDiff {
        pairs = List.copyOf(pairs);
        onlyInA = List.copyOf(onlyInA);
        onlyInB = List.copyOf(onlyInB);
    }

    public static SuiteDiff compare(RunSet a, RunSet b, double volumeThreshold) {
        List<RunDiff> pairs = new ArrayList<>();
        List<String> onlyA = new ArrayList<>();
        List<String> onlyB = new ArrayList<>();
        // A single run folder on each side is compared whatever the scenario names say (e.g. a renamed scenario).
        if (a.byScenario().size() == 1 && b.byScenario().size() == 1
                && RunReport.isRunFolder(a.root()) && RunReport.isRunFolder(b.root())) {
            pairs.add(RunDiff.compare(a.byScenario().values().iterator().next(),
                    b.byScenario().values().iterator().next(), volumeThreshold));
            return new SuiteDiff(a, b, pairs, onlyA, onlyB);
        }
        TreeSet<String> names = new TreeSet<>(a.byScenario().keySet());
        names.addAll(b.byScenario().keySet());
        for (String n : names) {
            RunReport x = a.byScenario().get(n);
            RunReport y = b.byScenario().get(n);
            if (x == null) {
                onlyB.add(n);
            } else if (y == null) {
                onlyA.add(n);
            } else {
                pairs.add(RunDiff.compare(x, y, volumeThreshold));
            }
        }
        return new SuiteDiff(a, b, pairs, onlyA, onlyB);
    }

    /**
     * True when B is worse: a pair got worse, or a scenario only B ran did not pass (nothing to compare it with,
     * so a FAIL/OPAQUE there is new).
     */
    public boolean worse() {
        if (pairs.stream().anyMatch(RunDiff::worse)) {
            return true;
        }
        return onlyInB.stream().map(n -> b.byScenario().get(n)).anyMatch(r -> !"PASS".equals(r.verdict()));
    }

    public void print(PrintWriter out) {
        out.println("A: " + a.root());
        out.println("B: " + b.root());
        for (String n : a.notes()) {
            out.println("note: " + n);
        }
        for (String n : b.notes()) {
            out.println("note: " + n);
        }
        out.println();
        out.printf(Locale.ROOT, "%-29s %-7s %-7s %-9s %s%n", "scenario", "A", "B", "result", "changes");
        for (RunDiff d : pairs) {
            String result = d.worse() ? "WORSE" : d.unchanged() ? "same" : "changed";
            out.printf(Locale.ROOT, "%-29s %-7s %-7s %-9s %s%n", d.scenario(), d.a().verdict(), d.b().verdict(),
                    result, summary(d));
        }
        for (String n : onlyInA) {
            out.printf(Locale.ROOT, "%-29s %-7s %-7s %-9s %s%n", n, a.byScenario().get(n).verdict(), "-", "gone",
                    "only in A");
        }
        for (String n : onlyInB) {
            String v = b.byScenario().get(n).verdict();
            out.printf(Locale.ROOT, "%-29s %-7s %-7s %-9s %s%n", n, "-", v, "PASS".equals(v) ? "new" : "WORSE",
                    "only in B");
        }
        for (RunDiff d : pairs) {
            if (d.unchanged()) {
                continue;
            }
            out.println();
            out.println("== " + d.scenario() + "  (" + d.a().folder() + " -> " + d.b().folder() + ")");
            if (d.verdictChanged()) {
                out.println("  verdict:          " + d.a().verdict() + " -> " + d.b().verdict()
                        + (d.verdictWorse() ? "  (worse)" : "  (better)"));
            }
            list(out, "new destination:  ", d.newDestinations());
            list(out, "new category out: ", d.newCategories());
            list(out, "new planted file: ", d.newPlantedFiles());
            list(out, "new finding:      ", d.newBlockingFindings().stream().map(RunReport.FindingKey::describe)
                    .toList());
            list(out, "gone finding:     ", d.goneBlockingFindings().stream().map(RunReport.FindingKey::describe)
                    .toList());
            list(out, "gone destination: ", d.goneDestinations());
            for (RunDiff.VolumeChange v : d.volumeChanges()) {
                out.printf(Locale.ROOT, "  volume:           %-30s %s -> %s (%s)%n", v.destination(),
                        ConsoleSummary.human(v.bytesA()), ConsoleSummary.human(v.bytesB()), percent(v.relative()));
            }
        }
        out.println();
        out.println(worse() ? "RESULT: B is WORSE than A" : "RESULT: B is not worse than A");
    }

    private static String summary(RunDiff d) {
        List<String> parts = new ArrayList<>();
        if (d.verdictChanged()) {
            parts.add("verdict " + (d.verdictWorse() ? "worse" : "better"));
        }
        count(parts, d.newDestinations().size(), "new destination");
        count(parts, d.newCategories().size(), "new category");
        count(parts, d.newPlantedFiles().size(), "new planted file");
        count(parts, d.newBlockingFindings().size(), "new finding");
        count(parts, d.goneBlockingFindings().size(), "gone finding");
        count(parts, d.goneDestinations().size(), "gone destination");
        count(parts, d.volumeChanges().size(), "volume change");
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    private static void count(List<String> parts, int n, String what) {
        if (n > 0) {
            parts.add(n + " " + what + (n == 1 ? "" : "s"));
        }
    }

    private static void list(PrintWriter out, String label, List<String> values) {
        for (String v : values) {
            out.println("  " + label + v);
        }
    }

    private static String percent(double rel) {
        return Double.isInfinite(rel) ? "from nothing" : String.format(Locale.ROOT, "%+.0f%%", rel * 100);
    }

    /** Scenario name to its diff, for tests and callers. */
    public Map<String, RunDiff> byScenario() {
        Map<String, RunDiff> m = new java.util.TreeMap<>();
        for (RunDiff d : pairs) {
            m.put(d.scenario(), d);
        }
        return m;
    }
}
