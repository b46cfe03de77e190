package org.egressaudit.harness.vm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.exec.HostProcess;
import org.egressaudit.harness.network.DhcpLease;
import org.egressaudit.harness.network.DhcpResponder;
import org.egressaudit.harness.network.HostBridge;
import org.egressaudit.harness.run.Shell;
import org.egressaudit.harness.sandbox.ExecResult;
import org.egressaudit.harness.sandbox.Sandbox;
import org.egressaudit.harness.sandbox.SandboxException;
import org.egressaudit.harness.sandbox.SandboxProcess;

/**
 * A sandbox as a QEMU virtual machine on the run's own bridge. Every run boots a fresh copy-on-write overlay of the
 * configured disk (the base image is only ever QEMU's read-only backing file), answers the guest's DHCP on its tap
 * (the harness's gateway is its router and DNS server), and controls the guest through the QEMU guest agent: each
 * command runs in its own session ({@code setsid}) so a timed-out command is killed with all its children.
 *
 * <p>Commands are Linux/POSIX ({@code sh}, {@code setsid}, {@code mkdir}, {@code chmod}); a Windows guest needs the
 * same four behaviours from its image (see the README's Windows section).
 */
public final class VmSandbox implements Sandbox {
    private static final String QEMU = "qemu-system-x86_64";
    private static final Duration QMP_CONNECT = Duration.ofSeconds(15);
    private static final Duration LEASE_WAIT = Duration.ofSeconds(30);
    private static final Duration QUIT_WAIT = Duration.ofSeconds(10);
    private static final Duration LOG_COLLECT = Duration.ofSeconds(20);
    private static final String GUEST_LOG_DIR = "/var/log/egress-audit";
    /** Copying a folder into the guest: one file at a time over the agent channel, so keep it bounded. */
    static final int MAX_COPY_FILES = 20_000;
    static final long MAX_COPY_BYTES = 2L << 30;
    static final long MAX_COPY_OUT_BYTES = 512L << 20;

    private final HostBridge bridge;
    private final VmConfig config;
    private final Acceleration accel;
    private final Path workDir;
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, GuestProcess> processes = new ConcurrentHashMap<>();
    private final AtomicInteger processCounter = new AtomicInteger();
    private Path socketDir;
    private HostProcess qemu;
    private QmpClient qmp;
    private GuestAgentClient agent;
    private DhcpResponder dhcp;
    /** Boot-script control: the data disk carrying the script, null under guest-agent control. */
    private DataDisk bootDisk;
    private boolean started;
    private boolean closed;

    /** A started process; qemu-ga forgets a pid once it reported its exit, so the exit code is kept here. */
    private static final class GuestProcess {
        final long pid;
        final String guestLog;
        final Path hostLog;
        volatile Long exitCode;

        GuestProcess(long pid, String guestLog, Path hostLog) {
            this.pid = pid;
            this.guestLog = guestLog;
            this.hostLog = hostLog;
        }
    }

    /**
     * @param workDir the run's folder for VM evidence: overlay, serial console log, QEMU's own log, DHCP log
     */
    public VmSandbox(HostBridge bridge, VmConfig config, Acceleration accel, Path workDir) {
        this.bridge = Objects.requireNonNull(bridge, "bridge");
        this.config = Objects.requireNonNull(config, "config");
        this.accel = Objects.requireNonNull(accel, "accel");
        this.workDir = Objects.requireNonNull(workDir, "workDir");
    }

    /**
     * Drive the guest with a boot script on {@code disk} instead of the guest agent: the guest runs it at boot and
     * powers off; the harness then has no command channel (exec, copies and processes are refused).
     */
    public synchronized VmSandbox withBootScript(DataDisk disk) {
        if (started) {
            throw new IllegalStateException("already started");
        }
        this.bootDisk = disk;
        return this;
    }

    /** The boot-script data disk, when the guest is driven that way. */
    public java.util.Optional<DataDisk> bootDisk() {
        return java.util.Optional.ofNullable(bootDisk);
    }

    public Path overlay() {
        return workDir.resolve("overlay.qcow2");
    }

    public Path consoleLog() {
        return workDir.resolve("console.log");
    }

    public Path qemuLog() {
        return workDir.resolve("qemu.log");
    }

    public Path dhcpLog() {
        return workDir.resolve("dhcp.log");
    }

