package org.egressaudit.analyzers.detect;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import static org.egressaudit.analyzers.detect.FragmentIndex.FILTER_BIT_SHIFT;
import static org.egressaudit.analyzers.detect.FragmentIndex.FILTER_WORD_SHIFT;
import static org.egressaudit.analyzers.detect.FragmentIndex.GEAR_SHIFT;

/**
 * Recognises planted content in one object's bytes with a single fused pass: per byte it counts a histogram
 * (entropy, printable share) and advances the Gear hash of the fragment anchor window; at every fourth position
 * it tests the fragment prefilter and the marker gram filter with one branch. Everything else (table probe,
 * byte-for-byte verification, extension, marker trie walk) runs only where a filter fires, in {@link ScanState}.
 * A general loop that tests every position serves configurations the strided one cannot (marker forms shorter
 * than 7 bytes, minFragmentBytes below 70); both give the same results.
 *
 * <p>Results: FRAGMENT for every maximal contiguous range of at least {@code minFragmentBytes} shared with a
 * planted file (one per file and diagonal {@code objectOffset - fileOffset}; content present in several files is
 * attributed to each); WHOLE when the object is byte for byte a planted file (which then replaces the
 * full-length fragment); MARKER for every occurrence of every marker form, overlapping ones included. Offsets are
 * relative to {@code off}.
 *
 * <p>Thread-safe: the only state besides the immutable index is per-thread scratch.
 */
public final class ContentScanner {

    /** Marker occurrences listed per object; further ones are only counted. */
    public static final int MAX_MARKER_MATCHES = 1_000;
    /** Fragment ranges listed per object (periodic content can match on many diagonals); more are counted. */
    public static final int MAX_FRAGMENT_MATCHES = 10_000;

