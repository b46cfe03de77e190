package org.egressaudit.harness.report;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.stream.Collectors;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.analyzers.engine.AnalyzedTransmission;
import org.egressaudit.analyzers.engine.Finding;
import org.egressaudit.analyzers.policy.Verdict;

/** The short human summary printed after an analysis. */
public final class ConsoleSummary {
    private final PrintWriter out;
    private final boolean quiet;
    private final boolean verbose;

    public ConsoleSummary(PrintWriter out, boolean quiet, boolean verbose) {
        this.out = out;
        this.quiet = quiet;
        this.verbose = verbose;
    }

    public void print(AnalysisResult r) {
        long failing = r.findings().stream().filter(f -> f.effect() == Verdict.FAIL).count();
        long opaque = r.findings().stream().filter(f -> f.effect() == Verdict.OPAQUE).count();
        String why = switch (r.verdict()) {
            case PASS -> "nothing planted left beyond what the policy allows";
            case FAIL -> failing + " finding(s) break the policy" + (opaque > 0 ? ", " + opaque + " opaque" : "");
            case OPAQUE -> opaque + " finding(s) could not be inspected";
        };
        if (quiet) {
            out.println("VERDICT: " + r.verdict() + " (" + why + ")");
            return;
        }
        AnalysisResult.CaptureSummary c = r.capture();
        out.println("capture: " + c.file() + " (" + c.format() + ", " + c.packets() + " packets, " + human(c.bytes())
                + (c.complete() ? "" : ", INCOMPLETE") + ")");
        out.println("corpus:  " + r.corpus().root() + " (" + r.corpus().topLevelFiles().size() + " planted files, "
                + (r.corpus().files().size() - r.corpus().topLevelFiles().size()) + " archive members)");
        out.println("policy:  allow [" + r.policy().allow().stream().sorted().map(Category::id)
                .collect(Collectors.joining(", ")) + "], opaque budget " + r.policy().opaqueBytesBudget() + " bytes");
        long out1 = r.totals().outboundTransmissions();
        long bytesOut = r.totals().outboundBytes();
        out.println("traffic: " + r.connections().size() + " connections/flows, " + r.dnsQueries().size()
                + " DNS queries, " + out1 + " outbound transmissions (" + human(bytesOut) + ")");
        out.println();
        for (Finding f : r.findings()) {
            if (f.effect() == Verdict.PASS && !verbose && f.kind().id().equals("metadata")) {
                continue;
            }
            String what = f.plantedFile() != null ? f.plantedFile()
                    : f.marker() != null ? "'" + f.marker() + "'" : "";
            out.printf(Locale.ROOT, "%-6s #%-3d %-17s %s%s -> %s  %s%n", f.effect() == Verdict.PASS ? "ok" : f.effect(),
                    f.id(), f.kind().id(), what, f.category() != null ? " (" + f.category() + ")" : "",
                    f.destination(), f.summary() == null ? "" : f.summary());
            out.println("            " + f.detail());
            if (!f.decodeChain().isEmpty()) {
                out.println("            chain: " + String.join(" > ", f.decodeChain()) + "   flow: " + f.flow());
            }
        }
        if (verbose) {
            out.println();
            for (AnalyzedTransmission t : r.transmissions()) {
                out.printf(Locale.ROOT, "  tx %-5d %-3s %-5s %-30s %s (%s)%n", t.transmission().id(),
                        t.transmission().outbound() ? "out" : "in", t.transmission().protocol(),
                        t.transmission().destination(), t.transmission().summary(), human(t.contentBytes()));
            }
        }
        if (!r.warnings().isEmpty()) {
            out.println();
            int shown = 0;
            for (String w : r.warnings()) {
                if (!verbose && shown++ >= 5) {
                    out.println("warning: ... " + (r.warnings().size() - 5) + " more (see --verbose or the JSON report)");
                    break;
                }
                out.println("warning: " + w);
            }
        }
        out.println();
        out.println("VERDICT: " + r.verdict() + " (" + why + ")");
    }

    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double v = bytes;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