    /** The host side of the guest's NIC: where the capture sees every frame exactly as the guest sent it. */
    public String captureInterface() {
        return bridge.tapInterface();
    }

    /** What the run's report should say about this VM (acceleration, network configuration, shutdown). */
    public List<String> notes() {
        synchronized (notes) {
            return List.copyOf(notes);
        }
    }

    /**
     * Creates the overlay, starts DHCP and QEMU, and waits for the guest agent.
     *
     * @throws SandboxException naming the failing step, with the tail of the serial console when the guest did not
     *                          come up; nothing is left running
     */
    @Override
    public synchronized void start() {
        if (closed || started) {
            throw new IllegalStateException(closed ? "sandbox already closed" : "sandbox already started");
        }
        started = true;
        try {
            Files.createDirectories(workDir);
            socketDir = Files.createTempDirectory(Path.of(shortTempRoot()), "vm-");
            notes.add(accel.note());
            HostCommand.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", config.disk().toAbsolutePath().toString(),
                    "-F", config.format(), overlay().toString()).timeout(Duration.ofSeconds(60)).runChecked();
            dhcp = DhcpResponder.start(bridge.tapInterface(), DhcpLease.forBridge(bridge));
            Path qmpSocket = socketDir.resolve("qmp.sock");
            Path qgaSocket = socketDir.resolve("qga.sock");
            List<String> argv = bootDisk == null
                    ? QemuCommandLine.build(QEMU, "egress-audit-" + bridge.runId(), config, accel, overlay(),
                    bridge.tapInterface(), bridge.guestMac(), qmpSocket, qgaSocket, consoleLog())
                    // the script runs once and powers off: a reboot must end the VM, not run it again
                    : QemuCommandLine.build(QEMU, "egress-audit-" + bridge.runId(), config, accel, overlay(),
                    bridge.tapInterface(), bridge.guestMac(), qmpSocket, java.util.Optional.empty(), consoleLog(),
                    concat(bootDisk.qemuArguments(), List.of("-no-reboot")), BootScript.KERNEL_FLAG);
            Files.writeString(workDir.resolve("qemu.cmdline"), String.join(" ", argv.stream().map(Shell::quote)
                    .toList()) + "\n", StandardCharsets.UTF_8);
            qemu = HostProcess.start(argv, qemuLog(), config.maxLogBytes());
            qmp = connectQmp(qmpSocket);
            if (bootDisk == null) {
                agent = connectAgent(qgaSocket);
                awaitLease();
            } else {
                notes.add("boot-script control: the guest runs the run's script from its data disk and powers off");
            }
        } catch (RuntimeException | IOException e) {
            String why = e instanceof SandboxException ? e.getMessage() : "cannot start the virtual machine: "
                    + e.getMessage();
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new SandboxException(why, e);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * Boot-script control: waits until the guest powers off (the script's last step), at most {@code timeout};
     * true when it did. Also notes the DHCP lease, which under this control nobody waited for.
     */
    public boolean awaitPowerOff(Duration timeout) {
        if (qemu == null) {
            throw new IllegalStateException("sandbox not started");
        }
        boolean off = qemu.awaitExit(timeout);
        notes.add(dhcp.leasedAt().isPresent() ? "the guest took its DHCP lease: " + bridge.guestAddress()
                .getHostAddress() + "/" + bridge.prefixLength() : "the guest took no DHCP lease");
        return off;
    }

    /** Short: UNIX socket paths are limited to 107 bytes, and run folders can be deep. */
    private static String shortTempRoot() throws IOException {
        Path root = Path.of("/run/egress-audit");
        Files.createDirectories(root);
        return root.toString();
    }

    private QmpClient connectQmp(Path socket) {
        try {
            return QmpClient.connect(socket, QMP_CONNECT);
        } catch (RuntimeException e) {
            throw new SandboxException("QEMU did not start: " + e.getMessage() + diagnosis(), e);
        }
    }

    private GuestAgentClient connectAgent(Path socket) {
        try {
            GuestAgentClient c = GuestAgentClient.connect(socket, config.bootTimeout());
            notes.add("guest agent answered; guest OS: " + c.osName());
            return c;
        } catch (RuntimeException e) {
            throw new SandboxException("the guest did not come up: " + e.getMessage() + diagnosis(), e);
        }
    }

    /**
     * The agent may start before the guest's network is configured; wait (bounded) for the DHCP lease. A guest
     * configured statically never asks: that is noted, not fatal.
     */
    private void awaitLease() {
        long deadline = System.nanoTime() + LEASE_WAIT.toNanos();
        while (dhcp.leasedAt().isEmpty() && System.nanoTime() < deadline) {
            sleep(200);
        }
        if (dhcp.leasedAt().isEmpty()) {
            notes.add("the guest took no DHCP lease within " + LEASE_WAIT.toSeconds() + " s: it must be configured"
                    + " statically as " + bridge.guestAddress().getHostAddress() + "/" + bridge.prefixLength()
                    + " with router and DNS " + bridge.gateway().getHostAddress());
        } else {
            notes.add("the guest took its DHCP lease: " + bridge.guestAddress().getHostAddress() + "/"
                    + bridge.prefixLength() + ", router and DNS " + bridge.gateway().getHostAddress());
        }
    }

    /** QEMU's own complaints and the end of the guest's console, for errors. */
    private String diagnosis() {
        StringBuilder sb = new StringBuilder();
        if (qemu != null && !qemu.alive()) {
            sb.append("\nQEMU exited with code ").append(qemu.exitCode().orElse(-1));
        }
        tail(qemuLog(), 1500).ifPresent(t -> sb.append("\nQEMU log:\n").append(t));
        tail(consoleLog(), 2000).ifPresent(t -> sb.append("\nend of the serial console:\n").append(t));
        return sb.toString();
    }

    private static java.util.Optional<String> tail(Path file, int chars) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) == 0) {
                return java.util.Optional.empty();
            }
            byte[] all = Files.readAllBytes(file);
            int from = Math.max(0, all.length - chars);
            return java.util.Optional.of(new String(all, from, all.length - from, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    @Override
    public ExecResult exec(Duration timeout, String... command) {
        requireStarted();
        if (command.length == 0) {
            throw new IllegalArgumentException("empty command");
        }
        List<String> args = new ArrayList<>(List.of(command));
        long pid = agent.exec("setsid", args, List.of(), true);
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 20;
        while (true) {
            ExecStatus st = agent.execStatus(pid);
            if (st.exited()) {
                int code = st.exitCode() != null ? st.exitCode() : st.signal() != null ? 128 + st.signal() : -1;
                return new ExecResult(code, st.stdout(), st.stderr(), st.stdoutTruncated(), st.stderrTruncated(),
                        false);
            }
            if (System.nanoTime() > deadline) {
                killGroup(pid);
                return new ExecResult(-1, st.stdout(), st.stderr(), st.stdoutTruncated(), st.stderrTruncated(), true);
            }
            sleep(pause);
            pause = Math.min(250, pause * 2);
        }
    }

    /** setsid made the command a session and process group leader: kill the whole group. */
    private void killGroup(long pid) {
        try {
            agent.exec("kill", List.of("-KILL", "--", "-" + pid), List.of(), false);
        } catch (RuntimeException e) {
            notes.add("could not kill timed-out guest command " + pid + ": " + e.getMessage());
        }
    }

    @Override
    public void copyIn(Path hostPath, String guestPath) {
        requireStarted();
        if (!Files.exists(hostPath)) {
            throw new IllegalArgumentException("no such file to copy into the sandbox: " + hostPath);
        }
        if (guestPath == null || !guestPath.startsWith("/") || guestPath.contains("\0")) {
            throw new IllegalArgumentException("guest path must be absolute: " + guestPath);
        }
        try {
            if (Files.isDirectory(hostPath)) {
                copyTree(hostPath, guestPath);
            } else {
                guestCommand("mkdir", "-p", parent(guestPath));
                writeFile(hostPath, guestPath);
                guestCommand("chmod", modeOf(hostPath), guestPath);
            }
        } catch (IOException | RuntimeException e) {
            throw new SandboxException("cannot copy " + hostPath + " to " + guestPath + ": " + e.getMessage(), e);
        }
    }

    /** Folders are created in one command, files written one by one, modes set in one command per mode. */
    private void copyTree(Path root, String guestRoot) throws IOException {
        List<String> dirs = new ArrayList<>();
        Map<Path, String> files = new LinkedHashMap<>();
        long bytes = 0;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = root.relativize(p).toString();
                String target = rel.isEmpty() ? guestRoot : guestRoot + "/" + rel;
                if (Files.isSymbolicLink(p)) {
                    throw new IOException("symbolic link " + p + " cannot be copied into a VM (copy its target)");
                } else if (Files.isDirectory(p)) {
                    dirs.add(target);
                } else {
                    files.put(p, target);
                    bytes += Files.size(p);
                }
                if (files.size() > MAX_COPY_FILES || bytes > MAX_COPY_BYTES) {
                    throw new IOException("more than " + MAX_COPY_FILES + " files or " + (MAX_COPY_BYTES >> 20)
                            + " MiB under " + root + ": too much to copy file by file into a VM");
                }
            }
        }
        for (int i = 0; i < dirs.size(); i += 200) {
            List<String> argv = new ArrayList<>(List.of("mkdir", "-p"));
            argv.addAll(dirs.subList(i, Math.min(dirs.size(), i + 200)));
            guestCommand(argv.toArray(String[]::new));
        }
        Map<String, List<String>> byMode = new TreeMap<>();
        for (Map.Entry<Path, String> f : files.entrySet()) {
            writeFile(f.getKey(), f.getValue());
            byMode.computeIfAbsent(modeOf(f.getKey()), m -> new ArrayList<>()).add(f.getValue());
        }
        for (Map.Entry<String, List<String>> m : byMode.entrySet()) {
            List<String> targets = m.getValue();
            for (int i = 0; i < targets.size(); i += 200) {
                List<String> argv = new ArrayList<>(List.of("chmod", m.getKey()));
                argv.addAll(targets.subList(i, Math.min(targets.size(), i + 200)));
                guestCommand(argv.toArray(String[]::new));
            }
        }
    }

