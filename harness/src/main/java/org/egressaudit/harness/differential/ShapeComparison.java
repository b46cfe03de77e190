package org.egressaudit.harness.differential;

import java.util.List;

/**
 * A row of the noise table: one request shape across all runs of a differential, whether it was reported and
 * why (or why not), so a reviewer sees what was left out and by how much.
 *
 * @param controlBytes    per control run, the shape's outbound bytes (0 when it did not occur), in run order
 * @param variantBytes    the same for the variant runs
 * @param controlRequests per control run, its number of requests (connections for raw and TLS shapes)
 * @param variantRequests the same for the variant runs
 * @param reason          one sentence: the statistic of a reported shape, or why it was not reported
 */
public record ShapeComparison(RequestShape shape, List<Long> controlBytes, List<Long> variantBytes,
                              List<Long> controlRequests, List<Long> variantRequests, Measure bytes,
                              Measure requests, Outcome outcome, String reason) {

    public ShapeComparison {
        controlBytes = List.copyOf(controlBytes);
        variantBytes = List.copyOf(variantBytes);
        controlRequests = List.copyOf(controlRequests);
        variantRequests = List.copyOf(variantRequests);
    }

    public enum Outcome {
        /** Reported: the bytes differ beyond the noise. */
        SIZE_CHANGE("size change"),
        /** Reported: the bytes stay within the noise, the number of requests does not. */
        COUNT_CHANGE("count change"),
        /** Not reported: some control run and some variant run are within each other's range. */
        RANGES_OVERLAP("ranges overlap"),
        /** Not reported: separated, but by no more than the noise plus the margin. */
        WITHIN_NOISE("within noise");

        private final String id;

        Outcome(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public boolean reported() {
            return this == SIZE_CHANGE || this == COUNT_CHANGE;
        }
    }
}
