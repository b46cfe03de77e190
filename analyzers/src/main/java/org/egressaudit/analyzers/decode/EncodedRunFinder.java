package org.egressaudit.analyzers.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds encoded runs inside text and decodes them: dense %XX runs ("percent"), and maximal runs of the
 * base64 alphabet classified as hex, base32, base64 or base64url.
 *
 * <p>A run may span the line breaks of MIME and PEM bodies (CRLF, LF, or a JSON string's "\n" escape) when
 * the lines have the same width, and JSON's "\/" escape. In DNS names ({@code dns} mode) a run may span label
 * dots. When a run fits several alphabets the narrowest wins: hex if all hex digits, else base32 if all base32
 * characters in one case, else base64 (url-safe if it has '-' or '_').
 *
 * <p>False positives are the enemy here: identifiers, paths and prose are made of the same characters. A run
 * must be at least {@code minRun} characters (8 when it is the whole object) and look random: hex and base32
 * need digits, base64 needs both cases and a digit, few separators, and no long lowercase words.
 */
final class EncodedRunFinder {

    /** A decoded run at {@code [start, end)} of the object. */
    record Run(int start, int end, String encoding, byte[] decoded) {
    }

    private static final int MIN_DECODED = 4;
    private static final int WHOLE_OBJECT_MIN = 8;

    private final byte[] d;
    private final int base;
    private final int n;
    private final int minRun;
    private final boolean dns;
    /** Whether a run may continue on the next line (MIME/PEM bodies); never across HTTP header lines. */
    private final boolean joinLines;
    private final int maxRuns;
    private final List<Run> runs = new ArrayList<>();
    private boolean overflow;

    private EncodedRunFinder(byte[] d, int base, int n, int minRun, boolean dns, boolean joinLines, int maxRuns) {
        this.joinLines = joinLines;
        this.d = d;
        this.base = base;
        this.n = n;
        this.minRun = dns ? Math.min(minRun, 16) : minRun;
        this.dns = dns;
        this.maxRuns = maxRuns;
    }

    /** Result of a search: the runs, and whether more were found than {@code maxRuns}. */
    record Found(List<Run> runs, boolean overflow) {
    }

    static Found find(byte[] d, int off, int len, int minRun, boolean dns, int maxRuns) {
        return find(d, off, len, minRun, dns, true, maxRuns);
    }

    static Found find(byte[] d, int off, int len, int minRun, boolean dns, boolean joinLines, int maxRuns) {
        EncodedRunFinder f = new EncodedRunFinder(d, off, len, minRun, dns, joinLines, maxRuns);
        List<int[]> percent = f.percentRuns();
        f.alphabetRuns(percent);
        f.runs.sort((a, b) -> Integer.compare(a.start(), b.start()));
        return new Found(f.runs, f.overflow);
    }

    private void add(Run r) {
        if (runs.size() >= maxRuns) {
            overflow = true;
            return;
        }
        runs.add(r);
    }

    // ------------------------------------------------------------ byte classes

    /** Base64 alphabet, either flavour (A-Z a-z 0-9 + / - _). */
    private static final byte ALPHA = 1;
    /** Printable ASCII allowed in a URL token. */
    private static final byte URL = 2;
    /** Hex digit. */
    private static final byte HEX = 4;
    /** Class bits of every byte value. */
    private static final byte[] CLASS = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            int k = 0;
            if (Base64Codec.isAlphabet(c)) {
                k |= ALPHA;
            }
            if (c > 0x20 && c < 0x7f && c != '"' && c != '\'' && c != '<' && c != '>' && c != '\\' && c != '`') {
                k |= URL;
            }
            if (HexCodec.value(c) >= 0) {
                k |= HEX;
            }
            CLASS[c] = (byte) k;
        }
    }

    private static boolean alpha(int c) {
        return (CLASS[c] & ALPHA) != 0;
    }

    // ------------------------------------------------------------ percent

    /** Tokens of URL characters in which %XX escapes make up at least a quarter: decoded, and claimed. */
    private List<int[]> percentRuns() {
        List<int[]> claimed = new ArrayList<>();
        final byte[] d = this.d;
        final int end = base + n;
        int i = base;
        while (i < end) {
            // Bulk skip to the first '%': a token without escapes is never a percent run.
            while (i < end && d[i] != '%') {
                i++;
            }
            if (i >= end) {
                break;
            }
            // The token holding this '%': back to its start (no earlier '%' lies in it, or we would have stopped
            // there), then forward counting escapes exactly as a left-to-right token walk does.
            int ts = i;
            while (ts > base && (CLASS[d[ts - 1] & 0xff] & URL) != 0) {
                ts--;
            }
            int j = ts;
            int escapes = 0;
            while (j < end && (CLASS[d[j] & 0xff] & URL) != 0) {
                if (d[j] == '%' && j + 2 < end && (CLASS[d[j + 1] & 0xff] & HEX) != 0
                        && (CLASS[d[j + 2] & 0xff] & HEX) != 0) {
                    escapes++;
                    j += 3;
                } else {
                    j++;
                }
            }
            int s = ts - base;
            int e = j - base;
            if (escapes >= 4 && escapes * 3 * 4 >= e - s) {
                byte[] out = PercentCodec.decode(d, ts, j - ts, false);
                if (out.length >= MIN_DECODED) {
                    add(new Run(s, e, "percent", out));
                    claimed.add(new int[] {s, e});
                }
            }
            i = j;
        }
        return claimed;
    }

    // ------------------------------------------------------------ base64 family

    /**
     * The current chain of segments: maximal runs of alphabet characters on one line (a JSON "\/" counts as
     * one '/'), each with its trailing '=' padding, joined across line breaks. Parallel arrays, reused.
     */
    private int[] segStart = new int[8];
    private int[] segEnd = new int[8];
    /** Alphabet characters in the segment ("\/" counts one). */
    private int[] segLen = new int[8];
    /** The segment holds a "\/" escape (its characters cannot be copied in bulk). */
    private boolean[] segEscaped = new boolean[8];
    private int chainSize;
    private int chainChars;
    /** Concatenated characters of a chain being classified; grown as needed, reused. */
    private byte[] chars = new byte[256];

    private void alphabetRuns(List<int[]> claimed) {
        final byte[] d = this.d;
        int ci = 0;
        boolean chainOpen = false; // the last segment ended in a joinable separator
        boolean dotJoin = false;
        final int shortest = Math.min(WHOLE_OBJECT_MIN, minRun);
        int i = 0;
        while (i < n) {
            while (ci < claimed.size() && claimed.get(ci)[1] <= i) {
                ci++;
            }
            int limit = ci < claimed.size() ? claimed.get(ci)[0] : n;
            if (limit <= i) {
                flush();
                chainOpen = false;
                i = claimed.get(ci)[1];
                continue;
            }
            int c = d[base + i] & 0xff;
            // A "\/" starts a segment only if both bytes lie before the claimed range (else nothing is consumed).
            if (!alpha(c) && !(c == '\\' && i + 1 < limit && d[base + i + 1] == '/')) {
                flush();
                chainOpen = false;
                i++;
                // Bulk skip of bytes that cannot start a segment, up to the next claimed range.
                while (i < limit && (CLASS[d[base + i] & 0xff] & ALPHA) == 0 && d[base + i] != '\\') {
                    i++;
                }
                continue;
            }
            int start = i;
            int len = 0;
            boolean escaped = false;
            while (i < limit) {
                int runFrom = i;
                while (i < limit && (CLASS[d[base + i] & 0xff] & ALPHA) != 0) {
                    i++;
                }
                len += i - runFrom;
                if (i + 1 < limit && d[base + i] == '\\' && d[base + i + 1] == '/') {
                    len++;
                    escaped = true;
                    i += 2;
                } else {
                    break;
                }
            }
            int pad = 0;
            while (i < limit && d[base + i] == '=' && pad < 6) {
                pad++;
                i++;
            }
            int sep = pad == 0 && joinLines ? lineBreak(i, limit) : 0;
            if (!chainOpen && len < shortest) {
                // A word too short to be a run alone, with no chain to join: no later line can join it either
                // (lines join a first line of 16 or more, labels a previous one of 8 or more), so it would be
                // flushed alone and dropped. Only its separator matters: the next segment starts after it.
                if (sep == 0 && pad == 0 && dns && i < limit && d[base + i] == '.') {
                    sep = 1;
                }
                if (sep > 0 && i + sep < limit && alpha(d[base + i + sep] & 0xff)) {
                    i += sep;
                }
                continue;
            }
            if (!(chainOpen && canJoin(start, len, dotJoin))) {
                flush();
            }
            push(start, i, len, escaped);
            dotJoin = false;
            if (sep == 0 && pad == 0 && dns && i < limit && d[base + i] == '.') {
                sep = 1;
                dotJoin = true;
            }
            if (sep > 0 && i + sep < limit && alpha(d[base + i + sep] & 0xff)) {
                chainOpen = true;
                i += sep;
            } else {
                chainOpen = false;
                flush();
            }
        }
        flush();
    }

    private void push(int start, int end, int len, boolean escaped) {
        if (chainSize == segStart.length) {
            int cap = chainSize * 2;
            segStart = Arrays.copyOf(segStart, cap);
            segEnd = Arrays.copyOf(segEnd, cap);
            segLen = Arrays.copyOf(segLen, cap);
            segEscaped = Arrays.copyOf(segEscaped, cap);
        }
        segStart[chainSize] = start;
        segEnd[chainSize] = end;
        segLen[chainSize] = len;
        segEscaped[chainSize] = escaped;
        chainSize++;
        chainChars += len;
    }

    /** Length of a line break at i: CRLF, LF, or the JSON escapes "\n" and "\r\n"; 0 if none. */
    private int lineBreak(int i, int limit) {
        if (i < limit && d[base + i] == '\n') {
            return 1;
        }
        if (i + 1 < limit && d[base + i] == '\r' && d[base + i + 1] == '\n') {
            return 2;
        }
        if (i + 1 < limit && d[base + i] == '\\' && d[base + i + 1] == 'n') {
            return 2;
        }
        if (i + 3 < limit && d[base + i] == '\\' && d[base + i + 1] == 'r' && d[base + i + 2] == '\\'
                && d[base + i + 3] == 'n') {
            return 4;
        }
        return 0;
    }

    /**
     * Lines join when every line but the last has the width of the first (at least 16, a multiple of 4);
     * DNS labels join when both are long enough and the next one has a digit (plain words do not).
     */
    private boolean canJoin(int nextStart, int nextLen, boolean dot) {
        if (chainSize == 0) {
            return false;
        }
        int first = segLen[0];
        int prev = segLen[chainSize - 1];
        if (dot) {
            return prev >= 8 && nextLen >= 4 && hasDigit(nextStart, nextLen);
        }
        return first >= 16 && first % 4 == 0 && prev == first && nextLen <= first;
    }

    /** A digit among the first {@code count} characters of the segment at {@code start}. */
    private boolean hasDigit(int start, int count) {
        for (int i = start, seen = 0; seen < count; i++) {
            byte c = d[base + i];
            if (c == '\\') {
                continue; // the "\\" of a "\\/"; the '/' is counted next
            }
            if (c >= '0' && c <= '9') {
                return true;
            }
            seen++;
        }
        return false;
    }

    private void flush() {
        if (chainSize == 0) {
            return;
        }
        int total = chainChars;
        int start = segStart[0];
        int end = segEnd[chainSize - 1];
        int segments = chainSize;
        chainSize = 0;
        chainChars = 0;
        // Too short for any run, even a whole object: skip gathering (classify would say no).
        if (total < Math.min(WHOLE_OBJECT_MIN, minRun)) {
            return;
        }
        if (chars.length < total) {
            chars = new byte[Math.max(total, chars.length * 2)];
        }
        byte[] cs = chars;
        int k = 0;
        for (int s = 0; s < segments; s++) {
            int from = base + segStart[s];
            int len = segLen[s];
            if (!segEscaped[s]) {
                System.arraycopy(d, from, cs, k, len);
                k += len;
            } else {
                for (int i = from, stop = k + len; k < stop; i++) {
                    byte c = d[i];
                    if (c != '\\') {
                        cs[k++] = c;
                    }
                }
            }
        }
        // "0x" prefixed hex
        int skip = 0;
        if (total > 2 && cs[0] == '0' && (cs[1] == 'x' || cs[1] == 'X') && allHex(cs, 2, total)) {
            skip = 2;
        }
        boolean whole = total - skip < minRun && isWholeObject(start, end);
        String enc = classify(cs, skip, total - skip, whole);
        if (enc == null) {
            return;
        }
        byte[] out = switch (enc) {
            case "hex" -> HexCodec.decode(cs, skip, (total - skip) & ~1);
            case "base32" -> Base32Codec.decode(cs, 0, total);
            default -> Base64Codec.decode(cs, 0, total % 4 == 1 ? total - 1 : total);
        };
        if (out.length >= MIN_DECODED) {
            add(new Run(start, end, enc, out));
        }
    }

    /** The run is all of the object but whitespace and quotes around it. */
    private boolean isWholeObject(int start, int end) {
        for (int i = 0; i < start; i++) {
            if (!frame(d[base + i])) {
                return false;
            }
        }
        for (int i = end; i < n; i++) {
            if (!frame(d[base + i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean frame(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '"' || b == '\'';
    }

    private static boolean allHex(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if ((CLASS[b[i] & 0xff] & HEX) == 0) {
                return false;
            }
        }
        return true;
    }

    /** 1 for a lowercase ASCII letter. */
    private static final int[] LOWER = new int[128];
    /** Added to the word count per lowercase-run length (capped at 6): a run counts from its fifth letter. */
    private static final int[] WORD_ADD = {0, 0, 0, 0, 0, 5, 1};

    static {
        for (int c = 'a'; c <= 'z'; c++) {
            LOWER[c] = 1;
        }
    }

    /** Scratch histogram of {@link #classify}: two lanes of 128 ASCII counters. */
    private final int[] hist = new int[256];

    private static int sum(int[] h, char from, char to) {
        int s = 0;
        for (int c = from; c <= to; c++) {
            s += h[c] + h[128 + c];
        }
        return s;
    }

    /** "hex", "base32", "base64", "base64url", or null when the run looks like ordinary text. */
    String classify(byte[] b, int off, int len, boolean whole) {
        if (len < (whole ? Math.min(WHOLE_OBJECT_MIN, minRun) : minRun)) {
            return null;
        }
        // One branch-free pass: a two-lane histogram (the counts below are sums over it) and the length of
        // lowercase runs of 5 or more (words), which a data-dependent branch per character would mispredict on
        // random input.
        int[] h = hist;
        Arrays.fill(h, 0);
        int wordChars = 0;
        int lowerRun = 0;
        int i = off;
        int stop = off + len;
        for (; i + 1 < stop; i += 2) {
            int c0 = b[i] & 0x7f;
            int c1 = b[i + 1] & 0x7f;
            h[c0]++;
            h[128 + c1]++;
            lowerRun = (lowerRun + 1) * LOWER[c0];
            wordChars += WORD_ADD[Math.min(lowerRun, 6)];
            lowerRun = (lowerRun + 1) * LOWER[c1];
            wordChars += WORD_ADD[Math.min(lowerRun, 6)];
        }
        if (i < stop) {
            int c0 = b[i] & 0x7f;
            h[c0]++;
            lowerRun = (lowerRun + 1) * LOWER[c0];
            wordChars += WORD_ADD[Math.min(lowerRun, 6)];
        }
        int upper = sum(h, 'A', 'Z');
        int lower = sum(h, 'a', 'z');
        int digits = sum(h, '0', '9');
        int base32Digits = sum(h, '2', '7');
        int nonHexLetters = sum(h, 'g', 'z') + sum(h, 'G', 'Z');
        int slashPlus = sum(h, '+', '+') + sum(h, '/', '/');
        // The rest of the alphabet: '-' and '_'.
        int dashUnderscore = len - upper - lower - digits - slashPlus;
        boolean symbols = slashPlus + dashUnderscore > 0;
        boolean oneCase = upper == 0 || lower == 0;
        if (!symbols && nonHexLetters == 0 && (oneCase || dns)) {
            // Decimal numbers are far more common than hex made only of digits.
            return digits > 0 && digits < len ? "hex" : null;
        }
        if (!symbols && digits == base32Digits && (oneCase || dns)) {
            return base32Digits * 16 >= len && upper + lower > 0 ? "base32" : null;
        }
        if (slashPlus > 0 && dashUnderscore > 0) {
            return null; // both alphabets: a path or identifier, not base64
        }
        if (upper == 0 || lower == 0 || (digits == 0 && len < 64)) {
            return null;
        }
        if ((slashPlus + dashUnderscore) * 8 > len || wordChars * 10 > len * 4) {
            return null; // paths, snake/kebab case, camelCase words
        }
        return dashUnderscore > 0 ? "base64url" : "base64";
    }
}