    private void writeFile(Path host, String guest) throws IOException {
        try (InputStream in = Files.newInputStream(host)) {
            agent.writeFile(guest, in);
        }
    }

    private void guestCommand(String... argv) {
        ExecResult r = exec(Duration.ofMinutes(2), argv);
        if (!r.succeeded()) {
            throw new SandboxException("guest command failed (exit " + r.exitCode() + "): " + String.join(" ", argv)
                    + " " + r.stderrText().strip());
        }
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /** The host file's permission bits (at least owner-readable), as chmod's octal argument. */
    static String modeOf(Path p) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
        int mode = 0;
        for (PosixFilePermission perm : perms) {
            mode |= 1 << (8 - perm.ordinal());
        }
        return String.format("%04o", mode | 0400);
    }

    @Override
    public void copyOut(String guestPath, Path hostPath) {
        requireStarted();
        try (OutputStream out = Files.newOutputStream(hostPath)) {
            agent.readFile(guestPath, out, MAX_COPY_OUT_BYTES);
        } catch (IOException | RuntimeException e) {
            throw new SandboxException("cannot copy " + guestPath + " out of the sandbox: " + e.getMessage(), e);
        }
    }

    @Override
    public SandboxProcess startProcess(String shellCommand, Path logFile) {
        requireStarted();
        Objects.requireNonNull(shellCommand, "shellCommand");
        int n = processCounter.incrementAndGet();
        String guestLog = GUEST_LOG_DIR + "/process-" + n + ".log";
        guestCommand("mkdir", "-p", GUEST_LOG_DIR);
        // The log lives in the guest and is fetched when the process ends and when the VM stops.
        String wrapped = "exec >" + guestLog + " 2>&1; " + shellCommand;
        long pid = agent.exec("setsid", List.of("sh", "-c", wrapped), List.of(), false);
        String id = "vm-" + pid;
        processes.put(id, new GuestProcess(pid, guestLog, logFile));
        return new SandboxProcess(id, shellCommand, logFile);
    }

