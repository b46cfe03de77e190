package org.egressaudit.harness.differential;

import java.util.List;

/**
 * A request shape whose traffic follows the private content: it changed between the control and the variant
 * runs beyond what identical runs vary by. Content matching may have seen nothing (the agent encrypted the file);
 * this says that <em>something</em> about the private files left, and where.
 *
 * @param shape          the request shape
 * @param destination    where it went (shape's destination)
 * @param protocol       the analyzer's protocol name
 * @param summary        a representative request line, from a run with more of the shape's bytes
 * @param change         how it changed with more private content
 * @param basis          what was beyond the noise: the bytes, or (bytes within it) the number of requests
 * @param controlTotals  per control run, outbound bytes of the shape
 * @param variantTotals  per variant run
 * @param controlRequests per control run, its requests
 * @param variantRequests per variant run
 * @param deltaBytes     mean bytes of the runs with more private content minus mean of the others (positive: it
 *                       grows with private content); for ABSENT the control runs have more, for RESIZED the variant
 * @param deltaRequests  the same for the number of requests
 * @param noise          largest difference between two runs with the same label, in the unit of the basis
 * @param margin         the margin added to the noise, in the same unit
 * @param statistic      the decision in one sentence, with the numbers
 * @param opaque         at least the rule's share of the changed bytes were opaque to the analysis
 * @param opaqueShare    opaque share of the changed bytes (0..1; NaN when no bytes changed)
 * @param evidence       per run, the shape's transmissions
 * @param sentence       the console line
 */
public record DifferentialFinding(RequestShape shape, String destination, String protocol, String summary,
                                  Change change, ShapeComparison.Outcome basis, List<Long> controlTotals,
                                  List<Long> variantTotals, List<Long> controlRequests, List<Long> variantRequests,
                                  double deltaBytes, double deltaRequests, double noise, double margin,
                                  String statistic, boolean opaque, double opaqueShare, List<RunEvidence> evidence,
                                  String sentence) {

    public DifferentialFinding {
        controlTotals = List.copyOf(controlTotals);
        variantTotals = List.copyOf(variantTotals);
        controlRequests = List.copyOf(controlRequests);
        variantRequests = List.copyOf(variantRequests);
        evidence = List.copyOf(evidence);
    }

    /** How the shape changed in the runs with more private content. */
    public enum Change {
        GREW("grew"),
        SHRANK("shrank"),
        /** Absent from every run with less private content. */
        APPEARS_ONLY("appears only"),
        /** Absent from every run with more private content. */
        DISAPPEARS("disappears");

        private final String id;

        Change(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    /** A run's share of the evidence: its totals for the shape and its first transmissions. */
    public record RunEvidence(String runId, RunLabel label, long bytes, long requests,
                              List<RunTraffic.Evidence> transmissions, long moreTransmissions) {
        public RunEvidence {
            transmissions = List.copyOf(transmissions);
        }
    }
}
