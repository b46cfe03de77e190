package org.egressaudit.analyzers.content;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Recognises a file type by magic numbers and structure, never by name alone: a name hint only refines
 * the class of content that is already text (a ".ps1" of printable bytes is a script, a ".ps1" of random
 * bytes is not). Works on a prefix of the bytes: a truncated object is classified by what is there.
 * Pure and thread-safe; never throws on any input range inside the array.
 */
public final class FileTypeSniffer {

    /** Bytes examined for text classification; structure checks read at most a few MiB. */
    private static final int TEXT_SAMPLE = 64 * 1024;
    /** Zip local headers are looked for in this prefix, the central directory in the tail. */
    private static final int ZIP_SCAN = 1 << 20;

    private static final Set<String> SCRIPT_EXTENSIONS = Set.of(
            "sh", "bash", "zsh", "ksh", "csh", "ps1", "psm1", "psd1", "bat", "cmd", "vbs", "vbe", "js", "jse",
            "wsf", "wsh", "hta", "pl", "applescript", "command");
    private static final Set<String> SOURCE_EXTENSIONS = Set.of(
            "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "java", "kt", "kts", "go", "rs", "py", "rb", "cs", "swift",
            "m", "mm", "scala", "php", "ts", "tsx", "jsx", "lua", "dart", "groovy", "sql", "r", "vb", "fs", "asm",
            "s");

    private static final Pattern STRONG_SOURCE = Pattern.compile(
            "^\\s*(#include\\s*[<\"]|package\\s+[\\w.]+\\s*;?\\s*$|public\\s+(final\\s+|abstract\\s+)?(class|interface|enum)\\s"
                    + "|public\\s+static\\s+void\\s|fn\\s+\\w+\\s*\\(|func\\s+(\\(\\w+\\s+\\*?\\w+\\)\\s+)?\\w+\\s*\\("
                    + "|using\\s+System[\\w.]*\\s*;|namespace\\s+[\\w.:]+\\s*\\{?\\s*$|#define\\s+\\w|int\\s+main\\s*\\()");
    private static final Pattern MEDIUM_SOURCE = Pattern.compile(
            "^\\s*(import\\s+(static\\s+)?[\\w.*]+\\s*;?\\s*$|import\\s+[\\w{}*, ]+\\s+from\\s+['\"]|import\\s*\\(\\s*$"
                    + "|from\\s+[\\w.]+\\s+import\\s|def\\s+\\w+\\s*\\(.*\\)\\s*(->.*)?:\\s*$"
                    + "|class\\s+\\w+(\\s*\\(.*\\))?\\s*[:{]\\s*$|(private|protected|public|static)\\s+[\\w<>\\[\\], ]+\\s+\\w+\\s*\\("
                    + "|(const|let|var)\\s+\\w+\\s*=.*;\\s*$|return\\b.*;\\s*$)");
    private static final Pattern SCRIPT_CUES = Pattern.compile(
            "^\\s*(@echo\\s+off|set-executionpolicy|invoke-expression|iex\\s*\\(|\\$psversiontable|param\\s*\\("
                    + "|option\\s+explicit|set\\s+\\w+\\s*=\\s*(wscript\\.)?createobject\\s*\\(|wscript\\.)",
            Pattern.CASE_INSENSITIVE);

    private FileTypeSniffer() {
    }

    /** Sniffs a whole array. */
    public static FileType sniff(byte[] data, String nameHint) {
        return sniff(data, 0, data.length, nameHint);
    }

    /** Sniffs {@code data[off, off+len)}; {@code nameHint} may be null. */
    public static FileType sniff(byte[] data, int off, int len, String nameHint) {
        if (data == null || off < 0 || len <= 0 || off > data.length) {
            return FileType.UNKNOWN;
        }
        len = Math.min(len, data.length - off);
        FileType magic = byMagic(data, off, len);
        if (magic != null) {
            return magic;
        }
        if (!looksLikeText(data, off, Math.min(len, TEXT_SAMPLE))) {
            return FileType.UNKNOWN;
        }
        return classifyText(data, off, len, nameHint);
    }

    // ---------------------------------------------------------------- magic and structure

