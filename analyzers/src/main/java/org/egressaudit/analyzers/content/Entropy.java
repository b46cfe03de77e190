package org.egressaudit.analyzers.content;

/** Shannon entropy in bits per byte (0 for constant data, 8 for uniformly random bytes). */
public final class Entropy {

    private Entropy() {
    }

    /** Entropy of {@code data[off, off+len)}; 0 for an empty range. */
    public static double bitsPerByte(byte[] data, int off, int len) {
        if (off < 0 || len < 0 || off + len > data.length) {
            throw new IllegalArgumentException("bad range " + off + "+" + len + " of " + data.length);
        }
        long[] counts = new long[256];
        for (int i = off, end = off + len; i < end; i++) {
            counts[data[i] & 0xff]++;
        }
        return bitsPerByte(counts);
    }

    /** Entropy of the distribution given by a 256-bucket histogram of byte counts; 0 when all counts are 0. */
    public static double bitsPerByte(long[] histogram) {
        if (histogram.length != 256) {
            throw new IllegalArgumentException("histogram needs 256 buckets, got " + histogram.length);
        }
        long total = 0;
        for (long c : histogram) {
            if (c < 0) {
                throw new IllegalArgumentException("negative count in histogram");
            }
            total += c;
        }
        if (total == 0) {
            return 0;
        }
        double h = 0;
        double t = total;
        for (long c : histogram) {
            if (c > 0) {
                double p = c / t;
                h -= p * Math.log(p);
            }
        }
        // Rounding can leave -0.0 or a hair above 8.
        return Math.min(8.0, Math.max(0.0, h / Math.log(2)));
    }

    /** Same as {@link #bitsPerByte(long[])} for int counts. */
    public static double bitsPerByte(int[] histogram) {
        long[] l = new long[histogram.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = histogram[i];
        }
        return bitsPerByte(l);
    }
}
