package org.egressaudit.harness.differential;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of a differential: findings, the noise table (every shape with its per-run numbers and why it was or
 * was not reported), the runs used and anything that weakens the comparison.
 *
 * @param separationProbability chance that the two labels' runs separate completely when nothing differs
 */
public record DifferentialReport(CorpusChange change, DifferentialRule rule, List<RunInfo> runs,
                                 List<DifferentialFinding> findings, List<ShapeComparison> shapes,
                                 double separationProbability, List<String> warnings) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public DifferentialReport {
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(rule, "rule");
        runs = List.copyOf(runs);
        findings = List.copyOf(findings);
        shapes = List.copyOf(shapes);
        warnings = List.copyOf(warnings);
    }

    /** A run used: id, label, its number of shapes and outbound bytes. */
    public record RunInfo(String runId, RunLabel label, int shapes, long bytes, List<String> warnings) {
        public RunInfo {
            warnings = List.copyOf(warnings);
        }

        static RunInfo of(LabelledRun r) {
            long bytes = r.traffic().shapes().values().stream().mapToLong(RunTraffic.ShapeTraffic::bytes).sum();
            return new RunInfo(r.runId(), r.label(), r.traffic().shapes().size(), bytes, r.traffic().warnings());
        }
    }

    /** Console lines: a header, one line per finding, the warnings. */
    public List<String> sentences() {
        List<String> out = new ArrayList<>();
        long control = runs.stream().filter(r -> r.label() == RunLabel.CONTROL).count();
        out.add("differential (" + change.kind().id() + " variant, " + change.files().size() + " private file"
                + (change.files().size() == 1 ? "" : "s") + ", " + control + " control and " + (runs.size() - control)
                + " variant runs, " + shapes.size() + " request shapes): " + (findings.isEmpty()
                ? "no transmission changed with the private content beyond the noise of identical runs"
                : findings.size() + " transmission shape" + (findings.size() == 1 ? "" : "s")
                        + " changed with the private content"));
        for (DifferentialFinding f : findings) {
            out.add("  differential: " + f.sentence());
            out.add("    " + f.statistic());
        }
        for (String w : warnings) {
            out.add("  warning: " + w);
        }
        return out;
    }

    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("variant", change.kind().id());
        ArrayNode files = root.putArray("changedFiles");
        change.files().forEach(files::add);
        root.put("changedFilesControlBytes", change.controlBytes());
        root.put("changedFilesVariantBytes", change.variantBytes());
        ObjectNode r = root.putObject("rule");
        r.put("statement", "report a shape when the per-run totals of control and variant runs do not overlap "
                + "and the difference of their means exceeds the largest difference between two runs with the "
                + "same corpus plus the margin; else the same test on the number of requests");
        r.put("marginFloorBytes", rule.marginFloorBytes());
        r.put("marginFraction", rule.marginFraction());
        r.put("countMarginFloor", rule.countMarginFloor());
        r.put("countMarginFraction", rule.countMarginFraction());
        r.put("opaqueShare", rule.opaqueShare());
        r.put("separationProbability", separationProbability);
        ArrayNode rs = root.putArray("runs");
        for (RunInfo i : runs) {
            ObjectNode n = rs.addObject();
            n.put("runId", i.runId());
            n.put("label", i.label().id());
            n.put("shapes", i.shapes());
            n.put("outboundBytes", i.bytes());
            strings(n.putArray("warnings"), i.warnings());
        }
        ArrayNode fs = root.putArray("findings");
        for (DifferentialFinding f : findings) {
            fs.add(finding(f));
        }
        ArrayNode table = root.putArray("noise");
        for (ShapeComparison c : shapes) {
            ObjectNode n = table.addObject();
            shape(n, c.shape());
            n.put("outcome", c.outcome().id());
            n.put("reported", c.outcome().reported());
            longs(n.putArray("controlBytes"), c.controlBytes());
            longs(n.putArray("variantBytes"), c.variantBytes());
            longs(n.putArray("controlRequests"), c.controlRequests());
            longs(n.putArray("variantRequests"), c.variantRequests());
            measure(n.putObject("bytes"), c.bytes());
            measure(n.putObject("requests"), c.requests());
            n.put("reason", c.reason());
        }
        strings(root.putArray("warnings"), warnings);
        return root;
    }

    private static ObjectNode finding(DifferentialFinding f) {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", "differential");
        shape(n, f.shape());
        n.put("summary", f.summary());
        n.put("change", f.change().id());
        n.put("basis", f.basis().id());
        n.put("sentence", f.sentence());
        n.put("statistic", f.statistic());
        longs(n.putArray("controlTotals"), f.controlTotals());
        longs(n.putArray("variantTotals"), f.variantTotals());
        longs(n.putArray("controlRequests"), f.controlRequests());
        longs(n.putArray("variantRequests"), f.variantRequests());
        n.put("deltaBytes", f.deltaBytes());
        n.put("deltaRequests", f.deltaRequests());
        n.put("noise", f.noise());
        n.put("margin", f.margin());
        n.put("opaque", f.opaque());
        if (Double.isNaN(f.opaqueShare())) {
            n.putNull("opaqueShare");
        } else {
            n.put("opaqueShare", f.opaqueShare());
        }
        ArrayNode ev = n.putArray("evidence");
        for (DifferentialFinding.RunEvidence e : f.evidence()) {
            ObjectNode en = ev.addObject();
            en.put("runId", e.runId());
            en.put("label", e.label().id());
            en.put("bytes", e.bytes());
            en.put("requests", e.requests());
            ArrayNode ts = en.putArray("transmissions");
            for (RunTraffic.Evidence t : e.transmissions()) {
                ObjectNode tn = ts.addObject();
                tn.put("id", t.transmissionId());
                tn.put("flow", t.flow());
                tn.put("summary", t.summary());
                tn.put("bytes", t.bytes());
            }
            en.put("moreTransmissions", e.moreTransmissions());
        }
        return n;
    }

    private static void shape(ObjectNode n, RequestShape s) {
        n.put("shape", s.key());
        n.put("protocol", s.protocol());
        n.put("destination", s.destination());
        n.put("request", s.request());
    }

    private static void measure(ObjectNode n, Measure m) {
        n.put("controlMean", m.controlMean());
        n.put("variantMean", m.variantMean());
        n.put("noise", m.noise());
        n.put("signal", m.signal());
        n.put("margin", m.margin());
        n.put("separated", m.separated());
    }

    private static void longs(ArrayNode a, List<Long> xs) {
        xs.forEach(a::add);
    }

    private static void strings(ArrayNode a, List<String> xs) {
        xs.forEach(a::add);
    }
}