    private static FileType byMagic(byte[] d, int o, int n) {
        if (n >= 2 && d[o] == 'M' && d[o + 1] == 'Z' && isPe(d, o, n)) {
            return FileType.PE;
        }
        if (n >= 6 && d[o] == 0x7f && d[o + 1] == 'E' && d[o + 2] == 'L' && d[o + 3] == 'F'
                && (d[o + 4] == 1 || d[o + 4] == 2) && (d[o + 5] == 1 || d[o + 5] == 2)) {
            return FileType.ELF;
        }
        if (n >= 8) {
            int be = be32(d, o);
            if (be == 0xFEEDFACE || be == 0xFEEDFACF || be == 0xCEFAEDFE || be == 0xCFFAEDFE) {
                return FileType.MACH_O;
            }
            if ((be == 0xCAFEBABE || be == 0xCAFEBABF) && isFatMachO(d, o, n)) {
                return FileType.MACH_O;
            }
        }
        if (startsWith(d, o, n, "{\\rtf")) {
            return FileType.RTF;
        }
        if (n >= 8 && be32(d, o) == 0xD0CF11E0 && be32(d, o + 4) == 0xA1B11AE1) {
            return FileType.OLE2;
        }
        if (n >= 4 && d[o] == 'P' && d[o + 1] == 'K') {
            int sig = le32(d, o);
            if (sig == 0x04034b50 || sig == 0x06054b50 || (sig == 0x08074b50 && n >= 8 && le32(d, o + 4) == 0x04034b50)) {
                return zipSubtype(d, o, n);
            }
        }
        if (n >= 6 && d[o] == '7' && d[o + 1] == 'z' && (d[o + 2] & 0xff) == 0xBC && (d[o + 3] & 0xff) == 0xAF
                && d[o + 4] == 0x27 && d[o + 5] == 0x1C) {
            return FileType.SEVEN_ZIP;
        }
        if (startsWith(d, o, n, "Rar!\u001a\u0007\u0000") || startsWith(d, o, n, "Rar!\u001a\u0007\u0001\u0000")) {
            return FileType.RAR;
        }
        if (n >= 3 && (d[o] & 0xff) == 0x1f && (d[o + 1] & 0xff) == 0x8b && d[o + 2] == 8) {
            return FileType.GZIP;
        }
        if (n >= 10 && d[o] == 'B' && d[o + 1] == 'Z' && d[o + 2] == 'h' && d[o + 3] >= '1' && d[o + 3] <= '9'
                && ((be32(d, o + 4) == 0x31415926 && (d[o + 8] & 0xff) == 0x53 && (d[o + 9] & 0xff) == 0x59)
                || (be32(d, o + 4) == 0x17724538 && (d[o + 8] & 0xff) == 0x50 && (d[o + 9] & 0xff) == 0x90))) {
            return FileType.BZIP2;
        }
        if (n >= 6 && (d[o] & 0xff) == 0xFD && startsWith(d, o + 1, n - 1, "7zXZ") && d[o + 5] == 0) {
            return FileType.XZ;
        }
        if (n >= 4 && le32(d, o) == 0xFD2FB528) {
            return FileType.ZSTD;
        }
        if (n >= 8 && be32(d, o) == 0x89504E47 && be32(d, o + 4) == 0x0D0A1A0A) {
            return FileType.PNG;
        }
        if (n >= 3 && (d[o] & 0xff) == 0xFF && (d[o + 1] & 0xff) == 0xD8 && (d[o + 2] & 0xff) == 0xFF) {
            return FileType.JPEG;
        }
        if (startsWith(d, o, n, "GIF87a") || startsWith(d, o, n, "GIF89a")) {
            return FileType.GIF;
        }
        if (n >= 26 && d[o] == 'B' && d[o + 1] == 'M' && isBmp(d, o, n)) {
            return FileType.BMP;
        }
        if (n >= 12 && startsWith(d, o, n, "RIFF") && startsWith(d, o + 8, n - 8, "WEBP")) {
            return FileType.WEBP;
        }
        if (isTarHeader(d, o, n)) {
            return FileType.TAR;
        }
        if (pdfHeaderWithin(d, o, n)) {
            return FileType.PDF;
        }
        return null;
    }

