package org.egressaudit.analyzers.decode;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
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
    private final int maxRuns;
    private final List<Run> runs = new ArrayList<>();
    private boolean overflow;

    private EncodedRunFinder(byte[] d, int base, int n, int minRun, boolean dns, int maxRuns) {
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
        EncodedRunFinder f = new EncodedRunFinder(d, off, len, minRun, dns, maxRuns);
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

    // ------------------------------------------------------------ percent

    private static boolean urlChar(int c) {
        return c > 0x20 && c < 0x7f && c != '"' && c != '\'' && c != '<' && c != '>' && c != '\\' && c != '`';
    }

    /** Tokens of URL characters in which %XX escapes make up at least a quarter: decoded, and claimed. */
    private List<int[]> percentRuns() {
        List<int[]> claimed = new ArrayList<>();
        int i = 0;
        while (i < n) {
            if (!urlChar(d[base + i] & 0xff)) {
                i++;
                continue;
            }
            int j = i;
            int escapes = 0;
            while (j < n && urlChar(d[base + j] & 0xff)) {
                if (PercentCodec.isEscape(d, base + j, base + n)) {
                    escapes++;
                    j += 3;
                } else {
                    j++;
                }
            }
            if (escapes >= 4 && escapes * 3 * 4 >= j - i) {
                byte[] out = PercentCodec.decode(d, base + i, j - i, false);
                if (out.length >= MIN_DECODED) {
                    add(new Run(i, j, "percent", out));
                    claimed.add(new int[] {i, j});
                }
            }
            i = j;
        }
        return claimed;
    }

    // ------------------------------------------------------------ base64 family

    private static boolean alpha(int c) {
        return Base64Codec.isAlphabet(c);
    }

    /** A maximal run of alphabet characters on one line, with its trailing '=' padding. */
    private static final class Segment {
        final int start;
        final int end;
        final byte[] chars;
        final int pad;

        Segment(int start, int end, byte[] chars, int pad) {
            this.start = start;
            this.end = end;
            this.chars = chars;
            this.pad = pad;
        }

        int len() {
            return chars.length;
        }
    }

    private void alphabetRuns(List<int[]> claimed) {
        int ci = 0;
        List<Segment> chain = new ArrayList<>();
        boolean chainOpen = false; // the last segment ended in a joinable separator
        boolean dotJoin = false;
        int i = 0;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        while (i < n) {
            while (ci < claimed.size() && claimed.get(ci)[1] <= i) {
                ci++;
            }
            if (ci < claimed.size() && claimed.get(ci)[0] <= i) {
                flush(chain);
                chainOpen = false;
                i = claimed.get(ci)[1];
                continue;
            }
            int c = d[base + i] & 0xff;
            boolean escapedSlash = c == '\\' && i + 1 < n && d[base + i + 1] == '/';
            if (!alpha(c) && !escapedSlash) {
                flush(chain);
                chainOpen = false;
                i++;
                continue;
            }
            int start = i;
            buf.reset();
            int limit = ci < claimed.size() ? claimed.get(ci)[0] : n;
            while (i < limit) {
                c = d[base + i] & 0xff;
                if (alpha(c)) {
                    buf.write(c);
                    i++;
                } else if (c == '\\' && i + 1 < limit && d[base + i + 1] == '/') {
                    buf.write('/');
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
            Segment seg = new Segment(start, i, buf.toByteArray(), pad);
            if (!(chainOpen && canJoin(chain, seg, dotJoin))) {
                flush(chain);
            }
            chain.add(seg);
            int sep = pad == 0 ? lineBreak(i, limit) : 0;
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
                flush(chain);
            }
        }
        flush(chain);
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
    private static boolean canJoin(List<Segment> chain, Segment next, boolean dot) {
        if (chain.isEmpty()) {
            return false;
        }
        Segment first = chain.get(0);
        Segment prev = chain.get(chain.size() - 1);
        if (dot) {
            return prev.len() >= 8 && next.len() >= 4 && hasDigit(next.chars);
        }
        return first.len() >= 16 && first.len() % 4 == 0 && prev.len() == first.len() && next.len() <= first.len();
    }

    private static boolean hasDigit(byte[] b) {
        for (byte c : b) {
            if (c >= '0' && c <= '9') {
                return true;
            }
        }
        return false;
    }

    private void flush(List<Segment> chain) {
        if (chain.isEmpty()) {
            return;
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Segment s : chain) {
            all.writeBytes(s.chars);
        }
        byte[] chars = all.toByteArray();
        int start = chain.get(0).start;
        int end = chain.get(chain.size() - 1).end;
        chain.clear();
        // "0x" prefixed hex
        int skip = 0;
        if (chars.length > 2 && chars[0] == '0' && (chars[1] == 'x' || chars[1] == 'X') && allHex(chars, 2)) {
            skip = 2;
        }
        boolean whole = isWholeObject(start, end);
        String enc = classify(chars, skip, chars.length - skip, whole);
        if (enc == null) {
            return;
        }
        byte[] out = switch (enc) {
            case "hex" -> HexCodec.decode(chars, skip, (chars.length - skip) & ~1);
            case "base32" -> Base32Codec.decode(chars, 0, chars.length);
            default -> Base64Codec.decode(chars, 0, chars.length % 4 == 1 ? chars.length - 1 : chars.length);
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

    private static boolean allHex(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (HexCodec.value(b[i]) < 0) {
                return false;
            }
        }
        return true;
    }

    /** "hex", "base32", "base64", "base64url", or null when the run looks like ordinary text. */
    String classify(byte[] b, int off, int len, boolean whole) {
        if (len < (whole ? Math.min(WHOLE_OBJECT_MIN, minRun) : minRun)) {
            return null;
        }
        int upper = 0;
        int lower = 0;
        int digits = 0;
        int base32Digits = 0;
        int nonHexLetters = 0;
        int slashPlus = 0;
        int dashUnderscore = 0;
        int wordChars = 0;
        int lowerRun = 0;
        for (int i = off; i < off + len; i++) {
            int c = b[i];
            if (c >= 'a' && c <= 'z') {
                lower++;
                lowerRun++;
                if (c > 'f') {
                    nonHexLetters++;
                }
            } else {
                if (lowerRun >= 5) {
                    wordChars += lowerRun;
                }
                lowerRun = 0;
                if (c >= 'A' && c <= 'Z') {
                    upper++;
                    if (c > 'F') {
                        nonHexLetters++;
                    }
                } else if (c >= '0' && c <= '9') {
                    digits++;
                    if (c >= '2' && c <= '7') {
                        base32Digits++;
                    }
                } else if (c == '+' || c == '/') {
                    slashPlus++;
                } else {
                    dashUnderscore++;
                }
            }
        }
        if (lowerRun >= 5) {
            wordChars += lowerRun;
        }
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
