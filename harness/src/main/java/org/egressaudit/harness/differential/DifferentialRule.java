package org.egressaudit.harness.differential;

/**
 * The margins of the decision (see {@link DifferentialAnalysis}). The measured noise is the main guard; the margin
 * covers noise the few identical runs did not happen to show.
 *
 * @param marginFloorBytes    smallest byte margin. JSON telemetry varies by a few bytes per request between
 *                            identical runs (timestamps with more or fewer digits, counters, retries); 256 B is above
 *                            that for a handful of requests, well below any document
 * @param marginFraction      byte margin relative to the larger of the two means: chatty shapes (thousands of
 *                            events per run) vary by a fraction of their volume that few runs under-sample
 * @param countMarginFloor    smallest margin on the number of requests: 0.5 means a consistent difference of one
 *                            request, beyond the noise, is reported
 * @param countMarginFraction count margin relative to the larger mean number of requests
 * @param opaqueShare         a change counts as opaque when at least this share of the changed bytes is opaque
 */
public record DifferentialRule(long marginFloorBytes, double marginFraction, double countMarginFloor,
                               double countMarginFraction, double opaqueShare) {
    public static final DifferentialRule DEFAULT = new DifferentialRule(256, 0.05, 0.5, 0.05, 0.5);

    public DifferentialRule {
        if (marginFloorBytes < 0) {
            throw new IllegalArgumentException("marginFloorBytes must be >= 0, got " + marginFloorBytes);
        }
        check("marginFraction", marginFraction, 1);
        check("countMarginFraction", countMarginFraction, 1);
        check("opaqueShare", opaqueShare, 1);
        if (!(countMarginFloor >= 0)) {
            throw new IllegalArgumentException("countMarginFloor must be >= 0, got " + countMarginFloor);
        }
    }

    private static void check(String name, double v, double max) {
        if (!(v >= 0 && v <= max)) {
            throw new IllegalArgumentException(name + " must be in [0, " + max + "], got " + v);
        }
    }

    /** The byte margin for a shape whose larger per-label mean is {@code largerMean}. */
    public double byteMargin(double largerMean) {
        return Math.max(marginFloorBytes, marginFraction * largerMean);
    }

    public double countMargin(double largerMean) {
        return Math.max(countMarginFloor, countMarginFraction * largerMean);
    }
}
