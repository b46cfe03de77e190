package org.egressaudit.harness.attribution;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what the sampler needs from a proc file system, bounded, returning null / empty when the process is gone
 * (processes exit between any two reads; that is normal, not an error). The root is a parameter so tests can use
 * a fixture tree.
 */
final class ProcReader {
    /** Linux USER_HZ: /proc/<pid>/stat start times are in these ticks on every mainstream architecture. */
    private static final int CLOCK_TICKS = 100;
    private static final int MAX_SMALL_FILE = 16 * 1024;
    private static final int MAX_PASSWD = 256 * 1024;

    private final Path root;
    private final Instant bootTime;

    ProcReader(Path root) {
        this.root = root;
        this.bootTime = bootTime(root);
    }

    Path root() {
        return root;
    }

    /** Numeric entries of the proc root, at most {@code max}. */
    List<Integer> pids(int max) throws IOException {
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(root)) {
            for (Path p : d) {
                Integer pid = number(p.getFileName().toString());
                if (pid != null) {
                    if (out.size() >= max) {
                        break;
                    }
                    out.add(pid);
                }
            }
        }
        return out;
    }

    /** The target of {@code <pid>/ns/net} ("net:[4026532281]"), null when unreadable. */
    String netNamespace(int pid) {
        return link(root.resolve(pid + "/ns/net"));
    }

    String exeLink(int pid) {
        return link(root.resolve(pid + "/exe"));
    }

    /** Socket inodes among the process's open fds (at most {@code maxFds} fds looked at). */
    List<Long> socketInodes(int pid, int maxFds) {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(root.resolve(pid + "/fd"))) {
            int n = 0;
            for (Path fd : d) {
                if (++n > maxFds) {
                    break;
                }
                String t = link(fd);
                if (t != null && t.startsWith("socket:[") && t.endsWith("]")) {
                    try {
                        out.add(Long.parseLong(t.substring(8, t.length() - 1)));
                    } catch (NumberFormatException e) {
                        // not a socket link after all
                    }
                }
            }
        } catch (IOException | SecurityException e) {
            return List.of();
        }
        return out;
    }

    /** Thread ids of the process (entries of {@code <pid>/task}), at most {@code max}. */
    List<Integer> tasks(int pid, int max) {
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(root.resolve(pid + "/task"))) {
            for (Path p : d) {
                Integer tid = number(p.getFileName().toString());
                if (tid != null && out.size() < max) {
                    out.add(tid);
                }
            }
        } catch (IOException | SecurityException e) {
            return List.of();
        }
        return out;
    }

    /** The innermost namespace id of a thread ({@code NSpid} last field of its status), -1 when gone. */
    int namespaceTid(int pid, int tid) {
        String status = read(root.resolve(pid + "/task/" + tid + "/status"), MAX_SMALL_FILE);
        int[] ns = status == null ? null : nsPids(status);
        return ns == null ? -1 : ns[ns.length - 1];
    }

    /** Everything known about a process, null when it is gone. */
    ProcessInfo process(int hostPid) {
        String status = read(root.resolve(hostPid + "/status"), MAX_SMALL_FILE);
        if (status == null) {
            return null;
        }
        int[] ns = nsPids(status);
        int pid = ns == null ? hostPid : ns[ns.length - 1];
        int hostPpid = intField(status, "PPid:", 0);
        int ppid = -1;
        if (hostPpid == 0) {
            ppid = 0;
        } else if (ns != null) {
            String parent = read(root.resolve(hostPpid + "/status"), MAX_SMALL_FILE);
            int[] pns = parent == null ? null : nsPids(parent);
            // A parent outside the process's pid namespace shows as 0 inside it (docker exec's parent is the shim).
            ppid = pns == null ? -1 : pns.length < ns.length ? 0 : pns[pns.length - 1];
        }
        int uid = intField(status, "Uid:", 1); // effective uid: who the process acts as
        byte[] raw = readBytes(root.resolve(hostPid + "/cmdline"), ProcessInfo.MAX_CMDLINE + 1);
        String cmdline = null;
        boolean truncated = false;
        if (raw != null && raw.length > 0) {
            truncated = raw.length > ProcessInfo.MAX_CMDLINE;
            String s = new String(raw, 0, Math.min(raw.length, ProcessInfo.MAX_CMDLINE), StandardCharsets.UTF_8);
            cmdline = s.replace('\0', ' ').stripTrailing();
        }
        return new ProcessInfo(pid, hostPid, ppid, exeLink(hostPid), cmdline, truncated, uid,
                uid < 0 ? null : userName(hostPid, uid), startTime(hostPid));
    }

    /**
     * The name for a uid from the sandbox's own /etc/passwd, reached through {@code <pid>/root}. The sandbox controls
     * that file: a symlink there would resolve against the host's root, so links and non-regular files are refused.
     */
    String userName(int hostPid, int uid) {
        Path etc = root.resolve(hostPid + "/root/etc");
        Path passwd = etc.resolve("passwd");
        if (Files.isSymbolicLink(etc) || !Files.isRegularFile(passwd, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        String text;
        try (InputStream in = Files.newInputStream(passwd, LinkOption.NOFOLLOW_LINKS)) {
            text = new String(in.readNBytes(MAX_PASSWD), StandardCharsets.UTF_8);
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return null;
        }
        for (String line : text.split("\n")) {
            String[] f = line.split(":", 4);
            if (f.length >= 3 && f[2].equals(Integer.toString(uid)) && !f[0].isEmpty() && f[0].length() <= 64) {
                return f[0];
            }
        }
        return null;
    }

    private Instant startTime(int hostPid) {
        String stat = read(root.resolve(hostPid + "/stat"), MAX_SMALL_FILE);
        if (stat == null || bootTime == null) {
            return null;
        }
        // The command name (field 2) may contain spaces and ')': fields after the last ')' are fixed.
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return null;
        }
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        if (f.length < 20) {
            return null;
        }
        try {
            long ticks = Long.parseLong(f[19]); // field 22 overall: starttime
            return bootTime.plusMillis(ticks * 1000 / CLOCK_TICKS);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Instant bootTime(Path root) {
        String stat = read(root.resolve("stat"), 256 * 1024);
        if (stat != null) {
            for (String line : stat.split("\n")) {
                if (line.startsWith("btime ")) {
                    try {
                        return Instant.ofEpochSecond(Long.parseLong(line.substring(6).trim()));
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    static int[] nsPids(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("NSpid:")) {
                String[] f = line.substring(6).trim().split("\\s+");
                int[] out = new int[f.length];
                try {
                    for (int i = 0; i < f.length; i++) {
                        out[i] = Integer.parseInt(f[i]);
                    }
                } catch (NumberFormatException e) {
                    return null;
                }
                return f.length == 0 ? null : out;
            }
        }
        return null;
    }

    private static int intField(String status, String key, int index) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key)) {
                String[] f = line.substring(key.length()).trim().split("\\s+");
                try {
                    return index < f.length ? Integer.parseInt(f[index]) : -1;
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    static String read(Path p, int max) {
        byte[] b = readBytes(p, max);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(Path p, int max) {
        try (InputStream in = Files.newInputStream(p)) {
            return in.readNBytes(max);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    private static String link(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static Integer number(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return null;
            }
        }
        return Integer.parseInt(s);
    }
}
