package org.egressaudit.harness.diff;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What changed between two runs of one scenario (A the baseline, B the candidate).
 *
 * @param newDestinations     destinations B sent to that A did not
 * @param goneDestinations    destinations A sent to that B did not (informational)
 * @param newCategories       categories of planted content leaving (findings with effect FAIL or PASS) in B, not A
 * @param newPlantedFiles     planted files leaving in B (any finding naming one), not in A
 * @param newBlockingFindings FAIL/OPAQUE findings of B with no equal finding in A
 * @param goneBlockingFindings FAIL/OPAQUE findings of A that B no longer has (informational)
 * @param volumeChanges       destinations present in both whose outbound bytes changed by more than the threshold
 */
public record RunDiff(String scenario, RunReport a, RunReport b, List<String> newDestinations,
                      List<String> goneDestinations, List<String> newCategories, List<String> newPlantedFiles,
                      List<RunReport.FindingKey> newBlockingFindings, List<RunReport.FindingKey> goneBlockingFindings,
                      List<VolumeChange> volumeChanges) {

    /** Outbound bytes to one destination in A and in B; {@code relative} = (b - a) / a. */
    public record VolumeChange(String destination, long bytesA, long bytesB, double relative) {
    }

    public static RunDiff compare(RunReport a, RunReport b, double volumeThreshold) {
        List<String> newDest = minus(b.destinations(), a.destinations());
        List<String> goneDest = minus(a.destinations(), b.destinations());
        List<String> newCats = minus(leavingCategories(b), leavingCategories(a));
        List<String> newFiles = minus(plantedFiles(b), plantedFiles(a));
        Set<RunReport.FindingKey> inA = new LinkedHashSet<>(a.findings());
        Set<RunReport.FindingKey> inB = new LinkedHashSet<>(b.findings());
        List<RunReport.FindingKey> newBlocking = b.findings().stream().filter(RunReport.FindingKey::blocking)
                .filter(f -> !inA.contains(f)).distinct().toList();
        List<RunReport.FindingKey> goneBlocking = a.findings().stream().filter(RunReport.FindingKey::blocking)
                .filter(f -> !inB.contains(f)).distinct().toList();
        List<VolumeChange> volume = new ArrayList<>();
        for (Map.Entry<String, Long> e : b.outboundBytes().entrySet()) {
            Long before = a.outboundBytes().get(e.getKey());
            if (before == null) {
                continue; // a new destination, reported as such
            }
            long after = e.getValue();
            if (before == after) {
                continue;
            }
            // Relative to the baseline; a baseline of 0 bytes makes any growth infinite, hence beyond any threshold.
            double rel = before == 0 ? Double.POSITIVE_INFINITY : (after - before) / (double) before;
            if (Math.abs(rel) > volumeThreshold) {
                volume.add(new VolumeChange(e.getKey(), before, after, rel));
            }
        }
        volume.sort((x, y) -> x.destination().compareTo(y.destination()));
        return new RunDiff(a.scenario(), a, b, newDest, goneDest, newCats, newFiles, newBlocking, goneBlocking,
                List.copyOf(volume));
    }

    /** PASS < OPAQUE < FAIL: how bad a verdict is. */
    static int severity(String verdict) {
        return switch (verdict) {
            case "PASS" -> 0;
            case "OPAQUE" -> 1;
            case "FAIL" -> 2;
            default -> 3;
        };
    }

    public boolean verdictChanged() {
        return !a.verdict().equals(b.verdict());
    }

    public boolean verdictWorse() {
        return severity(b.verdict()) > severity(a.verdict());
    }

    /** True when B is worse than A in a way that should stop a release. Volume changes alone are not. */
    public boolean worse() {
        return verdictWorse() || !newBlockingFindings.isEmpty() || !newPlantedFiles.isEmpty()
                || !newCategories.isEmpty() || !newDestinations.isEmpty();
    }

    public boolean unchanged() {
        return !verdictChanged() && newDestinations.isEmpty() && goneDestinations.isEmpty() && newCategories.isEmpty()
                && newPlantedFiles.isEmpty() && newBlockingFindings.isEmpty() && goneBlockingFindings.isEmpty()
                && volumeChanges.isEmpty();
    }

    private static Set<String> leavingCategories(RunReport r) {
        Set<String> s = new TreeSet<>();
        for (RunReport.FindingKey f : r.findings()) {
            if (f.category() != null && ("FAIL".equals(f.effect()) || "PASS".equals(f.effect()))) {
                s.add(f.category());
            }
        }
        return s;
    }

    private static Set<String> plantedFiles(RunReport r) {
        Set<String> s = new TreeSet<>();
        for (RunReport.FindingKey f : r.findings()) {
            if (f.plantedFile() != null) {
                s.add(f.plantedFile());
            }
        }
        return s;
    }

    private static List<String> minus(Set<String> x, Set<String> y) {
        return x.stream().filter(v -> !y.contains(v)).sorted().toList();
    }
}
