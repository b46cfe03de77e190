package org.egressaudit.harness.api;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.egressaudit.analyzers.engine.Finding;
import org.egressaudit.analyzers.engine.FindingKind;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.harness.run.RunOutcome;
import org.opentest4j.AssertionFailedError;

/**
 * A filtered view of a run's findings for assertions, e.g.
 * {@code Findings.of(o).failing().about("/home/user/Documents/memo.txt").single().decodeChain()}. Immutable: every
 * filter returns a new view. {@link #toString()} describes every finding, for assertion messages.
 */
public final class Findings {
    private final List<Finding> findings;

    private Findings(List<Finding> findings) {
        this.findings = List.copyOf(findings);
    }

    /** Every finding of the run (the run must have been analysed). */
    public static Findings of(RunOutcome outcome) {
        if (outcome.result() == null) {
            throw new AssertionFailedError("the run has no analysis result: " + outcome.problem());
        }
        return new Findings(outcome.result().findings());
    }

    public static Findings of(List<Finding> findings) {
        return new Findings(findings);
    }

    /** Findings that make the verdict FAIL. */
    public Findings failing() {
        return where(f -> f.effect() == Verdict.FAIL);
    }

    /** Findings the policy allows (effect PASS). */
    public Findings allowed() {
        return where(f -> f.effect() == Verdict.PASS);
    }

    public Findings ofKind(FindingKind kind) {
        return where(f -> f.kind() == kind);
    }

    /** Findings naming planted file {@code path}: its sandbox path, with or without the leading '/'. */
    public Findings about(String path) {
        String p = strip(Objects.requireNonNull(path, "path"));
        return where(f -> f.plantedFile() != null && strip(f.plantedFile()).equals(p));
    }

    public Findings withMarker(String marker) {
        return where(f -> marker.equals(f.marker()));
    }

    /** Findings whose decode chain contains every one of {@code layers}, in this order (not necessarily adjacent). */
    public Findings decodedThrough(String... layers) {
        return where(f -> inOrder(f.decodeChain(), layers));
    }

    public Findings where(Predicate<Finding> test) {
        return new Findings(findings.stream().filter(test).toList());
    }

    /** Distinct planted files named, in order of first appearance. */
    public List<String> plantedFiles() {
        return findings.stream().map(Finding::plantedFile).filter(Objects::nonNull).distinct().toList();
    }

    /** Distinct markers found, in order of first appearance. */
    public List<String> markers() {
        return findings.stream().map(Finding::marker).filter(Objects::nonNull).distinct().toList();
    }

    public List<Finding> list() {
        return findings;
    }

    public int size() {
        return findings.size();
    }

    public boolean isEmpty() {
        return findings.isEmpty();
    }

    /** The only finding left. @throws AssertionFailedError when there are none or several */
    public Finding single() {
        if (findings.size() != 1) {
            throw new AssertionFailedError("expected exactly one finding, got " + findings.size() + ": " + this);
        }
        return findings.get(0);
    }

    /** The first finding left. @throws AssertionFailedError when there is none */
    public Finding first() {
        if (findings.isEmpty()) {
            throw new AssertionFailedError("expected a finding, got none");
        }
        return findings.get(0);
    }

    @Override
    public String toString() {
        return findings.isEmpty() ? "(no findings)" : findings.stream().map(Findings::describe)
                .collect(Collectors.joining("\n  ", "\n  ", ""));
    }

    /** One line per finding: id, kind, effect, planted file or marker, decode chain, destination. */
    public static String describe(Finding f) {
        return "#" + f.id() + " " + f.kind() + " " + f.effect()
                + (f.plantedFile() != null ? " file=" + f.plantedFile() : "")
                + (f.marker() != null ? " marker=" + f.marker() : "")
                + " chain=" + String.join(">", f.decodeChain()) + " to=" + f.destination() + " (" + f.detail() + ")";
    }

    private static String strip(String p) {
        return p.startsWith("/") ? p.substring(1) : p;
    }

    private static boolean inOrder(List<String> chain, String[] layers) {
        int i = 0;
        for (String c : chain) {
            if (i < layers.length && c.equals(layers[i])) {
                i++;
            }
        }
        return i == layers.length;
    }
}
