package org.egressaudit.harness.exec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;
import org.apache.commons.exec.environment.EnvironmentUtils;

/**
 * One command to run on the host (iptables, debootstrap, docker import), built fluently and run once.
 * Arguments are passed as a list, never through a shell, unless {@link #shell} is used explicitly; stdout and
 * stderr are kept up to a bounded tail; a timeout kills the process.
 *
 * <pre>{@code
 * HostCommandResult r = HostCommand.of("iptables", "-w", "-t", "nat", "-S").timeout(Duration.ofSeconds(20)).runChecked();
 * }</pre>
 */
public final class HostCommand {
    /** Default bound on each of stdout/stderr kept in memory. */
    public static final int DEFAULT_OUTPUT_LIMIT = 1 << 20;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
    /** How long to wait for output pumps after the process ended (a background child may hold the pipe open). */
    private static final Duration PUMP_STOP_TIMEOUT = Duration.ofSeconds(5);

    private final List<String> command;
    private Duration timeout = DEFAULT_TIMEOUT;
    private InputStream stdin;
    private Path workingDirectory;
    private final Map<String, String> env = new LinkedHashMap<>();
    private int outputLimit = DEFAULT_OUTPUT_LIMIT;
    private OutputStream echo;

    private HostCommand(List<String> command) {
        if (command.isEmpty() || command.get(0).isBlank()) {
            throw new IllegalArgumentException("empty command");
        }
        for (String a : command) {
            Objects.requireNonNull(a, "null argument in command");
            if (a.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("NUL byte in argument of " + command.get(0));
            }
        }
        this.command = List.copyOf(command);
    }

    public static HostCommand of(String executable, String... args) {
        List<String> all = new ArrayList<>(args.length + 1);
        all.add(executable);
        all.addAll(List.of(args));
        return new HostCommand(all);
    }

    public static HostCommand of(List<String> argv) {
        return new HostCommand(argv);
    }

    /**
     * Runs {@code script} with {@code bash -o pipefail -c}; values go in as positional parameters ({@code "$1"}...)
     * so they are never parsed as shell syntax. Use only for pipelines.
     */
    public static HostCommand shell(String script, String... positionalArgs) {
        List<String> all = new ArrayList<>(List.of("bash", "-o", "pipefail", "-c", script, "egress-audit-sh"));
        all.addAll(List.of(positionalArgs));
        return new HostCommand(all);
    }

    public HostCommand timeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.timeout = timeout;
        return this;
    }

    public HostCommand stdin(byte[] bytes) {
        this.stdin = new ByteArrayInputStream(bytes.clone());
        return this;
    }

    /** Stream to feed to the process's stdin; read to its end, not closed by this class. */
    public HostCommand stdin(InputStream in) {
        this.stdin = Objects.requireNonNull(in);
        return this;
    }

    public HostCommand workingDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("working directory does not exist: " + dir);
        }
        this.workingDirectory = dir;
        return this;
    }

    /** Adds or overrides one variable on top of this JVM's environment. */
    public HostCommand env(String name, String value) {
        if (name.isEmpty() || name.contains("=")) {
            throw new IllegalArgumentException("bad environment variable name: " + name);
        }
        env.put(name, Objects.requireNonNull(value));
        return this;
    }

    /** Bytes kept of each of stdout and stderr (the tail). */
    public HostCommand outputLimit(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("output limit must be positive: " + bytes);
        }
        this.outputLimit = bytes;
        return this;
    }

    /** Also copies stdout and stderr, as they arrive, to {@code progress} (e.g. a log); not closed. */
    public HostCommand echoTo(OutputStream progress) {
        this.echo = Objects.requireNonNull(progress);
        return this;
    }

    public List<String> command() {
        return command;
    }

    /**
     * Runs the command to completion (or timeout).
     *
     * @throws HostCommandException only when the command could not be started
     */
    public HostCommandResult run() {
        CommandLine line = new CommandLine(command.get(0));
        for (String a : command.subList(1, command.size())) {
            line.addArgument(a, false); // no quoting games: the list is passed to exec as is
        }
        TailBuffer out = new TailBuffer(outputLimit);
        TailBuffer err = new TailBuffer(outputLimit);
        PumpStreamHandler streams = new PumpStreamHandler(
                echo == null ? out : new TeeOutputStream(out, echo),
                echo == null ? err : new TeeOutputStream(err, echo),
                stdin);
        streams.setStopTimeout(PUMP_STOP_TIMEOUT);
        ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(timeout).get();
        DefaultExecutor executor = DefaultExecutor.builder()
                .setWorkingDirectory(workingDirectory == null ? null : workingDirectory.toFile())
                .get();
        executor.setExitValues(null); // every exit code is a result, not an exception
        executor.setStreamHandler(streams);
        executor.setWatchdog(watchdog);
        long start = System.nanoTime();
        int exit;
        try {
            exit = executor.execute(line, environment());
        } catch (IOException e) {
            if (watchdog.killedProcess()) {
                exit = -1;
            } else {
                throw HostCommandException.notStarted(command, e);
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        return new HostCommandResult(command, exit, out.toByteArray(), err.toByteArray(), out.truncated(),
                err.truncated(), watchdog.killedProcess(), elapsed);
    }

    /**
     * Runs the command and requires exit code 0.
     *
     * @throws HostCommandException naming the command, exit code and the tail of stderr otherwise
     */
    public HostCommandResult runChecked() {
        HostCommandResult r = run();
        if (!r.succeeded()) {
            throw HostCommandException.failed(r);
        }
        return r;
    }

    private Map<String, String> environment() throws IOException {
        if (env.isEmpty()) {
            return null; // inherit
        }
        Map<String, String> all = new LinkedHashMap<>(EnvironmentUtils.getProcEnvironment());
        all.putAll(env);
        return all;
    }

    @Override
    public String toString() {
        return HostCommandException.display(command);
    }
}
