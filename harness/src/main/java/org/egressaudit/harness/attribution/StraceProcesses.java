package org.egressaudit.harness.attribution;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which program a pid in an strace log was running at a given time. strace -f prints thread ids, so a thread's id
 * is first mapped to its process (from clone events with CLONE_THREAD when the trace has them, else from the
 * thread ids socket sampling saw); the program is the process's last successful execve at or before that time,
 * else its parent's at fork time (a forked child runs its parent's program until it execs).
 */
public final class StraceProcesses {
    private static final int MAX_DEPTH = 64;

    private record Parent(int pid, long nanos) {
    }

    private final Map<Integer, List<StraceNetworkParser.ExecEvent>> execs = new HashMap<>();
    private final Map<Integer, Integer> threadOf = new HashMap<>();
    private final Map<Integer, Parent> forkedFrom = new HashMap<>();
    private final Map<Integer, ProcessInfo> sampled;

    /**
     * @param sampledThreads thread id to process id as socket sampling saw them (may be empty)
     * @param sampled        processes socket sampling saw, by sandbox pid (may be empty), to fill in uid, user...
     */
    public StraceProcesses(StraceNetworkParser.Trace trace, Map<Integer, Integer> sampledThreads,
                           Map<Integer, ProcessInfo> sampled) {
        this.sampled = sampled;
        threadOf.putAll(sampledThreads);
        for (StraceNetworkParser.CloneEvent c : trace.clones()) {
            if (c.thread()) {
                threadOf.put(c.child(), c.parent());
            } else {
                forkedFrom.put(c.child(), new Parent(c.parent(), c.timeNanos()));
            }
        }
        for (StraceNetworkParser.ExecEvent e : trace.execs()) {
            execs.computeIfAbsent(e.pid(), k -> new ArrayList<>()).add(e);
        }
        execs.values().forEach(l -> l.sort((a, b) -> Long.compare(a.timeNanos(), b.timeNanos())));
    }

    /** The process a thread id belongs to (itself when it is a process, or unknown). */
    public int processOf(int tid) {
        int pid = tid;
        for (int i = 0; i < MAX_DEPTH; i++) {
            Integer up = threadOf.get(pid);
            if (up == null || up == pid) {
                return pid;
            }
            pid = up;
        }
        return pid;
    }

    /** The process a thread id belonged to at {@code nanos}, with program and arguments when the trace shows them. */
    public ProcessInfo at(int tid, long nanos) {
        int pid = processOf(tid);
        StraceNetworkParser.ExecEvent exec = null;
        int who = pid;
        long when = nanos;
        for (int i = 0; i < MAX_DEPTH && exec == null; i++) {
            exec = lastExec(who, when);
            if (exec == null) {
                Parent p = forkedFrom.get(who);
                if (p == null) {
                    break;
                }
                who = processOf(p.pid());
                when = p.nanos();
            }
        }
        Parent parent = forkedFrom.get(pid);
        int ppid = parent == null ? -1 : processOf(parent.pid());
        ProcessInfo info = exec == null
                ? new ProcessInfo(pid, -1, ppid, null, null, false, -1, null, null)
                : new ProcessInfo(pid, -1, ppid, exec.path(), ProcessInfo.bound(String.join(" ", exec.argv())),
                        exec.argvTruncated(), -1, null, null);
        ProcessInfo seen = sampled.get(pid);
        // Fill in from sampling only when it saw this same process (pids are not reused while one is alive).
        if (seen != null && (seen.started() == null || !seen.started().isAfter(instantOf(nanos)))
                && (info.exe() == null || seen.exe() == null || sameProgram(info, seen))) {
            return info.mergedWith(seen);
        }
        return info;
    }

    private static boolean sameProgram(ProcessInfo traced, ProcessInfo seen) {
        String a = traced.exe();
        String b = seen.exe().replace(" (deleted)", "");
        // execve's path may be a symlink to what /proc/<pid>/exe shows (python3 -> python3.11): compare names too.
        return a.equals(b) || traced.name().startsWith(seen.name()) || seen.name().startsWith(traced.name())
                || (seen.cmdline() != null && traced.cmdline() != null && !traced.cmdline().isEmpty()
                && seen.cmdline().startsWith(traced.cmdline().split(" ", 2)[0]));
    }

    private StraceNetworkParser.ExecEvent lastExec(int pid, long nanos) {
        List<StraceNetworkParser.ExecEvent> l = execs.get(pid);
        StraceNetworkParser.ExecEvent best = null;
        if (l != null) {
            for (StraceNetworkParser.ExecEvent e : l) {
                if (e.timeNanos() <= nanos) {
                    best = e;
                }
            }
        }
        return best;
    }

    static java.time.Instant instantOf(long nanos) {
        return java.time.Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
                Math.floorMod(nanos, 1_000_000_000L));
    }
}
