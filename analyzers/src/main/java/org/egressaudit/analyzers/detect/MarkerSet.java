package org.egressaudit.analyzers.detect;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The marker strings in every byte form they are searched in: UTF-8 (plain ASCII for ASCII markers), UTF-16LE
 * and UTF-16BE (OLE2 documents, the Windows registry and many Windows formats store text that way).
 *
 * <p>Search is two-staged so that the scanner's per-byte cost does not depend on the markers:
 * <ol>
 *   <li>a 65,536-bit filter over the first two bytes of every form (all case variants when matching ignores
 *       case); the scanner tests the pair ending at each position with one load;</li>
 *   <li>at a position whose pair passes, {@link #matchAt} walks a trie of all forms anchored there and reports
 *       every form that starts at that position.</li>
 * </ol>
 * Anchored at every position, this reports exactly the occurrences an Aho-Corasick automaton would, including
 * overlapping ones ("TOP SECRET//" contains "SECRET//"). An Aho-Corasick DFA stepped at every byte was not used:
 * its transition lookup is a dependent load on the loop-carried path (about 5 cycles per byte), which alone would
 * cap the scanner well below 1 GB/s.
 *
 * <p>Case-insensitive matching folds ASCII letters only, and only where the pattern byte is an ASCII character
 * (in UTF-16 forms, a byte 0x41 inside a non-ASCII code unit such as U+0141 is not the letter 'A'). Immutable.
 */
final class MarkerSet {

    /** Receives one verified occurrence. */
    interface Sink {
        void marker(int markerIndex, int start, int length);
    }

    private static final int NO_STATE = -1;

    /** Canonical marker texts, first spelling kept when two configured markers coincide under case folding. */
    final List<String> markers;
    final boolean ignoreCase;
    /** Bit (b0 << 8 | b1) is set if some form can start with bytes b0, b1 (any b1 for a one-byte form). */
    final long[] pairFilter = new long[1024];
    // (The pair filter serves the per-byte loop, used when some form is too short for the strided one.)
    /** First bytes of one-byte forms, for the last byte of an object, which starts no pair. */
    final boolean[] singleByteStart = new boolean[256];

    /** Bytes per gram of the strided filter. */
    static final int GRAM = 4;
    /** Shortest form the strided filter can find: one of its grams at offsets 0..STRIDE-1 ends on a tested position. */
    static final int STRIDED_MIN_FORM = GRAM + FragmentIndex.STRIDE - 1;
    private static final int GRAM_MIX = 0x9E3779B1;
    /**
     * 65,536-bit filter over {@link #gramSlot} of the little-endian 4-byte grams at offsets 0..STRIDE-1 of every
     * form, for the scanner's strided loop, which tests only every STRIDE-th position.
     */
    final long[] gramFilter = new long[1024];
    /** OR-ed into every gram when case is ignored: maps ASCII letters to lower case (and over-approximates). */
    final int gramFold;
    /** Every form is at least {@link #STRIDED_MIN_FORM} bytes, so the strided loop can be used. */
    final boolean strideSafe;

    private final byte[] fold = new byte[256];
    private final byte[][] formBytes;
    /** Per form, positions where ASCII case folding applies; null when the trie walk is already exact. */
    private final boolean[][] formFoldable;
    private final int[] formMarker;

    // Trie over folded form bytes: (state << 8 | byte) -> child, open addressing.
    private final long[] edgeKeys;
    private final int[] edgeChild;
    private final int edgeShift;
    private final int[] acceptStart;
    private final int[] acceptForms;

    private MarkerSet(List<String> markers, boolean ignoreCase, List<byte[]> forms, List<boolean[]> foldable,
                      List<Integer> formMarker) {
        this.markers = List.copyOf(markers);
        this.ignoreCase = ignoreCase;
        for (int b = 0; b < 256; b++) {
            fold[b] = (byte) (ignoreCase ? lower(b) : b);
        }
        int n = forms.size();
        this.formBytes = forms.toArray(new byte[0][]);
        this.formMarker = formMarker.stream().mapToInt(Integer::intValue).toArray();
        this.formFoldable = new boolean[n][];

        // Build the trie with growable per-state child maps, then freeze into the hash table.
        List<Map<Integer, Integer>> children = new ArrayList<>();
        List<List<Integer>> accepts = new ArrayList<>();
        children.add(new LinkedHashMap<>());
        accepts.add(new ArrayList<>());
        for (int f = 0; f < n; f++) {
            byte[] form = formBytes[f];
            boolean[] foldableAt = foldable.get(f);
            boolean inexact = false;
            int state = 0;
            for (int j = 0; j < form.length; j++) {
                int raw = form[j] & 0xFF;
                int b = fold[raw] & 0xFF;
                if (ignoreCase && isAsciiLetter(raw) && !foldableAt[j]) {
                    inexact = true;
                }
                Integer child = children.get(state).get(b);
                if (child == null) {
                    child = children.size();
                    children.get(state).put(b, child);
                    children.add(new LinkedHashMap<>());
                    accepts.add(new ArrayList<>());
                }
                state = child;
            }
            accepts.get(state).add(f);
            formFoldable[f] = inexact ? foldableAt : null;
            addToFilters(form, foldableAt);
        }
        boolean allLong = true;
        for (byte[] form : formBytes) {
            allLong &= form.length >= STRIDED_MIN_FORM;
        }
        strideSafe = allLong;
        gramFold = ignoreCase ? 0x20202020 : 0;
        if (strideSafe) {
            for (byte[] form : formBytes) {
                for (int k = 0; k < FragmentIndex.STRIDE; k++) {
                    int g = (form[k] & 0xFF) | (form[k + 1] & 0xFF) << 8 | (form[k + 2] & 0xFF) << 16
                            | (form[k + 3] & 0xFF) << 24;
                    int slot = gramSlot(g | gramFold);
                    gramFilter[slot >>> 6] |= 1L << slot;
                }
            }
        }
        int edges = children.size() - 1;
        int capacity = Integer.highestOneBit(Math.max(16, edges * 2 - 1)) << 1;
        edgeKeys = new long[capacity];
        Arrays.fill(edgeKeys, -1L);
        edgeChild = new int[capacity];
        edgeShift = 64 - Integer.numberOfTrailingZeros(capacity);
        for (int s = 0; s < children.size(); s++) {
            for (Map.Entry<Integer, Integer> e : children.get(s).entrySet()) {
                long key = ((long) s << 8) | e.getKey();
                int slot = slot(key);
                while (edgeKeys[slot] != -1L) {
                    slot = (slot + 1) & (capacity - 1);
                }
                edgeKeys[slot] = key;
                edgeChild[slot] = e.getValue();
            }
        }
        acceptStart = new int[children.size() + 1];
        List<Integer> flat = new ArrayList<>();
        for (int s = 0; s < children.size(); s++) {
            acceptStart[s] = flat.size();
            flat.addAll(accepts.get(s));
        }
        acceptStart[children.size()] = flat.size();
        acceptForms = flat.stream().mapToInt(Integer::intValue).toArray();
    }

    static MarkerSet build(List<String> configured, boolean ignoreCase) {
        Map<String, String> canonical = new LinkedHashMap<>();
        for (String m : configured) {
            if (m == null || m.isEmpty()) {
                throw new IllegalArgumentException("markers must not be empty");
            }
            canonical.putIfAbsent(ignoreCase ? asciiLower(m) : m, m);
        }
        List<String> markers = new ArrayList<>(canonical.values());
        List<byte[]> forms = new ArrayList<>();
        List<boolean[]> foldable = new ArrayList<>();
        List<Integer> formMarker = new ArrayList<>();
        for (int i = 0; i < markers.size(); i++) {
            String m = markers.get(i);
            byte[] utf8 = m.getBytes(StandardCharsets.UTF_8);
            boolean[] f8 = new boolean[utf8.length];
            for (int j = 0; j < utf8.length; j++) {
                f8[j] = (utf8[j] & 0x80) == 0;
            }
            byte[] le = m.getBytes(StandardCharsets.UTF_16LE);
            byte[] be = m.getBytes(StandardCharsets.UTF_16BE);
            boolean[] fle = new boolean[le.length];
            boolean[] fbe = new boolean[be.length];
            for (int u = 0; u + 1 < le.length; u += 2) {
                fle[u] = le[u + 1] == 0 && (le[u] & 0x80) == 0;
                fbe[u + 1] = be[u] == 0 && (be[u + 1] & 0x80) == 0;
            }
            forms.add(utf8);
            foldable.add(f8);
            formMarker.add(i);
            forms.add(le);
            foldable.add(fle);
            formMarker.add(i);
            forms.add(be);
            foldable.add(fbe);
            formMarker.add(i);
        }
        return new MarkerSet(markers, ignoreCase, forms, foldable, formMarker);
    }

    /**
     * Reports every form occurring at {@code start} (within {@code [start, end)} of {@code data}).
     * Work is bounded by the longest form.
     */
    void matchAt(byte[] data, int start, int end, int objectBase, Sink sink) {
        int state = 0;
        for (int i = start; i < end; i++) {
            state = child(state, fold[data[i] & 0xFF] & 0xFF);
            if (state == NO_STATE) {
                return;
            }
            for (int a = acceptStart[state]; a < acceptStart[state + 1]; a++) {
                int form = acceptForms[a];
                if (formFoldable[form] == null || exactCaseCheck(form, data, start)) {
                    sink.marker(formMarker[form], start - objectBase, formBytes[form].length);
                }
            }
        }
    }

    /** Filter slot (16 bits) of a folded little-endian gram. */
    static int gramSlot(int foldedGram) {
        return (foldedGram * GRAM_MIX) >>> 16;
    }

    private boolean exactCaseCheck(int form, byte[] data, int start) {
        byte[] pattern = formBytes[form];
        boolean[] foldableAt = formFoldable[form];
        for (int j = 0; j < pattern.length; j++) {
            int p = pattern[j] & 0xFF;
            int d = data[start + j] & 0xFF;
            if (p != d && !(foldableAt[j] && lower(p) == lower(d))) {
                return false;
            }
        }
        return true;
    }

    private int child(int state, int b) {
        long key = ((long) state << 8) | b;
        int slot = slot(key);
        long k;
        while ((k = edgeKeys[slot]) != -1L) {
            if (k == key) {
                return edgeChild[slot];
            }
            slot = (slot + 1) & (edgeKeys.length - 1);
        }
        return NO_STATE;
    }

    private int slot(long key) {
        return (int) ((key * FragmentIndex.SLOT_MIX) >>> edgeShift);
    }

    private void addToFilters(byte[] form, boolean[] foldableAt) {
        int[] first = variants(form[0] & 0xFF, foldableAt[0]);
        if (form.length == 1) {
            for (int b0 : first) {
                singleByteStart[b0] = true;
                for (int b1 = 0; b1 < 256; b1++) {
                    setPair(b0, b1);
                }
            }
            return;
        }
        for (int b0 : first) {
            for (int b1 : variants(form[1] & 0xFF, foldableAt[1])) {
                setPair(b0, b1);
            }
        }
    }

    private int[] variants(int b, boolean foldable) {
        if (ignoreCase && foldable && isAsciiLetter(b)) {
            return new int[] {lower(b), lower(b) - 32};
        }
        return new int[] {b};
    }

    private void setPair(int b0, int b1) {
        int pair = (b0 << 8) | b1;
        pairFilter[pair >>> 6] |= 1L << pair;
    }

    private static boolean isAsciiLetter(int b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }

    private static int lower(int b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    private static String asciiLower(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "MarkerSet" + markers + (ignoreCase ? " (ignore case)" : "") + String.format(Locale.ROOT,
                ", %d forms", formBytes.length);
    }
}
