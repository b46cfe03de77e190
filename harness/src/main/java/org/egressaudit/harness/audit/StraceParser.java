package org.egressaudit.harness.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an {@code strace -f -ttt -e trace=open,openat,openat2} log: successful opens, with the calls strace split
 * in two when threads interleave ({@code <unfinished ...>} / {@code <... openat resumed>}) put back together.
 * Lines it does not understand are counted, never fatal: the trace is written by a process the agent could disturb.
 */
public final class StraceParser {
    /** Bounds what a hostile or runaway agent can make us hold. */
    public static final int MAX_ACCESSES = 200_000;
    private static final int MAX_LINE = 64 * 1024;

    private static final Pattern CALL = Pattern.compile(
            "^(\\d+)\\s+(\\d+)\\.(\\d{1,9})\\s+(open|openat|openat2)\\((.*)$");
    private static final Pattern RESUMED = Pattern.compile(
            "^(\\d+)\\s+(\\d+)\\.(\\d{1,9})\\s+<\\.\\.\\. (open|openat|openat2) resumed>(.*)$");
    private static final Pattern RESULT = Pattern.compile("\\)\\s+=\\s+(-?\\d+)");
    private static final Pattern PATH = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** What was read from one trace. */
    public record Trace(List<FileAccess> accesses, long unparsedLines, boolean truncated) {
    }

    private StraceParser() {
    }

    public static Trace parse(Path file) throws IOException {
        List<FileAccess> out = new ArrayList<>();
        Map<Integer, String[]> unfinished = new HashMap<>();
        long unparsed = 0;
        boolean truncated = false;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.length() > MAX_LINE) {
                    unparsed++;
                    continue;
                }
                Matcher m = CALL.matcher(line);
                Matcher res = RESUMED.matcher(line);
                String pidText;
                String seconds;
                String fraction;
                String args;
                if (m.matches()) {
                    pidText = m.group(1);
                    seconds = m.group(2);
                    fraction = m.group(3);
                    args = m.group(5);
                    if (args.endsWith("<unfinished ...>")) {
                        unfinished.put(Integer.parseInt(pidText), new String[] {seconds, fraction, args});
                        continue;
                    }
                } else if (res.matches()) {
                    String[] start = unfinished.remove(Integer.parseInt(res.group(1)));
                    if (start == null) {
                        unparsed++;
                        continue;
                    }
                    pidText = res.group(1);
                    seconds = start[0];
                    fraction = start[1];
                    args = start[2].replace("<unfinished ...>", "") + res.group(5);
                } else {
                    if (!line.contains("+++") && !line.contains("---")) {
                        unparsed++;
                    }
                    continue;
                }
                FileAccess a = access(Integer.parseInt(pidText), seconds, fraction, args);
                if (a == null) {
                    continue;
                }
                if (out.size() >= MAX_ACCESSES) {
                    truncated = true;
                    break;
                }
                out.add(a);
            }
        }
        return new Trace(out, unparsed, truncated);
    }

    private static FileAccess access(int pid, String seconds, String fraction, String args) {
        Matcher result = RESULT.matcher(args);
        String last = null;
        while (result.find()) {
            last = result.group(1);
        }
        if (last == null || last.startsWith("-")) {
            return null; // failed open: nothing was read
        }
        Matcher p = PATH.matcher(args);
        if (!p.find()) {
            return null;
        }
        String path = unescape(p.group(1));
        String flags = args.substring(p.end());
        boolean write = flags.contains("O_WRONLY") || flags.contains("O_RDWR") || flags.contains("O_CREAT");
        long nanos = Long.parseLong(seconds) * 1_000_000_000L
                + Long.parseLong((fraction + "000000000").substring(0, 9));
        return new FileAccess(nanos, pid, path, write);
    }

    /** strace escapes non-printable bytes as \\xHH (or \\n, \\t, \\", \\\\). */
    static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'x' -> {
                    if (i + 2 < s.length()) {
                        try {
                            sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                            i += 2;
                            break;
                        } catch (NumberFormatException e) {
                            // not an escape after all: keep the text as it is
                        }
                    }
                    sb.append("\\x");
                }
                default -> sb.append(n);
            }
        }
        return sb.toString();
    }
}