    private static boolean isPe(byte[] d, int o, int n) {
        if (n < 0x40) {
            return false;
        }
        long lfanew = le32(d, o + 0x3c) & 0xffffffffL;
        if (lfanew < 0x40 || lfanew > 0x10000 || (lfanew & 3) != 0) {
            return false;
        }
        if (lfanew + 4 > n) {
            // Truncated after the DOS stub: a plausible e_lfanew is as far as we can check.
            return true;
        }
        int p = o + (int) lfanew;
        return d[p] == 'P' && d[p + 1] == 'E' && d[p + 2] == 0 && d[p + 3] == 0;
    }

    /** Fat Mach-O and Java class files share CAFEBABE; fat headers count a handful of architectures. */
    private static boolean isFatMachO(byte[] d, int o, int n) {
        int count = be32(d, o + 4);
        if (count < 1 || count > 20) {
            return false;
        }
        if (n < 12) {
            return true;
        }
        int cpu = be32(d, o + 8) & 0x00ffffff;
        return cpu >= 1 && cpu <= 24;
    }

    private static boolean isBmp(byte[] d, int o, int n) {
        long size = le32(d, o + 2) & 0xffffffffL;
        long dataOff = le32(d, o + 10) & 0xffffffffL;
        int dib = le32(d, o + 14);
        boolean dibOk = dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124;
        return le32(d, o + 6) == 0 && dibOk && size >= 26 && dataOff >= 14 + dib && dataOff < size;
    }

    private static boolean pdfHeaderWithin(byte[] d, int o, int n) {
        // Readers accept junk before the header within the first KiB.
        int end = Math.min(n, 1024) - 5;
        for (int i = 0; i <= end; i++) {
            if (d[o + i] == '%' && startsWith(d, o + i, n - i, "%PDF-")) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when {@code d[o, o+n)} starts with a tar header: "ustar" magic at 257, or a v7 header whose
     * checksum field matches the sum of its bytes.
     */
    public static boolean isTarHeader(byte[] d, int o, int n) {
        if (n < 512 || o < 0 || o + 512 > d.length || d[o] == 0) {
            return false;
        }
        long stored = parseOctal(d, o + 148, 8);
        if (stored < 0) {
            return false;
        }
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < 512; i++) {
            int b = (i >= 148 && i < 156) ? ' ' : d[o + i];
            unsigned += b & 0xff;
            signed += b;
        }
        boolean ustar = startsWith(d, o + 257, n - 257, "ustar");
        boolean sumOk = stored == unsigned || stored == signed;
        // A ustar header with a bad checksum is still a tar (damaged); plain v7 needs the checksum.
        return sumOk || (ustar && stored > 0);
    }

    /** Parses a tar octal field (leading spaces, terminated by NUL or space); -1 when not octal. */
    public static long parseOctal(byte[] d, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end && d[i] == ' ') {
            i++;
        }
        long v = 0;
        int digits = 0;
        for (; i < end; i++) {
            byte b = d[i];
            if (b == 0 || b == ' ') {
                break;
            }
            if (b < '0' || b > '7') {
                return -1;
            }
            v = (v << 3) | (b - '0');
            digits++;
        }
        return digits == 0 ? -1 : v;
    }

    private static FileType zipSubtype(byte[] d, int o, int n) {
        // ODF: the first entry is an uncompressed "mimetype" naming an OpenDocument type.
        if (n >= 30 && le32(d, o) == 0x04034b50) {
            int nameLen = le16(d, o + 26);
            int extraLen = le16(d, o + 28);
            if (nameLen == 8 && startsWith(d, o + 30, n - 30, "mimetype") && le16(d, o + 8) == 0) {
                int dataAt = 30 + nameLen + extraLen;
                if (startsWith(d, o + dataAt, n - dataAt, "application/vnd.oasis.opendocument")) {
                    return FileType.ODF;
                }
            }
        }
        ZipNames names = new ZipNames();
        names.scanCentralDirectory(d, o, n);
        names.scanLocalHeaders(d, o, Math.min(n, ZIP_SCAN));
        if (names.contentTypes) {
            if (names.word) {
                return FileType.DOCX;
            }
            if (names.xl) {
                return FileType.XLSX;
            }
            if (names.ppt) {
                return FileType.PPTX;
            }
        }
        return FileType.ZIP;
    }