    @Override
    public boolean isRunning(SandboxProcess process) {
        return exitCode(process).isEmpty();
    }

    @Override
    public OptionalLong exitCode(SandboxProcess process) {
        requireStarted();
        GuestProcess p = processes.get(process.id());
        if (p == null) {
            throw new IllegalArgumentException("not a process of this sandbox: " + process.id());
        }
        if (p.exitCode != null) {
            return OptionalLong.of(p.exitCode);
        }
        ExecStatus st;
        try {
            st = agent.execStatus(p.pid);
        } catch (RuntimeException e) {
            if (qemu != null && !qemu.alive()) {
                notes.add("the virtual machine stopped while the agent ran (QEMU exit code "
                        + qemu.exitCode().orElse(-1) + ")");
                p.exitCode = -1L;
                return OptionalLong.of(-1);
            }
            throw e;
        }
        if (!st.exited()) {
            return OptionalLong.empty();
        }
        p.exitCode = (long) (st.exitCode() != null ? st.exitCode() : st.signal() != null ? 128 + st.signal() : -1);
        return OptionalLong.of(p.exitCode);
    }

    /** Fetches every started process's guest log into its host log file (bounded), best effort. */
    private void collectLogs() {
        if (agent == null) {
            return;
        }
        long deadline = System.nanoTime() + LOG_COLLECT.toNanos();
        for (GuestProcess p : processes.values()) {
            if (System.nanoTime() > deadline) {
                notes.add("guest logs not all collected within " + LOG_COLLECT.toSeconds() + " s");
                return;
            }
            try (OutputStream out = Files.newOutputStream(p.hostLog)) {
                long n = agent.readFile(p.guestLog, out, config.maxLogBytes());
                if (n >= config.maxLogBytes()) {
                    notes.add("agent log truncated at " + config.maxLogBytes() + " bytes");
                }
            } catch (IOException | RuntimeException e) {
                notes.add("cannot fetch " + p.guestLog + " from the guest: " + e.getMessage());
            }
        }
    }

