package org.egressaudit.analyzers.detect;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Block fingerprints of the planted files, for recognising fragments of them inside arbitrary objects.
 *
 * <h2>Block grid and the guarantee</h2>
 * Every planted file is cut into aligned blocks of {@code B = minFragmentBytes / 2} bytes ({@code [kB, kB+B)};
 * a trailing partial block is not indexed). A contiguous range {@code [s, s+L)} of a file contains a complete
 * aligned block as soon as {@code L >= 2B - 1}: the first grid point at or after {@code s} is at most
 * {@code s + B - 1}, and the block starting there ends at most at {@code s + 2B - 1 <= s + L}. Because
 * {@code 2B - 1 <= minFragmentBytes - 1}, every fragment of {@code minFragmentBytes} bytes or more contains at
 * least one complete block, and is therefore found, provided that
 * <ul>
 *   <li>one of the complete blocks it contains was indexed: blocks whose byte entropy is below
 *       {@code minBlockEntropy} (zero padding, repeated patterns) are not, because they are not evidence of a
 *       specific file. Such regions are attributed only by extension: a match anchored on a neighbouring indexed
 *       block is extended byte by byte through them;</li>
 *   <li>the block's anchor content occurs at most {@link #MAX_POSTINGS_PER_FINGERPRINT} times in the corpus
 *       (beyond that, only the first occurrences in corpus order are remembered).</li>
 * </ul>
 *
 * <h2>Anchor windows</h2>
 * The fingerprint of a block is not a hash of all its B bytes: it is a Gear hash ({@code h = (h << s) + G[b]},
 * which forgets a byte after {@code 64 / s} steps) of one {@code W = 32}-byte <em>anchor window</em> inside the
 * block. The scanner computes the same hash at every byte position of
 * an object; since the window lies inside the block, a fragment containing the block contains the window, so the
 * guarantee above is unchanged. The window of each block is the one (among those starting at multiples of W/2)
 * with the most distinct byte values, so that common runs do not become anchors. Updating a Gear hash costs a
 * shift and an add per byte, where a polynomial rolling hash over B bytes needs two multiplications and a
 * 3-cycle multiply on the loop-carried dependency chain; that difference is most of the scanner's speed budget.
 * A candidate is always verified byte for byte, so the hash only affects speed, never results.
 *
 * <h2>Stride</h2>
 * The scanner's fast loop updates the hash at every byte but tests the filter only at every {@link #STRIDE}-th
 * position. Each block is therefore indexed under STRIDE consecutive windows (anchor, anchor+1, ...): whatever
 * the block's position modulo STRIDE in an object, one of them ends on a tested position.
 *
 * <h2>Structures</h2>
 * A bit-array prefilter indexed by high bits of the hash (about 32 bits per indexed window, so a tested position
 * passes with probability ~1/32 and the test is one load), and an open-addressing table from the full 64-bit
 * hash to a run of postings (file, window offset). Immutable after construction.
 */
final class FragmentIndex {

    /** Occurrences remembered per anchor content; bounds the verification work one object position can cause. */
    static final int MAX_POSTINGS_PER_FINGERPRINT = 64;

    /** Prefilter bits per indexed fingerprint (rounded up to a power of two for the whole array). */
    private static final int FILTER_BITS_PER_KEY = 32;
    private static final int MIN_FILTER_BITS_LOG2 = 12;
    /** Fixed seed: results never depend on the table, and a fixed one keeps performance reproducible. */
    private static final long GEAR_SEED = 0x5EED_E6E5_A0D1_7L;
    static final long SLOT_MIX = 0x9E3779B97F4A7C15L;

    /**
     * Anchor window length W. Fixed (and the smallest block allowed is 32 bytes) so that the scanner's shifts are
     * compile-time constants: a variable shift count costs several uops per byte on x86.
     */
    static final int WINDOW = 32;
    /** Gear step {@code h = (h << GEAR_SHIFT) + G[b]}: a byte leaves the hash after 64 / GEAR_SHIFT = W steps. */
    static final int GEAR_SHIFT = 2;
    /** The filter word of hash h is {@code (int) (h >>> FILTER_WORD_SHIFT) & filterMask}. */
    static final int FILTER_WORD_SHIFT = 40;
    /** The filter bit of hash h within its word is {@code (h >>> FILTER_BIT_SHIFT) & 63}. */
    static final int FILTER_BIT_SHIFT = 34;