    /** Entry names of a zip, read from headers without decompressing anything. */
    private static final class ZipNames {
        boolean contentTypes;
        boolean word;
        boolean xl;
        boolean ppt;

        void accept(byte[] d, int at, int len, int limit) {
            if (len <= 0 || at < 0 || at + len > limit) {
                return;
            }
            String s = new String(d, at, len, StandardCharsets.ISO_8859_1);
            if (s.equals("[Content_Types].xml")) {
                contentTypes = true;
            } else if (s.startsWith("word/")) {
                word = true;
            } else if (s.startsWith("xl/")) {
                xl = true;
            } else if (s.startsWith("ppt/")) {
                ppt = true;
            }
        }

        void scanLocalHeaders(byte[] d, int o, int n) {
            // Signature scan rather than a walk: entries with data descriptors do not say where they end.
            for (int i = 0; i + 30 <= n; i++) {
                if (d[o + i] == 'P' && d[o + i + 1] == 'K' && d[o + i + 2] == 3 && d[o + i + 3] == 4) {
                    int nameLen = le16(d, o + i + 26);
                    accept(d, o + i + 30, nameLen, o + n);
                    i += 29;
                }
            }
        }

        void scanCentralDirectory(byte[] d, int o, int n) {
            int minEocd = Math.max(0, n - 22 - 65535);
            for (int i = n - 22; i >= minEocd; i--) {
                if (le32(d, o + i) != 0x06054b50) {
                    continue;
                }
                int entries = le16(d, o + i + 10);
                long cdSize = le32(d, o + i + 12) & 0xffffffffL;
                long cdStart = i - cdSize;
                if (cdStart < 0) {
                    return;
                }
                int p = (int) cdStart;
                for (int k = 0; k < Math.min(entries, 65535) && p + 46 <= i; k++) {
                    if (le32(d, o + p) != 0x02014b50) {
                        return;
                    }
                    int nameLen = le16(d, o + p + 28);
                    accept(d, o + p + 46, nameLen, o + n);
                    p += 46 + nameLen + le16(d, o + p + 30) + le16(d, o + p + 32);
                }
                return;
            }
        }
    }

    // ---------------------------------------------------------------- text

    /**
     * Mostly printable ASCII/UTF-8: at most 2% of the sample are control bytes or invalid UTF-8, and no NUL
     * in the first KiB (UTF-16 and binaries have them early).
     */
    private static boolean looksLikeText(byte[] d, int o, int n) {
        int bad = 0;
        // Past this many bad bytes the answer is no: binary content stops after a few hundred bytes.
        int maxBad = n / 50;
        int i = 0;
        while (i < n) {
            if (bad > maxBad) {
                return false;
            }
            int b = d[o + i] & 0xff;
            if (b < 0x80) {
                if (b == 0 && i < 1024) {
                    return false;
                }
                if (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x1b || b == 0x7f) {
                    bad++;
                }
                i++;
                continue;
            }
            int need = b >= 0xF0 && b <= 0xF4 ? 3 : b >= 0xE0 ? (b <= 0xEF ? 2 : -1) : b >= 0xC2 && b <= 0xDF ? 1 : -1;
            if (need < 0) {
                bad++;
                i++;
                continue;
            }
            if (i + need >= n) {
                break; // sample cut inside a character
            }
            boolean ok = true;
            for (int k = 1; k <= need; k++) {
                if ((d[o + i + k] & 0xC0) != 0x80) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                i += need + 1;
            } else {
                bad++;
                i++;
            }
        }
        return bad * 50 <= n;
    }