    private static final Comparator<Match> ORDER = Comparator.comparingLong(Match::objectOffset)
            .thenComparing(Match::kind)
            .thenComparingInt(m -> m.file() == null ? -1 : m.file().id())
            .thenComparing(Comparator.comparingLong(Match::length).reversed())
            .thenComparingLong(Match::fileOffset)
            .thenComparing(m -> m.marker() == null ? "" : m.marker());

    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class,
            ByteOrder.LITTLE_ENDIAN);

    private final CorpusIndex index;
    private final ThreadLocal<ScanState> state;
    /** The strided loop applies: fragment blocks have room for STRIDE windows and no marker form is short. */
    private final boolean strided;

    public ContentScanner(CorpusIndex index) {
        this.index = Objects.requireNonNull(index, "index");
        this.state = ThreadLocal.withInitial(() -> new ScanState(index));
        this.strided = index.fragments().stride == FragmentIndex.STRIDE && index.markerSet().strideSafe;
    }

    public CorpusIndex index() {
        return index;
    }

    public ScanResult scan(byte[] data) {
        return scan(data, 0, data.length);
    }

    public ScanResult scan(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        ScanState s = state.get();
        s.begin(data, off, len);
        try {
            if (strided) {
                stridedPass(s, data, off, off + len);
            } else {
                fusedPass(s, data, off, off + len);
            }
            s.finishMarkers();
            int[] hist = s.histogram();
            List<Match> matches = s.finishMatches();
            matches.sort(ORDER);
            return new ScanResult(matches, Entropy.bitsPerByte(hist, len), Entropy.printableRatio(hist, len),
                    s.omitted());
        } finally {
            s.end();
        }
    }

    /**
     * The hot loop: per byte only the histogram and the Gear hash; both filters are tested at every fourth
     * position (the index stores what it takes for that to miss nothing), with one branch.
     */
    private void stridedPass(ScanState s, byte[] data, int from, int to) {
        FragmentIndex fi = index.fragments();
        final long[] gear = fi.gear;
        final long[] filter = fi.filter;
        final int filterMask = fi.filterMask;
        final long[] grams = index.markerSet().gramFilter;
        final int fold = index.markerSet().gramFold;
        final int[] hist = s.lanes;
        long h = 0;
        int i = from;
        for (int stop = to - 3; i < stop; i += 4) {
            int b0 = data[i] & 0xFF;
            int b1 = data[i + 1] & 0xFF;
            int b2 = data[i + 2] & 0xFF;
            int b3 = data[i + 3] & 0xFF;
            hist[b0]++;
            hist[256 + b1]++;
            hist[512 + b2]++;
            hist[768 + b3]++;
            // Four Gear steps folded into one so the loop-carried chain is one shift and one add per 4 bytes.
            h = (h << (4 * GEAR_SHIFT)) + ((gear[b0] << (3 * GEAR_SHIFT)) + (gear[b1] << (2 * GEAR_SHIFT))
                    + (gear[b2] << GEAR_SHIFT) + gear[b3]);
            int gram = MarkerSet.gramSlot((int) INT_LE.get(data, i) | fold);
            if ((((filter[(int) (h >>> FILTER_WORD_SHIFT) & filterMask] >>> (int) (h >>> FILTER_BIT_SHIFT))
                    | (grams[gram >>> 6] >>> gram)) & 1L) != 0) {
                s.stridedCandidate(i + 3, h, gram);
            }
        }
        for (; i < to; i++) { // fewer than four bytes: no tested position among them
            int b = data[i] & 0xFF;
            hist[b]++;
            h = (h << GEAR_SHIFT) + gear[b];
        }
    }

    /**
     * The general loop, testing every position (tiny fragment sizes, or a marker form shorter than
     * {@link MarkerSet#STRIDED_MIN_FORM} bytes) with the two-byte marker pair filter. Like the strided loop it
     * is unrolled by four with one histogram lane per slot, so that runs of one byte value do not serialise on
     * store-to-load forwarding.
     */
    private void fusedPass(ScanState s, byte[] data, int from, int to) {
        FragmentIndex fi = index.fragments();
        final long[] gear = fi.gear;
        final long[] filter = fi.filter;
        final int filterMask = fi.filterMask;
        final long[] pairs = index.markerSet().pairFilter;
        final int[] hist = s.lanes;
        long h = 0;
        int prev = 0;
        int i = from;
        for (int stop = to - 3; i < stop; i += 4) {
            int b0 = data[i] & 0xFF;
            int b1 = data[i + 1] & 0xFF;
            int b2 = data[i + 2] & 0xFF;
            int b3 = data[i + 3] & 0xFF;
            hist[b0]++;
            hist[256 + b1]++;
            hist[512 + b2]++;
            hist[768 + b3]++;

            h = (h << GEAR_SHIFT) + gear[b0];
            int pair0 = (prev << 8) | b0;
            if ((((filter[(int) (h >>> FILTER_WORD_SHIFT) & filterMask] >>> (int) (h >>> FILTER_BIT_SHIFT))
                    | (pairs[pair0 >>> 6] >>> pair0)) & 1L) != 0) {
                s.candidate(i, h, pair0);
            }
            h = (h << GEAR_SHIFT) + gear[b1];
            int pair1 = (b0 << 8) | b1;
            if ((((filter[(int) (h >>> FILTER_WORD_SHIFT) & filterMask] >>> (int) (h >>> FILTER_BIT_SHIFT))
                    | (pairs[pair1 >>> 6] >>> pair1)) & 1L) != 0) {
                s.candidate(i + 1, h, pair1);
            }
            h = (h << GEAR_SHIFT) + gear[b2];
            int pair2 = (b1 << 8) | b2;
            if ((((filter[(int) (h >>> FILTER_WORD_SHIFT) & filterMask] >>> (int) (h >>> FILTER_BIT_SHIFT))
                    | (pairs[pair2 >>> 6] >>> pair2)) & 1L) != 0) {
                s.candidate(i + 2, h, pair2);
            }
            h = (h << GEAR_SHIFT) + gear[b3];
            int pair3 = (b2 << 8) | b3;
            if ((((filter[(int) (h >>> FILTER_WORD_SHIFT) & filterMask] >>> (int) (h >>> FILTER_BIT_SHIFT))
                    | (pairs[pair3 >>> 6] >>> pair3)) & 1L) != 0) {
                s.candidate(i + 3, h, pair3);
            }
            prev = b3;
        }
        for (; i < to; i++) {
            int b = data[i] & 0xFF;
            hist[b]++;
            h = (h << GEAR_SHIFT) + gear[b];
            int pair = (prev << 8) | b;
            prev = b;
            if ((((filter[(int) (h >>> FILTER_WORD_SHIFT) & filterMask] >>> (int) (h >>> FILTER_BIT_SHIFT))
                    | (pairs[pair >>> 6] >>> pair)) & 1L) != 0) {
                s.candidate(i, h, pair);
            }
        }
    }
}
