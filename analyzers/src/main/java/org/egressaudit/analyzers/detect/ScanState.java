package org.egressaudit.analyzers.detect;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-thread scratch of {@link ContentScanner} and the rare path of the scan: what happens where a filter fires
 * (fingerprint table probe, verification, extension, marker trie walk), and the end-of-object work (whole-file
 * check, result assembly). Reused across scans of one thread; {@link #begin} resets it.
 */
final class ScanState implements MarkerSet.Sink {

    /** Bytes compared per step when extending a match backwards (then doubled up to the cap). */
    private static final int LEFT_CHUNK = 64;
    private static final int LEFT_CHUNK_MAX = 1 << 16;

    private final CorpusIndex index;
    private final FragmentIndex fi;
    private final MarkerSet markerSet;
    private final List<PlantedFile> files;
    private final int minFragment;
    private final int window;
    private final MessageDigest sha256;

    /** Four histogram lanes of 256 counters, summed by {@link #histogram()}. */
    final int[] lanes = new int[1024];
    private final int[] hist = new int[256];
    private final DiagonalMap diagonals = new DiagonalMap();
    private final ArrayList<Match> fragments = new ArrayList<>();
    private final ArrayList<Match> markers = new ArrayList<>();
    private long omitted;
    /** Files the object equals, found by extension; {@code whole} is cleared through {@code wholeFiles}. */
    private final boolean[] whole;
    private final IntList wholeFiles = new IntList();

    private byte[] data;
    private int off;
    private int len;
    private ByteBuffer dataView;

    ScanState(CorpusIndex index) {
        this.index = index;
        this.fi = index.fragments();
        this.markerSet = index.markerSet();
        this.files = index.files();
        this.minFragment = index.config().minFragmentBytes();
        this.window = fi.window;
        this.whole = new boolean[files.size()];
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    void begin(byte[] data, int off, int len) {
        this.data = data;
        this.off = off;
        this.len = len;
        this.dataView = ByteBuffer.wrap(data);
        Arrays.fill(lanes, 0);
        diagonals.clear();
        fragments.clear();
        markers.clear();
        for (int w = 0; w < wholeFiles.size(); w++) {
            whole[wholeFiles.get(w)] = false;
        }
        wholeFiles.clear();
        omitted = 0;
    }

    /** Drops references to the caller's data so a thread's scratch does not pin it. */
    void end() {
        data = null;
        dataView = null;
        fragments.clear();
        markers.clear();
        if (diagonals.capacity() > DiagonalMap.INITIAL_CAPACITY * 64) {
            diagonals.shrink();
        }
    }

    long omitted() {
        return omitted;
    }

    int[] histogram() {
        for (int b = 0; b < 256; b++) {
            hist[b] = lanes[b] + lanes[256 + b] + lanes[512 + b] + lanes[768 + b];
        }
        return hist;
    }

    /** A filter fired at absolute position {@code i} (hash of the window ending there, pair ending there). */
    void candidate(int i, long h, int pair) {
        if (i - off >= window - 1 && fi.filterHit(h)) {
            probeFragments(i, h);
        }
        if (i > off && ((markerSet.pairFilter[pair >>> 6] >>> pair) & 1L) != 0) {
            markerSet.matchAt(data, i - 1, off + len, off, this);
        }
    }

    /**
     * A filter fired at a tested position {@code i} of the strided loop: the fragment window and the 4-byte gram
     * ending at i. A form occurrence starting at p is tested at the one tested position in p+3..p+6.
     */
    void stridedCandidate(int i, long h, int gramSlot) {
        if (i - off >= window - 1 && fi.filterHit(h)) {
            probeFragments(i, h);
        }
        if (((markerSet.gramFilter[gramSlot >>> 6] >>> gramSlot) & 1L) != 0) {
            for (int start = i - MarkerSet.GRAM + 1, k = 0; k < FragmentIndex.STRIDE && start >= off; k++, start--) {
                markerSet.matchAt(data, start, off + len, off, this);
            }
        }
    }

    /** One-byte markers at the last byte, which ends no pair. */
    void finishMarkers() {
        if (len > 0 && markerSet.singleByteStart[data[off + len - 1] & 0xFF]) {
            markerSet.matchAt(data, off + len - 1, off + len, off, this);
        }
    }

    @Override
    public void marker(int markerIndex, int start, int length) {
        if (markers.size() < ContentScanner.MAX_MARKER_MATCHES) {
            markers.add(new Match(MatchKind.MARKER, null, markerSet.markers.get(markerIndex), start, length, -1));
        } else {
            omitted++;
        }
    }

    private void probeFragments(int i, long h) {
        int slot = fi.find(h);
        if (slot < 0) {
            return;
        }
        int windowStart = i - window + 1 - off; // object-relative
        int p = fi.postStart[slot];
        int pEnd = p + fi.postCount[slot];
        for (; p < pEnd; p++) {
            int f = fi.postFile[p];
            int fileWindow = fi.postWindow[p];
            long diagonal = (long) windowStart - fileWindow;
            if (diagonals.end(f, diagonal) > windowStart) {
                continue; // inside a maximal range already found on this diagonal
            }
            ByteBuffer content = files.get(f).content();
            if (mismatch(off + windowStart, content, fileWindow, window) >= 0) {
                continue; // hash collision
            }
            extend(f, content, windowStart, fileWindow, diagonal);
        }
    }

    /** Grows a verified window to the maximal common range on its diagonal and records it. */
    private void extend(int f, ByteBuffer content, int objStart, int fileStart, long diagonal) {
        long fileSize = files.get(f).size();
        // Right: one vectorised mismatch over everything both sides still have.
        int objEnd = objStart + window;
        int fileEnd = fileStart + window;
        int room = (int) Math.min(len - objEnd, fileSize - fileEnd);
        int m = room > 0 ? mismatch(off + objEnd, content, fileEnd, room) : -1;
        int right = m < 0 ? room : m;
        objEnd += right;
        fileEnd += right;
        // Left: equal chunks skipped with mismatch, the first unequal chunk walked backwards byte by byte.
        int chunk = LEFT_CHUNK;
        while (objStart > 0 && fileStart > 0) {
            int c = Math.min(chunk, Math.min(objStart, fileStart));
            if (mismatch(off + objStart - c, content, fileStart - c, c) < 0) {
                objStart -= c;
                fileStart -= c;
                chunk = Math.min(chunk * 2, LEFT_CHUNK_MAX);
                continue;
            }
            while (data[off + objStart - 1] == content.get(fileStart - 1)) {
                objStart--;
                fileStart--;
            }
            break;
        }
        diagonals.put(f, diagonal, objEnd);
        int length = objEnd - objStart;
        if (objStart == 0 && fileStart == 0 && length == len && fileSize == len) {
            whole[f] = true; // the object is the file: WHOLE, not FRAGMENT
            wholeFiles.add(f);
        } else if (length >= minFragment) {
            if (fragments.size() < ContentScanner.MAX_FRAGMENT_MATCHES) {
                fragments.add(new Match(MatchKind.FRAGMENT, files.get(f), null, objStart, length, fileStart));
            } else {
                omitted++;
            }
        }
    }

    /**
     * Fragments, whole files (verified byte for byte during extension, else by SHA-256 when the object has a
     * planted file's size) and markers, unsorted.
     */
    List<Match> finishMatches() {
        List<Match> out = new ArrayList<>(fragments.size() + markers.size() + wholeFiles.size() + 1);
        out.addAll(fragments);
        for (int w = 0; w < wholeFiles.size(); w++) {
            out.add(new Match(MatchKind.WHOLE, files.get(wholeFiles.get(w)), null, 0, len, 0));
        }
        int[] sameSize = index.filesOfSize(len);
        if (sameSize != null) {
            byte[] digest = null;
            for (int f : sameSize) {
                if (whole[f]) {
                    continue;
                }
                if (digest == null) {
                    sha256.reset();
                    sha256.update(data, off, len);
                    digest = sha256.digest();
                }
                if (MessageDigest.isEqual(digest, index.sha256(f))) {
                    out.add(new Match(MatchKind.WHOLE, files.get(f), null, 0, len, 0));
                }
            }
        }
        out.addAll(markers);
        return out;
    }

    /** Index of the first difference between data[objAbs..] and the file at filePos over n bytes, or -1. */
    private int mismatch(int objAbs, ByteBuffer content, int filePos, int n) {
        return dataView.slice(objAbs, n).mismatch(content.slice(filePos, n));
    }

    /** Growable int list without boxing. */
    static final class IntList {
        private int[] values = new int[8];
        private int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }

        void clear() {
            size = 0;
        }
    }

    /**
     * (file, diagonal) -> end of the last maximal range found on it, open addressing. Ranges on one diagonal are
     * found left to right, so one end per diagonal tells whether a later hit lies inside a known range.
     */
    static final class DiagonalMap {
        static final int INITIAL_CAPACITY = 64;
        private int[] fileIds = new int[INITIAL_CAPACITY];
        private long[] diags = new long[INITIAL_CAPACITY];
        private int[] ends = new int[INITIAL_CAPACITY];
        private boolean[] used = new boolean[INITIAL_CAPACITY];
        private int size;

        int capacity() {
            return used.length;
        }

        void clear() {
            if (size > 0) {
                Arrays.fill(used, false);
                size = 0;
            }
        }

        void shrink() {
            fileIds = new int[INITIAL_CAPACITY];
            diags = new long[INITIAL_CAPACITY];
            ends = new int[INITIAL_CAPACITY];
            used = new boolean[INITIAL_CAPACITY];
            size = 0;
        }

        /** End recorded for (file, diagonal), or Integer.MIN_VALUE. */
        int end(int file, long diagonal) {
            int mask = used.length - 1;
            for (int s = slot(file, diagonal, mask); used[s]; s = (s + 1) & mask) {
                if (fileIds[s] == file && diags[s] == diagonal) {
                    return ends[s];
                }
            }
            return Integer.MIN_VALUE;
        }

        void put(int file, long diagonal, int end) {
            if ((size + 1) * 2 > used.length) {
                grow();
            }
            int mask = used.length - 1;
            int s = slot(file, diagonal, mask);
            while (used[s]) {
                if (fileIds[s] == file && diags[s] == diagonal) {
                    ends[s] = end;
                    return;
                }
                s = (s + 1) & mask;
            }
            used[s] = true;
            fileIds[s] = file;
            diags[s] = diagonal;
            ends[s] = end;
            size++;
        }

        private static int slot(int file, long diagonal, int mask) {
            long k = (diagonal * FragmentIndex.SLOT_MIX) ^ (file * 0xC2B2AE3D27D4EB4FL);
            return (int) (k ^ (k >>> 29)) & mask;
        }

        private void grow() {
            int[] oldFiles = fileIds;
            long[] oldDiags = diags;
            int[] oldEnds = ends;
            boolean[] oldUsed = used;
            int cap = oldUsed.length * 2;
            fileIds = new int[cap];
            diags = new long[cap];
            ends = new int[cap];
            used = new boolean[cap];
            size = 0;
            for (int s = 0; s < oldUsed.length; s++) {
                if (oldUsed[s]) {
                    put(oldFiles[s], oldDiags[s], oldEnds[s]);
                }
            }
        }
    }
}