    /**
     * The fast scan loop tests the fragment filter only at every STRIDE-th position; each block is indexed under
     * STRIDE consecutive windows so that one of them is always tested. Blocks too short for that (B < W + 3,
     * i.e. minFragmentBytes < 70) get {@link #stride} below STRIDE and the scanner tests every position.
     */
    static final int STRIDE = 4;

    final int blockSize;
    final int stride;
    final int window = WINDOW;
    final long[] gear;

    final long[] filter;
    final int filterMask;

    final long[] keys;
    final int[] postStart;
    /** 0 marks an empty slot. */
    final int[] postCount;
    final int slotShift;
    final int slotMask;
    final int[] postFile;
    final int[] postWindow;

    final int indexedBlocks;
    final int lowEntropyBlocks;

    private FragmentIndex(int blockSize, long[] gear, long[] filter, long[] keys,
                          int[] postStart, int[] postCount, int[] postFile, int[] postWindow, int indexedBlocks,
                          int lowEntropyBlocks) {
        this.blockSize = blockSize;
        this.stride = Math.min(STRIDE, blockSize - WINDOW + 1);
        this.gear = gear;
        this.filter = filter;
        this.filterMask = filter.length - 1;
        this.keys = keys;
        this.postStart = postStart;
        this.postCount = postCount;
        this.slotShift = 64 - Integer.numberOfTrailingZeros(keys.length);
        this.slotMask = keys.length - 1;
        this.postFile = postFile;
        this.postWindow = postWindow;
        this.indexedBlocks = indexedBlocks;
        this.lowEntropyBlocks = lowEntropyBlocks;
    }

