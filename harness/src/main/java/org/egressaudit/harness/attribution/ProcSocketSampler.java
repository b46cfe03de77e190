package org.egressaudit.harness.attribution;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Samples, from the host, which process in a sandbox holds which socket, every {@code interval} on its own thread
 * until closed.
 *
 * <p>Each sample reads the sandbox network namespace's socket tables ({@code /proc/<init>/net/tcp,tcp6,udp,udp6})
 * and the open fds of every process in that namespace. Membership is by network namespace (the target of
 * {@code /proc/<pid>/ns/net} equals the init process's), not by descent from the init pid: the harness starts the
 * agent with {@code docker exec}, whose host parent is the container runtime's shim, not the container's init.
 *
 * <p>Sampling sees sockets that live across a sample: a socket opened and closed between two samples (a
 * quick DNS query, a short HTTP request) is missed. strace ({@code agent.auditFiles}) is the exact source; this one
 * covers daemons strace does not follow and runs without slowing the agent down.
 *
 * <p>Everything the sandbox controls is bounded: observations, processes and fds per sample, thread ids, table
 * lines, command lines, the passwd file.
 */
public final class ProcSocketSampler implements AutoCloseable {
    /** Sampling interval unless told otherwise: a compromise between missed sockets and host CPU. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(40);
    private static final String[] TABLES = {"tcp", "tcp6", "udp", "udp6"};
    private static final int MAX_PROBLEMS = 50;

    /** Bounds on what one run can make the sampler hold or read. */
    public record Limits(int maxObservations, int maxProcesses, int maxFdsPerProcess, int maxThreads,
                         int maxProcEntries) {
        public static final Limits DEFAULT = new Limits(100_000, 4096, 4096, 100_000, 200_000);

        public Limits {
            if (maxObservations < 1 || maxProcesses < 1 || maxFdsPerProcess < 1 || maxThreads < 0
                    || maxProcEntries < 1) {
                throw new IllegalArgumentException("sampler limits must be positive: " + this);
            }
        }
    }

    /**
     * What sampling saw.
     *
     * @param owners          sockets and their processes, in the order first seen
     * @param processes       every process seen in the sandbox (latest view per pid), for filling in strace's gaps
     * @param threadProcess   sandbox thread id to sandbox process id, for threads other than the main one
     * @param truncated       true when {@code maxObservations} was reached and later sockets were not recorded
     * @param problems        why sampling was incomplete (unreadable tables, ...), bounded
     */
    public record Result(int initHostPid, Instant started, Instant stopped, Duration interval, long samples,
                         List<SocketOwner> owners, Map<Integer, ProcessInfo> processes,
                         Map<Integer, Integer> threadProcess, boolean truncated, List<String> problems) {
        public Result {
            owners = List.copyOf(owners);
            processes = Map.copyOf(processes);
            threadProcess = Map.copyOf(threadProcess);
            problems = List.copyOf(problems);
        }
    }

    private record OwnerKey(long inode, int hostPid, Endpoint remote) {
    }

    private record CachedProcess(String exe, ProcessInfo info) {
    }

    private final ProcReader proc;
    private final int initHostPid;
    private final Duration interval;
    private final Limits limits;
    private final Instant started;
    private final Object lock = new Object();
    private final Map<OwnerKey, SocketOwner> owners = new LinkedHashMap<>();
    private final Map<Integer, CachedProcess> processCache = new HashMap<>();
    private final Map<Integer, ProcessInfo> processes = new HashMap<>();
    private final Map<Integer, Integer> threadProcess = new HashMap<>();
    private final Map<Integer, Boolean> hostTidsSeen = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private long samples;
    private boolean truncated;
    private Instant stopped;
    private String namespace;

    private ProcSocketSampler(ProcReader proc, int initHostPid, Duration interval, Limits limits) {
        this.proc = proc;
        this.initHostPid = initHostPid;
        this.interval = interval;
        this.limits = limits;
        this.started = Instant.now();
        this.thread = new Thread(this::loop, "proc-socket-sampler-" + initHostPid);
        this.thread.setDaemon(true);
    }

    /**
     * Starts sampling the sandbox whose init process has host pid {@code initHostPid}.
     *
     * @throws IllegalArgumentException when that process does not exist or its network namespace is unreadable
     *                                  (not root, or not a Linux host)
     */
    public static ProcSocketSampler start(int initHostPid, Duration interval) {
        return start(Path.of("/proc"), initHostPid, interval, Limits.DEFAULT);
    }

    static ProcSocketSampler start(Path procRoot, int initHostPid, Duration interval, Limits limits) {
        ProcSocketSampler s = create(procRoot, initHostPid, interval, limits);
        s.thread.start();
        return s;
    }

    /** A sampler that samples only when {@link #sampleOnce()} is called (tests over a fixture tree). */
    static ProcSocketSampler create(Path procRoot, int initHostPid, Duration interval, Limits limits) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero() || interval.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("sampling interval must be between 1 ms and 10 s: " + interval);
        }
        if (initHostPid < 1) {
            throw new IllegalArgumentException("not a process id: " + initHostPid);
        }
        ProcReader reader = new ProcReader(procRoot);
        ProcSocketSampler s = new ProcSocketSampler(reader, initHostPid, interval, limits);
        s.namespace = reader.netNamespace(initHostPid);
        if (s.namespace == null) {
            throw new IllegalArgumentException("cannot read the network namespace of pid " + initHostPid + " under "
                    + procRoot + " (process gone, or the harness is not root)");
        }
        return s;
    }

    /** The sandbox pid 1's host pid this sampler watches. */
    public int initHostPid() {
        return initHostPid;
    }

    private void loop() {
        long next = System.nanoTime();
        while (running) {
            try {
                sampleOnce();
            } catch (RuntimeException e) {
                problem("sample failed: " + e);
            }
            next += interval.toNanos();
            long wait = next - System.nanoTime();
            if (wait < 0) {
                next = System.nanoTime(); // fell behind (a slow host): do not try to catch up in a burst
                continue;
            }
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One sample: the namespace's socket tables, then every member process's socket fds. */
    void sampleOnce() {
        Instant now = Instant.now();
        Map<Long, ProcNetTable.Entry> sockets = new HashMap<>();
        for (String t : TABLES) {
            String text = ProcReader.read(proc.root().resolve(initHostPid + "/net/" + t), 64 * 1024 * 1024);
            if (text == null) {
                if (!t.endsWith("6")) {
                    problem("cannot read /proc/" + initHostPid + "/net/" + t + " (sandbox gone?)");
                }
                continue;
            }
            for (ProcNetTable.Entry e : ProcNetTable.parse(t, text, this::problem)) {
                if (e.inode() != 0) {
                    sockets.put(e.inode(), e);
                }
            }
        }
        List<Integer> pids;
        try {
            pids = proc.pids(limits.maxProcEntries());
        } catch (IOException e) {
            problem("cannot list " + proc.root() + ": " + e.getMessage());
            return;
        }
        int members = 0;
        for (int hostPid : pids) {
            if (!namespace.equals(proc.netNamespace(hostPid))) {
                continue;
            }
            if (++members > limits.maxProcesses()) {
                problem("more than " + limits.maxProcesses() + " processes in the sandbox; the rest not sampled");
                break;
            }
            sampleProcess(hostPid, sockets, now);
        }
        synchronized (lock) {
            samples++;
        }
    }

    private void sampleProcess(int hostPid, Map<Long, ProcNetTable.Entry> sockets, Instant now) {
        ProcessInfo info = processInfo(hostPid);
        if (info == null) {
            return; // exited meanwhile
        }
        recordThreads(hostPid, info);
        for (long inode : proc.socketInodes(hostPid, limits.maxFdsPerProcess())) {
            ProcNetTable.Entry e = sockets.get(inode);
            if (e == null) {
                continue; // not an IP socket of this namespace (unix, netlink, or another namespace's)
            }
            OwnerKey key = new OwnerKey(inode, hostPid, e.remote());
            synchronized (lock) {
                SocketOwner known = owners.get(key);
                if (known != null) {
                    owners.put(key, known.seenAgain(now, e.state()));
                } else if (owners.size() >= limits.maxObservations()) {
                    truncated = true;
                } else {
                    owners.put(key, new SocketOwner(e.transport(), inode, e.local(), e.remote(), e.state(), info,
                            now, now));
                }
            }
        }
    }

    /** The process's info, re-read only when its program changed (exec) since last time. */
    private ProcessInfo processInfo(int hostPid) {
        String exe = proc.exeLink(hostPid);
        CachedProcess c;
        synchronized (lock) {
            c = processCache.get(hostPid);
        }
        if (c != null && Objects.equals(c.exe(), exe)) {
            return c.info();
        }
        ProcessInfo info = proc.process(hostPid);
        if (info == null) {
            return null;
        }
        synchronized (lock) {
            if (processCache.size() < limits.maxThreads()) {
                processCache.put(hostPid, new CachedProcess(exe, info));
                processes.put(info.pid(), info);
            }
        }
        return info;
    }

    /** Maps sandbox thread ids to their process, so a thread's pid in strace can be named. */
    private void recordThreads(int hostPid, ProcessInfo info) {
        for (int hostTid : proc.tasks(hostPid, 1024)) {
            if (hostTid == hostPid) {
                continue;
            }
            synchronized (lock) {
                if (hostTidsSeen.containsKey(hostTid) || hostTidsSeen.size() >= limits.maxThreads()) {
                    continue;
                }
                hostTidsSeen.put(hostTid, Boolean.TRUE);
            }
            int nsTid = info.pid() == hostPid ? hostTid : proc.namespaceTid(hostPid, hostTid);
            if (nsTid > 0) {
                synchronized (lock) {
                    threadProcess.put(nsTid, info.pid());
                }
            }
        }
    }

    private void problem(String p) {
        synchronized (lock) {
            if (problems.size() < MAX_PROBLEMS) {
                problems.add(p);
            } else if (problems.size() == MAX_PROBLEMS) {
                problems.add("(further problems not recorded)");
            }
        }
    }

    /** A snapshot of what was seen so far (complete once closed). */
    public Result result() {
        synchronized (lock) {
            return new Result(initHostPid, started, stopped, interval, samples, new ArrayList<>(owners.values()),
                    processes, threadProcess, truncated, problems);
        }
    }

    /** Stops sampling (waits for the sampling thread, at most a few seconds) and keeps what was seen. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        if (thread.isAlive()) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                problem("sampling thread did not stop within 5 s (a blocked /proc read); results may lag");
            }
        }
        synchronized (lock) {
            if (stopped == null) {
                stopped = Instant.now();
            }
        }
    }
}
