package org.egressaudit.harness.attribution;

import java.time.Instant;

/**
 * A process in the sandbox, as far as it is known. Sources differ in what they know: socket sampling reads /proc
 * (everything), strace knows only pid, program and arguments (strace shortens long arguments), so unknown fields are
 * -1 or null.
 *
 * @param pid              process id as seen inside the sandbox (strace's pid, /proc's NSpid last field)
 * @param hostPid          process id on the host, -1 when unknown
 * @param ppid             parent pid inside the sandbox, -1 when unknown
 * @param exe              program path inside the sandbox, null when unknown
 * @param cmdline          arguments joined by spaces, bounded; null when unknown
 * @param cmdlineTruncated true when cmdline was cut (our bound, or strace's string limit)
 * @param uid              real uid, -1 when unknown
 * @param user             user name from the sandbox's /etc/passwd, null when unknown or not listed
 * @param started          process start time, null when unknown
 */
public record ProcessInfo(int pid, int hostPid, int ppid, String exe, String cmdline, boolean cmdlineTruncated,
                          int uid, String user, Instant started) {
    /** Upper bound on the command line kept, in characters. */
    public static final int MAX_CMDLINE = 4096;

    /** The name people know the process by: the program's file name, else the first word of its command line. */
    public String name() {
        String s = exe != null ? exe : cmdline != null ? cmdline.split(" ", 2)[0] : null;
        if (s == null || s.isEmpty()) {
            return "process";
        }
        int slash = s.lastIndexOf('/');
        return slash >= 0 && slash + 1 < s.length() ? s.substring(slash + 1) : s;
    }

    /** Fills this record's unknown fields from another view of the same process. */
    public ProcessInfo mergedWith(ProcessInfo other) {
        if (other == null) {
            return this;
        }
        boolean useOtherCmdline = cmdline == null || (cmdlineTruncated && other.cmdline != null
                && !other.cmdlineTruncated);
        return new ProcessInfo(pid, hostPid >= 0 ? hostPid : other.hostPid, ppid >= 0 ? ppid : other.ppid,
                exe != null ? exe : other.exe, useOtherCmdline ? other.cmdline : cmdline,
                useOtherCmdline ? other.cmdlineTruncated : cmdlineTruncated, uid >= 0 ? uid : other.uid,
                user != null ? user : other.user, started != null ? started : other.started);
    }

    /** Bounds a command line to {@link #MAX_CMDLINE} characters. */
    static String bound(String s) {
        return s.length() <= MAX_CMDLINE ? s : s.substring(0, MAX_CMDLINE);
    }
}