    private static FileType classifyText(byte[] d, int o, int n, String nameHint) {
        int sampleLen = Math.min(n, TEXT_SAMPLE);
        String text = new String(d, o, sampleLen, StandardCharsets.UTF_8);
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        boolean complete = sampleLen == n;
        String t = text.stripLeading();
        if (t.startsWith("#!")) {
            return FileType.SCRIPT;
        }
        if ((t.startsWith("{") || t.startsWith("[")) && JsonShape.valid(t, complete)) {
            return FileType.JSON;
        }
        String head = t.substring(0, Math.min(t.length(), 2048)).toLowerCase(Locale.ROOT);
        if (head.startsWith("<")) {
            if (head.startsWith("<!doctype html") || head.startsWith("<html") || head.contains("<html")
                    || head.contains("<head>") || head.contains("<body")) {
                return FileType.HTML;
            }
            if (head.startsWith("<?xml") || (head.length() > 1 && (Character.isLetter(head.charAt(1))
                    || head.charAt(1) == '!') && (t.contains("</") || t.contains("/>")))) {
                return FileType.XML;
            }
        }
        String ext = extension(nameHint);
        if (ext != null && SCRIPT_EXTENSIONS.contains(ext)) {
            return FileType.SCRIPT;
        }
        if (ext != null && SOURCE_EXTENSIONS.contains(ext)) {
            return FileType.SOURCE_CODE;
        }
        String[] lines = t.split("\r?\n", 400);
        int lineCount = complete ? lines.length : Math.max(1, lines.length - 1);
        int strong = 0;
        int medium = 0;
        int script = 0;
        int codeEndings = 0;
        int nonEmpty = 0;
        for (int i = 0; i < Math.min(lineCount, 399); i++) {
            String line = lines[i];
            String s = line.strip();
            if (s.isEmpty()) {
                continue;
            }
            nonEmpty++;
            if (SCRIPT_CUES.matcher(line).find()) {
                script++;
            }
            if (STRONG_SOURCE.matcher(line).find()) {
                strong++;
            } else if (MEDIUM_SOURCE.matcher(line).find()) {
                medium++;
            }
            char last = s.charAt(s.length() - 1);
            if (last == ';' || last == '{' || last == '}') {
                codeEndings++;
            }
        }
        if (script > 0 && strong == 0) {
            return FileType.SCRIPT;
        }
        if (strong > 0 || medium >= 2 || (nonEmpty >= 5 && codeEndings * 10 >= nonEmpty * 4)) {
            return FileType.SOURCE_CODE;
        }
        if ("csv".equals(ext) || "tsv".equals(ext) || isCsv(lines, lineCount)) {
            return FileType.CSV;
        }
        return FileType.TEXT;
    }

