package org.egressaudit.harness.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import org.egressaudit.harness.exec.TailBuffer;
import org.egressaudit.harness.network.RunNetwork;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A sandbox as a Docker container from a local image, attached only to the run's internal network, idling on
 * {@code sleep infinity} (under docker-init, which reaps orphans) while the harness execs into it.
 *
 * <p>DNS: the container's resolver is the run's gateway twice over. HostConfig DNS makes Docker's embedded
 * resolver (127.0.0.11) forward there, and /etc/resolv.conf is rewritten to {@code nameserver <gateway>} after
 * start so the agent talks to the harness DNS directly; otherwise the embedded resolver could forward to the
 * host's own resolvers, a leak.
 */
public final class ContainerSandbox implements Sandbox {
    public static final int OUTPUT_LIMIT = 1 << 20;
    private static final long EXIT_CODE_WAIT_MILLIS = 5000;

    private final RunNetwork network;
    private final SandboxConfig config;
    private final Map<String, LogFileCallback> processes = new ConcurrentHashMap<>();
    private GenericContainer<?> container;
    private String containerId;
    private String hostInterface;
    private boolean closed;

    public ContainerSandbox(RunNetwork network, SandboxConfig config) {
        this.network = Objects.requireNonNull(network, "network");
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * @throws SandboxException when the image is not present locally (it is never pulled), or the container does
     *                          not start; nothing is left behind
     */
    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("sandbox already closed");
        }
        if (container != null) {
            throw new IllegalStateException("sandbox already started");
        }
        TestcontainersSettings.requireOffline();
        DockerClient docker = docker();
        try {
            docker.inspectImageCmd(config.image()).exec();
        } catch (NotFoundException e) {
            throw new SandboxException("image " + config.image()
                    + " not found locally: run `egress-audit images build` (images are never pulled)", e);
        }
        String gateway = network.gateway().getHostAddress();
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(config.image()))
                .withImagePullPolicy(name -> false)
                .withNetwork(network.testcontainersNetwork())
                .withCommand("sleep", "infinity")
                .withLabels(network.labels())
                .withStartupTimeout(config.startupTimeout())
                .withCreateContainerCmdModifier(cmd -> {
                    HostConfig hc = cmd.getHostConfig() == null ? HostConfig.newHostConfig() : cmd.getHostConfig();
                    hc.withDns(gateway)
                            .withDnsSearch(List.of())
                            .withMemory(config.memoryBytes())
                            .withMemorySwap(config.memoryBytes()) // no swap beyond the memory limit
                            .withPidsLimit(config.pidsLimit())
                            .withNanoCPUs((long) (config.cpus() * 1_000_000_000L))
                            .withInit(true)
                            .withSecurityOpts(List.of("no-new-privileges"))
                            // IPv4 only: ip6tables drops IPv6 anyway; this keeps the kernel's own MLD and router
                            // solicitations out of the capture and the report.
                            .withSysctls(java.util.Map.of("net.ipv6.conf.all.disable_ipv6", "1",
                                    "net.ipv6.conf.default.disable_ipv6", "1"));
                    if (config.netAdmin()) {
                        hc.withCapAdd(Capability.NET_ADMIN);
                    }
                    cmd.withHostConfig(hc).withHostName("sandbox-" + network.runId().replace('.', '-')
                            .replace('_', '-'));
                });
        container = c;
        try {
            c.start();
            containerId = c.getContainerId();
            ExecResult r = exec(Duration.ofSeconds(30), "sh", "-c",
                    "printf 'nameserver %s\\n' \"$1\" > /etc/resolv.conf", "sh", gateway);
            if (!r.succeeded()) {
                throw new SandboxException("cannot point /etc/resolv.conf at " + gateway + ": exit " + r.exitCode()
                        + " " + r.stderrText().strip());
            }
            hostInterface = findHostInterface();
            Ipv6Off.on(hostInterface);
        } catch (RuntimeException e) {
            containerId = containerId != null ? containerId : c.getContainerId();
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof SandboxException s) {
                throw s;
            }
            throw new SandboxException("cannot start sandbox from " + config.image() + ": " + rootMessage(e), e);
        }
    }

    /** Host pid of the container's init process: the handle on its network namespace (nsenter, /proc). */
    public long initPid() {
        requireStarted();
        Long pid = docker().inspectContainerCmd(containerId).exec().getState().getPidLong();
        if (pid == null || pid <= 0) {
            throw new SandboxException("the sandbox container " + containerId + " has no running init process");
        }
        return pid;
    }

    /** The container's IPv4 address on the run network. */
    public String ipAddress() {
        requireStarted();
        var networks = docker().inspectContainerCmd(containerId).exec().getNetworkSettings().getNetworks();
        var n = networks == null ? null : networks.get(network.name());
        if (n == null || n.getIpAddress() == null || n.getIpAddress().isBlank()) {
            throw new SandboxException("the sandbox container has no address on " + network.name());
        }
        return n.getIpAddress();
    }

    /** Docker container id; available after {@link #start()}. */
    public String containerId() {
        requireStarted();
        return containerId;
    }

    /**
     * Host side of the container's veth pair: where to capture. On the bridge itself, with br_netfilter on (Docker
     * turns it on), frames from containers are seen after the REDIRECT rewrote their destination, so the
     * addresses the agent dialled are lost; the veth sees every frame exactly as the container sent it.
     */
    public String hostInterface() {
        requireStarted();
        return hostInterface;
    }

    /** Looked up once, right after start and before any agent runs, from eth0's peer index. */
    private String findHostInterface() {
        ExecResult r = exec(Duration.ofSeconds(15), "cat", "/sys/class/net/eth0/iflink");
        int peer;
        try {
            peer = Integer.parseInt(r.stdoutText().strip());
        } catch (NumberFormatException e) {
            throw new SandboxException("cannot read the container's eth0 link index: " + r.stdoutText()
                    + r.stderrText());
        }
        try (var dirs = Files.list(Path.of("/sys/class/net"))) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                Path idx = d.resolve("ifindex");
                if (Files.isReadable(idx) && Files.readString(idx).strip().equals(Integer.toString(peer))) {
                    return d.getFileName().toString();
                }
            }
        } catch (IOException e) {
            throw new SandboxException("cannot list host interfaces: " + e.getMessage(), e);
        }
        throw new SandboxException("no host interface with index " + peer + " (the container's veth peer);"
                + " is the Docker engine on this machine?");
    }

    @Override
    public ExecResult exec(Duration timeout, String... command) {
        requireStarted();
        if (command.length == 0) {
            throw new IllegalArgumentException("empty command");
        }
        DockerClient docker = docker();
        String execId = docker.execCreateCmd(containerId).withCmd(command).withAttachStdout(true)
                .withAttachStderr(true).exec().getId();
        TailBuffer out = new TailBuffer(OUTPUT_LIMIT);
        TailBuffer err = new TailBuffer(OUTPUT_LIMIT);
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                byte[] p = frame.getPayload();
                if (p == null) {
                    return;
                }
                switch (frame.getStreamType()) {
                    case STDERR -> err.write(p, 0, p.length);
                    default -> out.write(p, 0, p.length);
                }
            }
        };
        docker.execStartCmd(execId).exec(callback);
        boolean finished;
        try {
            finished = callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        if (!finished) {
            kill(execId);
            closeQuietly(callback);
            return new ExecResult(-1, out.toByteArray(), err.toByteArray(), out.truncated(), err.truncated(), true);
        }
        Long code = waitForExitCode(execId);
        return new ExecResult(code == null ? -1 : code.intValue(), out.toByteArray(), err.toByteArray(),
                out.truncated(), err.truncated(), false);
    }

    @Override
    public void copyIn(Path hostPath, String containerPath) {
        requireStarted();
        if (!Files.exists(hostPath)) {
            throw new IllegalArgumentException("no such file to copy into the sandbox: " + hostPath);
        }
        if (containerPath == null || !containerPath.startsWith("/") || containerPath.contains("\0")) {
            throw new IllegalArgumentException("container path must be absolute: " + containerPath);
        }
        try {
            container.copyFileToContainer(MountableFile.forHostPath(hostPath), containerPath);
        } catch (RuntimeException e) {
            throw new SandboxException("cannot copy " + hostPath + " to " + containerPath + ": " + rootMessage(e), e);
        }
    }

    @Override
    public void copyOut(String containerPath, Path hostPath) {
        requireStarted();
        try {
            container.copyFileFromContainer(containerPath, hostPath.toString());
        } catch (RuntimeException e) {
            throw new SandboxException("cannot copy " + containerPath + " out of the sandbox: " + rootMessage(e), e);
        }
    }

    @Override
    public SandboxProcess startProcess(String shellCommand, Path logFile) {
        requireStarted();
        Objects.requireNonNull(shellCommand, "shellCommand");
        DockerClient docker = docker();
        LogFileCallback log;
        try {
            log = new LogFileCallback(logFile, config.maxLogBytes());
        } catch (IOException e) {
            throw new SandboxException("cannot write process log " + logFile + ": " + e.getMessage(), e);
        }
        String execId;
        try {
            execId = docker.execCreateCmd(containerId).withCmd("sh", "-c", shellCommand).withAttachStdout(true)
                    .withAttachStderr(true).exec().getId();
            docker.execStartCmd(execId).exec(log);
        } catch (RuntimeException e) {
            closeQuietly(log);
            throw new SandboxException("cannot start `" + shellCommand + "` in the sandbox: " + rootMessage(e), e);
        }
        processes.put(execId, log);
        awaitStarted(execId);
        return new SandboxProcess(execId, shellCommand, logFile);
    }

    @Override
    public boolean isRunning(SandboxProcess process) {
        requireStarted();
        try {
            return Boolean.TRUE.equals(docker().inspectExecCmd(process.id()).exec().isRunning());
        } catch (NotFoundException e) {
            return false; // the container is gone
        }
    }

    @Override
    public OptionalLong exitCode(SandboxProcess process) {
        requireStarted();
        try {
            InspectExecResponse r = docker().inspectExecCmd(process.id()).exec();
            if (Boolean.TRUE.equals(r.isRunning()) || r.getExitCodeLong() == null) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(r.getExitCodeLong());
        } catch (NotFoundException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public synchronized void stop() {
        if (container != null && container.isRunning()) {
            docker().stopContainerCmd(containerId).withTimeout(5).exec();
        }
        closeProcessLogs();
    }

    /** Removes the container (and with it every process in it). Idempotent; safe after a failed start. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeProcessLogs();
        List<String> failures = new ArrayList<>();
        if (container != null) {
            try {
                container.stop(); // Testcontainers removes the container and its volumes
            } catch (RuntimeException e) {
                failures.add(rootMessage(e));
            }
        }
        if (containerId != null) {
            try {
                docker().removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
            } catch (NotFoundException alreadyGone) {
                failures.clear();
            } catch (RuntimeException e) {
                failures.add(rootMessage(e));
            }
            if (!failures.isEmpty()) {
                throw new SandboxException("cannot remove sandbox container " + containerId + ": "
                        + String.join("; ", failures));
            }
        }
    }

    /**
     * Kills a timed-out exec: Docker has no call for that, but exec inspect gives its host pid, and the harness runs
     * as root in the host pid namespace.
     */
    private void kill(String execId) {
        try {
            Long pid = docker().inspectExecCmd(execId).exec().getPidLong();
            if (pid != null && pid > 0) {
                ProcessHandle.of(pid).ifPresent(p -> {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                });
            }
        } catch (RuntimeException e) {
            // container gone or pid not visible: nothing more to do
        }
    }

    /** Exec start is asynchronous: wait until Docker reports the process running (or already ended). */
    private void awaitStarted(String execId) {
        long deadline = System.currentTimeMillis() + EXIT_CODE_WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            InspectExecResponse r = docker().inspectExecCmd(execId).exec();
            if (Boolean.TRUE.equals(r.isRunning()) || r.getExitCodeLong() != null) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new SandboxException("process " + execId + " did not start within " + EXIT_CODE_WAIT_MILLIS + " ms");
    }

    /** The attach stream can end a moment before Docker records the exit code. */
    private Long waitForExitCode(String execId) {
        long deadline = System.currentTimeMillis() + EXIT_CODE_WAIT_MILLIS;
        while (true) {
            InspectExecResponse r = docker().inspectExecCmd(execId).exec();
            if (!Boolean.TRUE.equals(r.isRunning()) && r.getExitCodeLong() != null) {
                return r.getExitCodeLong();
            }
            if (System.currentTimeMillis() > deadline) {
                return null;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    private void closeProcessLogs() {
        for (LogFileCallback cb : processes.values()) {
            closeQuietly(cb);
        }
        processes.clear();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort: the stream is being abandoned
        }
    }

    private void requireStarted() {
        if (containerId == null || closed) {
            throw new IllegalStateException(closed ? "sandbox is closed" : "sandbox not started");
        }
    }

    private static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            sb.append(" <- ").append(t.getMessage());
        }
        return sb.toString();
    }
}
