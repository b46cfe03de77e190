package org.egressaudit.analyzers.detect;

/** Shannon entropy and printable share from a byte histogram. */
final class Entropy {

    private static final boolean[] PRINTABLE = new boolean[256];

    static {
        for (int b = 0x20; b <= 0x7E; b++) {
            PRINTABLE[b] = true;
        }
        PRINTABLE['\t'] = true;
        PRINTABLE['\r'] = true;
        PRINTABLE['\n'] = true;
    }

    private Entropy() {
    }

    /** Bits per byte (0..8) of {@code total} bytes counted in {@code hist[0..255]}; 0 for no bytes. */
    static double bitsPerByte(int[] hist, long total) {
        if (total <= 0) {
            return 0.0;
        }
        double sum = 0.0;
        double n = total;
        for (int i = 0; i < 256; i++) {
            int c = hist[i];
            if (c != 0) {
                double p = c / n;
                sum -= p * Math.log(p);
            }
        }
        // Clamp the rounding noise of a single-valued histogram (-0.0 / tiny negatives).
        return Math.max(0.0, sum / Math.log(2));
    }

    /** Share of printable ASCII, tab, CR and LF bytes; 0 for no bytes. */
    static double printableRatio(int[] hist, long total) {
        if (total <= 0) {
            return 0.0;
        }
        long printable = 0;
        for (int i = 0; i < 256; i++) {
            if (PRINTABLE[i]) {
                printable += hist[i];
            }
        }
        return printable / (double) total;
    }
}