    private static String extension(String name) {
        if (name == null) {
            return null;
        }
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        String base = name.substring(slash + 1);
        int dot = base.lastIndexOf('.');
        if (dot < 0 || dot == base.length() - 1) {
            return null;
        }
        return base.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** At least two rows with the same nonzero count of one delimiter (outside quotes) on nearly every row. */
    private static boolean isCsv(String[] lines, int lineCount) {
        int rows = Math.min(lineCount, 50);
        if (rows < 2) {
            return false;
        }
        for (char delim : new char[] {',', ';', '\t', '|'}) {
            int first = -1;
            int same = 0;
            int considered = 0;
            for (int i = 0; i < rows; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                int c = countOutsideQuotes(lines[i], delim);
                considered++;
                if (first < 0) {
                    first = c;
                }
                if (c == first) {
                    same++;
                }
            }
            if (first >= 1 && considered >= 2 && same * 10 >= considered * 9) {
                return true;
            }
        }
        return false;
    }

    private static int countOutsideQuotes(String line, char delim) {
        int count = 0;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == delim && !quoted) {
                count++;
            }
        }
        return count;
    }

    /** A JSON (or newline-delimited JSON) grammar check over a sample that may be cut short. */
    private static final class JsonShape {
        private static final int VALUE = 0;
        private static final int KEY_OR_END = 1;
        private static final int KEY = 2;
        private static final int COLON = 3;
        private static final int COMMA_OR_END = 4;
        private static final int VALUE_OR_END = 5;

        static boolean valid(String s, boolean complete) {
            char[] stack = new char[256];
            int depth = 0;
            int state = VALUE;
            int i = 0;
            int n = s.length();
            boolean sawContainer = false;
            while (i < n) {
                char c = s.charAt(i);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    i++;
                    continue;
                }
                if (depth == 0 && sawContainer && state == COMMA_OR_END) {
                    state = VALUE; // next record of NDJSON
                }
                if (depth == 0 && state == VALUE && c != '{' && c != '[') {
                    return false;
                }
                switch (state) {
                    case VALUE, VALUE_OR_END -> {
                        if (state == VALUE_OR_END && c == ']') {
                            depth--;
                            i++;
                            state = COMMA_OR_END;
                            continue;
                        }
                        if (c == '{' || c == '[') {
                            if (depth == stack.length) {
                                return true; // deep enough to be sure it is JSON
                            }
                            stack[depth++] = c;
                            sawContainer = true;
                            state = c == '{' ? KEY_OR_END : VALUE_OR_END;
                            i++;
                        } else {
                            int end = scalarEnd(s, i);
                            if (end < 0) {
                                return false;
                            }
                            if (end > n) {
                                return !complete;
                            }
                            i = end;
                            state = COMMA_OR_END;
                        }
                    }
                    case KEY_OR_END, KEY -> {
                        if (state == KEY_OR_END && c == '}') {
                            depth--;
                            i++;
                            state = COMMA_OR_END;
                            continue;
                        }
                        if (c != '"') {
                            return false;
                        }
                        int end = stringEnd(s, i);
                        if (end < 0) {
                            return false;
                        }
                        if (end > n) {
                            return !complete;
                        }
                        i = end;
                        state = COLON;
                    }
                    case COLON -> {
                        if (c != ':') {
                            return false;
                        }
                        i++;
                        state = VALUE;
                    }
                    case COMMA_OR_END -> {
                        char top = stack[depth - 1];
                        if (c == ',') {
                            state = top == '{' ? KEY : VALUE;
                        } else if ((c == '}' && top == '{') || (c == ']' && top == '[')) {
                            depth--;
                        } else {
                            return false;
                        }
                        i++;
                    }
                    default -> {
                        return false;
                    }
                }
            }
            return sawContainer && (!complete || depth == 0);
        }

        /** Index after a scalar starting at i, n+1 when cut by the end, -1 when not a JSON scalar. */
        private static int scalarEnd(String s, int i) {
            char c = s.charAt(i);
            if (c == '"') {
                return stringEnd(s, i);
            }
            for (String lit : new String[] {"true", "false", "null"}) {
                if (c == lit.charAt(0)) {
                    int k = 0;
                    while (k < lit.length() && i + k < s.length()) {
                        if (s.charAt(i + k) != lit.charAt(k)) {
                            return -1;
                        }
                        k++;
                    }
                    return k < lit.length() ? s.length() + 1 : i + k;
                }
            }
            if (c == '-' || (c >= '0' && c <= '9')) {
                int j = i + 1;
                while (j < s.length() && "0123456789.eE+-".indexOf(s.charAt(j)) >= 0) {
                    j++;
                }
                return j == s.length() ? s.length() + 1 : j;
            }
            return -1;
        }

        private static int stringEnd(String s, int i) {
            for (int j = i + 1; j < s.length(); j++) {
                char c = s.charAt(j);
                if (c == '\\') {
                    j++;
                } else if (c == '"') {
                    return j + 1;
                } else if (c < 0x20) {
                    return -1; // raw control character: not JSON
                }
            }
            return s.length() + 1;
        }
    }

    // ---------------------------------------------------------------- bytes

    private static boolean startsWith(byte[] d, int o, int n, String ascii) {
        if (n < ascii.length() || o < 0 || o + ascii.length() > d.length) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (d[o + i] != (byte) ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int le16(byte[] d, int p) {
        if (p < 0 || p + 2 > d.length) {
            return 0;
        }
        return (d[p] & 0xff) | (d[p + 1] & 0xff) << 8;
    }

    private static int le32(byte[] d, int p) {
        if (p < 0 || p + 4 > d.length) {
            return 0;
        }
        return (d[p] & 0xff) | (d[p + 1] & 0xff) << 8 | (d[p + 2] & 0xff) << 16 | (d[p + 3] & 0xff) << 24;
    }

    private static int be32(byte[] d, int p) {
        if (p < 0 || p + 4 > d.length) {
            return 0;
        }
        return (d[p] & 0xff) << 24 | (d[p + 1] & 0xff) << 16 | (d[p + 2] & 0xff) << 8 | (d[p + 3] & 0xff);
    }
}