    static FragmentIndex build(List<PlantedFile> files, int blockSize, double minBlockEntropy) {
        if (blockSize < WINDOW) {
            throw new IllegalArgumentException("block size " + blockSize + " is below the anchor window " + WINDOW);
        }
        int window = WINDOW;
        int stride = Math.min(STRIDE, blockSize - window + 1);
        long[] gear = gearTable();

        // Pass 1: one (hash, file, window offset) record per indexed block.
        LongIntIntList records = new LongIntIntList();
        byte[] block = new byte[blockSize];
        int[] hist = new int[256];
        int[] seen = new int[256];
        int stamp = 0;
        int lowEntropy = 0;
        for (int f = 0; f < files.size(); f++) {
            ByteBuffer content = files.get(f).content();
            long size = files.get(f).size();
            long blocks = size / blockSize;
            for (long k = 0; k < blocks; k++) {
                int blockStart = Math.toIntExact(k * blockSize);
                content.get(blockStart, block, 0, blockSize);
                if (entropy(block, hist) < minBlockEntropy) {
                    lowEntropy++;
                    continue;
                }
                int best = 0;
                int bestDistinct = -1;
                for (int t = 0; t + window + stride - 1 <= blockSize; t += window / 2) {
                    stamp++;
                    int distinct = 0;
                    for (int j = t; j < t + window; j++) {
                        int b = block[j] & 0xFF;
                        if (seen[b] != stamp) {
                            seen[b] = stamp;
                            distinct++;
                        }
                    }
                    if (distinct > bestDistinct) {
                        bestDistinct = distinct;
                        best = t;
                    }
                }
                // The anchor and the stride - 1 windows after it: whatever the block's position in an object
                // modulo the stride, one of them ends on a position the scanner checks.
                for (int v = 0; v < stride; v++) {
                    long h = 0;
                    for (int j = best + v; j < best + v + window; j++) {
                        h = (h << GEAR_SHIFT) + gear[block[j] & 0xFF];
                    }
                    records.add(h, f, blockStart + best + v);
                }
            }
        }

        // Pass 2: table of distinct hashes with posting counts (capped), then postings in corpus order.
        int n = records.size;
        int blocksIndexed = n / stride;
        int capacity = Integer.highestOneBit(Math.max(16, n * 2 - 1)) << 1;
        long[] keys = new long[capacity];
        int[] postStart = new int[capacity];
        int[] postCount = new int[capacity];
        int slotShift = 64 - Integer.numberOfTrailingZeros(capacity);
        int[] slotOfRecord = new int[n];
        int distinctKeys = 0;
        int postings = 0;
        for (int r = 0; r < n; r++) {
            long h = records.keys[r];
            int slot = (int) ((h * SLOT_MIX) >>> slotShift);
            while (postCount[slot] != 0 && keys[slot] != h) {
                slot = (slot + 1) & (capacity - 1);
            }
            if (postCount[slot] == 0) {
                keys[slot] = h;
                distinctKeys++;
            }
            if (postCount[slot] < MAX_POSTINGS_PER_FINGERPRINT) {
                postCount[slot]++;
                postings++;
                slotOfRecord[r] = slot;
            } else {
                slotOfRecord[r] = -1;
            }
        }
        int next = 0;
        for (int s = 0; s < capacity; s++) {
            postStart[s] = next;
            next += postCount[s];
        }
        int[] fill = new int[capacity];
        int[] postFile = new int[postings];
        int[] postWindow = new int[postings];
        for (int r = 0; r < n; r++) {
            int slot = slotOfRecord[r];
            if (slot >= 0) {
                int p = postStart[slot] + fill[slot]++;
                postFile[p] = records.a[r];
                postWindow[p] = records.b[r];
            }
        }

        long wantBits = Math.max(1L << MIN_FILTER_BITS_LOG2, (long) distinctKeys * FILTER_BITS_PER_KEY);
        // At most 2^24 words (FILTER_WORD_SHIFT leaves 24 hash bits for the word index).
        int filterLog2 = Math.min(30, 64 - Long.numberOfLeadingZeros(wantBits - 1));
        long[] filter = new long[1 << (filterLog2 - 6)];
        for (int s = 0; s < capacity; s++) {
            if (postCount[s] != 0) {
                long h = keys[s];
                filter[(int) (h >>> FILTER_WORD_SHIFT) & (filter.length - 1)] |= 1L << (int) (h >>> FILTER_BIT_SHIFT);
            }
        }
        return new FragmentIndex(blockSize, gear, filter, keys, postStart, postCount, postFile,
                postWindow, blocksIndexed, lowEntropy);
    }

    /** Slot of hash h in the table, or -1. */
    int find(long h) {
        int slot = (int) ((h * SLOT_MIX) >>> slotShift);
        while (postCount[slot] != 0) {
            if (keys[slot] == h) {
                return slot;
            }
            slot = (slot + 1) & slotMask;
        }
        return -1;
    }

    boolean filterHit(long h) {
        return (filter[(int) (h >>> FILTER_WORD_SHIFT) & filterMask] & (1L << (int) (h >>> FILTER_BIT_SHIFT))) != 0;
    }

    private static long[] gearTable() {
        SplittableRandom random = new SplittableRandom(GEAR_SEED);
        long[] gear = new long[256];
        for (int i = 0; i < 256; i++) {
            gear[i] = random.nextLong();
        }
        return gear;
    }

    /** Shannon entropy in bits per byte; {@code hist} is scratch. */
    static double entropy(byte[] bytes, int[] hist) {
        Arrays.fill(hist, 0);
        for (byte b : bytes) {
            hist[b & 0xFF]++;
        }
        return Entropy.bitsPerByte(hist, bytes.length);
    }

    /** Growable parallel arrays (long key, int a, int b) without boxing. */
    private static final class LongIntIntList {
        long[] keys = new long[1024];
        int[] a = new int[1024];
        int[] b = new int[1024];
        int size;

        void add(long key, int va, int vb) {
            if (size == keys.length) {
                int cap = size * 2;
                keys = Arrays.copyOf(keys, cap);
                a = Arrays.copyOf(a, cap);
                b = Arrays.copyOf(b, cap);
            }
            keys[size] = key;
            a[size] = va;
            b[size] = vb;
            size++;
        }
    }
}
