package org.egressaudit.harness.attribution;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntUnaryOperator;
import org.egressaudit.analyzers.engine.Finding;
import org.egressaudit.harness.audit.FileActivity;

/**
 * What one process did with planted data: which planted files it read (file-activity audit) and what matching
 * content left over its connections (findings). Rendered as e.g. "clamsubmit (pid 812) read
 * /home/user/Documents/x.exe, then connected to www.clamav.net:443 and sent 61 KB matching it".
 *
 * @param process  the process
 * @param reads    planted files the process opened, in time order (corpus names, no leading '/')
 * @param findings findings on connections attributed to the process, in time order
 * @param sentences one sentence per planted file (or other finding) and destination
 */
public record ProcessStory(ProcessInfo process, List<String> reads, List<Finding> findings, List<String> sentences) {
    private static final int MAX_FILES_NAMED = 5;

    public ProcessStory {
        reads = List.copyOf(reads);
        findings = List.copyOf(findings);
        sentences = List.copyOf(sentences);
    }

    private record Key(int pid, String exe) {
    }

    /**
     * One story per process that had findings on its connections.
     *
     * @param connections  attributions of the analysis's connections
     * @param reads        planted reads ({@link FileActivity#plantedReads}); their pids are strace thread ids
     * @param processOfTid maps a thread id to its process id (identity when there is no strace view)
     */
    public static List<ProcessStory> of(List<Attribution> connections, List<Finding> findings,
                                        List<FileActivity.PlantedRead> reads, IntUnaryOperator processOfTid) {
        Map<String, ProcessInfo> byFlow = new HashMap<>();
        for (Attribution a : connections) {
            a.process().ifPresent(p -> byFlow.putIfAbsent(a.flow(), p));
        }
        Map<Key, ProcessInfo> processes = new LinkedHashMap<>();
        Map<Key, List<Finding>> found = new LinkedHashMap<>();
        List<Finding> sorted = new ArrayList<>(findings);
        sorted.sort((x, y) -> Long.compare(x.firstNanos(), y.firstNanos()));
        for (Finding f : sorted) {
            ProcessInfo p = f.flow() == null ? null : byFlow.get(f.flow());
            if (p == null) {
                continue;
            }
            Key k = new Key(p.pid(), p.exe());
            processes.putIfAbsent(k, p);
            found.computeIfAbsent(k, x -> new ArrayList<>()).add(f);
        }
        List<ProcessStory> out = new ArrayList<>();
        for (Map.Entry<Key, List<Finding>> e : found.entrySet()) {
            ProcessInfo p = processes.get(e.getKey());
            List<String> read = new ArrayList<>();
            for (FileActivity.PlantedRead r : reads) {
                if (processOfTid.applyAsInt(r.access().pid()) == p.pid() && !read.contains(r.plantedFile())) {
                    read.add(r.plantedFile());
                }
            }
            out.add(new ProcessStory(p, read, e.getValue(), sentences(p, read, e.getValue())));
        }
        return out;
    }

    private record Sent(String what, String destination) {
    }

    private static List<String> sentences(ProcessInfo p, List<String> read, List<Finding> findings) {
        Map<Sent, long[]> bytes = new LinkedHashMap<>();
        for (Finding f : findings) {
            String what = f.plantedFile() != null ? containerOf(f.plantedFile()) : "#" + f.kind().id();
            bytes.computeIfAbsent(new Sent(what, destination(f)), k -> new long[1])[0] += f.bytes();
        }
        String who = p.name() + " (pid " + p.pid() + (p.user() != null ? ", user " + p.user() : "") + ")";
        List<String> out = new ArrayList<>();
        for (Map.Entry<Sent, long[]> e : bytes.entrySet()) {
            String what = e.getKey().what();
            String size = size(e.getValue()[0]);
            String to = e.getKey().destination();
            if (what.startsWith("#")) {
                out.add(String.format(Locale.ROOT, "%s connected to %s and sent %s flagged as %s", who, to, size,
                        what.substring(1)));
            } else if (read.contains(what)) {
                out.add(String.format(Locale.ROOT, "%s read /%s, then connected to %s and sent %s matching it",
                        who, what, to, size));
            } else {
                out.add(String.format(Locale.ROOT, "%s connected to %s and sent %s matching /%s%s", who, to, size,
                        what, read.isEmpty() ? " (its reading the file was not seen)"
                                : " (it read " + names(read) + "; its reading this file was not seen)"));
            }
        }
        return out;
    }

    /** A member of a planted archive or document was read as its container file. */
    private static String containerOf(String planted) {
        int bang = planted.indexOf("!/");
        return bang >= 0 ? planted.substring(0, bang) : planted;
    }

    private static String names(List<String> files) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < files.size() && i < MAX_FILES_NAMED; i++) {
            sb.append(i == 0 ? "" : ", ").append('/').append(files.get(i));
        }
        if (files.size() > MAX_FILES_NAMED) {
            sb.append(" and ").append(files.size() - MAX_FILES_NAMED).append(" more");
        }
        return sb.toString();
    }

    /** The finding's destination name with the flow's server port ("www.clamav.net:443"). */
    static String destination(Finding f) {
        int port = -1;
        try {
            port = FlowText.parse(f.flow()).server().port();
        } catch (IllegalArgumentException e) {
            // a per-destination finding without a readable flow: the name alone
        }
        String d = Objects.requireNonNullElse(f.destination(), "?");
        if (d.indexOf(':') >= 0 && d.indexOf(':') == d.lastIndexOf(':')) {
            return d; // already host:port
        }
        if (d.indexOf(':') >= 0) {
            d = "[" + d + "]";
        }
        return port < 0 ? d : d + ":" + port;
    }

    /** Decimal units, as people read them: 999 bytes, 61 KB, 2.1 MB. */
    static String size(long n) {
        if (n < 1000) {
            return String.format(Locale.ROOT, "%,d bytes", n);
        }
        if (n < 1_000_000) {
            return String.format(Locale.ROOT, "%.0f KB", n / 1e3);
        }
        if (n < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1f MB", n / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f GB", n / 1e9);
    }
}
