package org.egressaudit.harness.differential;

import java.util.List;
import java.util.Locale;

/**
 * One quantity (bytes or requests of a shape) compared between the control runs and the variant runs.
 *
 * @param noise     the largest absolute difference between two runs with the same label: max of the two ranges
 * @param signal    |mean(control) - mean(variant)|
 * @param margin    what the signal must exceed on top of the noise
 * @param separated the two labels' [min, max] ranges do not overlap
 */
public record Measure(double controlMean, double variantMean, long controlMin, long controlMax, long variantMin,
                      long variantMax, long noise, double signal, double margin, boolean separated) {

    static Measure of(List<Long> control, List<Long> variant, java.util.function.DoubleUnaryOperator marginOfMean) {
        double cm = mean(control);
        double vm = mean(variant);
        long cmin = min(control);
        long cmax = max(control);
        long vmin = min(variant);
        long vmax = max(variant);
        long noise = Math.max(cmax - cmin, vmax - vmin);
        return new Measure(cm, vm, cmin, cmax, vmin, vmax, noise, Math.abs(cm - vm),
                marginOfMean.applyAsDouble(Math.max(cm, vm)), cmax < vmin || vmax < cmin);
    }

    /** Both conditions of the decision rule hold. */
    public boolean beyondNoise() {
        return separated && signal > noise + margin;
    }

    /** "[a, b] vs [c, d]" with the given unit ("B" or ""). */
    String ranges(String unit) {
        return "[" + n(controlMin) + ", " + n(controlMax) + "]" + unit + " (control) vs [" + n(variantMin) + ", "
                + n(variantMax) + "]" + unit + " (variant)";
    }

    static String n(double v) {
        return String.format(Locale.ROOT, "%,d", Math.round(v));
    }

    private static double mean(List<Long> xs) {
        double s = 0;
        for (long x : xs) {
            s += x;
        }
        return s / xs.size();
    }

    private static long min(List<Long> xs) {
        return xs.stream().mapToLong(Long::longValue).min().orElseThrow();
    }

    private static long max(List<Long> xs) {
        return xs.stream().mapToLong(Long::longValue).max().orElseThrow();
    }
}