    /**
     * Powers the guest off: ACPI power button and a grace period (an agent may send a last report on shutdown),
     * then QMP quit, then the QEMU process is killed.
     */
    @Override
    public synchronized void stop() {
        if (qemu == null || !qemu.alive()) {
            return;
        }
        collectLogs();
        if (!config.shutdownGrace().isZero() && qmp != null) {
            try {
                qmp.powerdown();
                if (qemu.awaitExit(config.shutdownGrace()) || qmp.shutdownSeen()) {
                    notes.add("the guest powered off after the ACPI power button");
                } else {
                    notes.add("the guest did not power off within " + config.shutdownGrace().toSeconds()
                            + " s of the ACPI power button; QEMU was told to quit");
                }
            } catch (RuntimeException e) {
                notes.add("ACPI power-off failed: " + e.getMessage());
            }
        }
        if (qemu.alive() && qmp != null) {
            try {
                qmp.quit();
            } catch (RuntimeException e) {
                // QEMU may close the socket before answering; the process check below decides
            }
            qemu.awaitExit(QUIT_WAIT);
        }
        if (qemu.alive()) {
            notes.add("QEMU did not quit; killed");
        }
        qemu.kill();
    }

    /** Stops the VM and removes the overlay, sockets and DHCP responder. Idempotent; safe after a failed start. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> failures = new ArrayList<>();
        try {
            stop();
        } catch (RuntimeException e) {
            failures.add("stop: " + e.getMessage());
        }
        for (AutoCloseable c : new AutoCloseable[] {agent, qmp, qemu}) {
            closeInto(c, failures);
        }
        if (dhcp != null) {
            writeDhcpLog();
            closeInto(dhcp, failures);
        }
        try {
            Files.deleteIfExists(overlay());
        } catch (IOException e) {
            failures.add("cannot delete the overlay " + overlay() + ": " + e.getMessage());
        }
        if (socketDir != null) {
            try (Stream<Path> s = Files.list(socketDir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.deleteIfExists(p);
                }
                Files.deleteIfExists(socketDir);
            } catch (IOException e) {
                failures.add("cannot delete " + socketDir + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new SandboxException("cannot clean up the virtual machine: " + String.join("; ", failures));
        }
    }

    private void writeDhcpLog() {
        try {
            Files.write(dhcpLog(), dhcp.events(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            notes.add("cannot write " + dhcpLog() + ": " + e.getMessage());
        }
    }

    private static void closeInto(AutoCloseable c, List<String> failures) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            failures.add(e.getMessage());
        }
    }

    private void requireStarted() {
        if (bootDisk != null) {
            throw new IllegalStateException("boot-script control has no command channel into the guest");
        }
        if (!started || closed || agent == null) {
            throw new IllegalStateException("sandbox not running");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted");
        }
    }
}
