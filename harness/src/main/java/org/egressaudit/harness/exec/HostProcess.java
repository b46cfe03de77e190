package org.egressaudit.harness.exec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecuteResultHandler;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;

/**
 * A long-running host process (a virtual machine's emulator) started with Commons Exec: arguments as a list, no
 * shell, stdout and stderr in a bounded log file, and a stop that escalates from a polite request to a kill.
 */
public final class HostProcess implements AutoCloseable {
    private final List<String> command;
    private final DefaultExecuteResultHandler result = new DefaultExecuteResultHandler();
    private final ProcessWatchdog watchdog;
    private final BoundedFileOutput log;

    private HostProcess(List<String> command, ProcessWatchdog watchdog, BoundedFileOutput log) {
        this.command = command;
        this.watchdog = watchdog;
        this.log = log;
    }

    /**
     * Starts {@code argv} in the background.
     *
     * @throws HostCommandException when it cannot be started (missing executable, log file not writable)
     */
    public static HostProcess start(List<String> argv, Path logFile, long maxLogBytes) {
        List<String> command = List.copyOf(argv);
        CommandLine line = new CommandLine(command.get(0));
        for (String a : command.subList(1, command.size())) {
            if (a.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("NUL byte in argument of " + command.get(0));
            }
            line.addArgument(a, false);
        }
        BoundedFileOutput log;
        try {
            log = new BoundedFileOutput(logFile, maxLogBytes);
        } catch (IOException e) {
            throw HostCommandException.notStarted(command, e);
        }
        ProcessWatchdog watchdog = new ProcessWatchdog();
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setExitValues(null);
        executor.setStreamHandler(new PumpStreamHandler(log, log));
        executor.setWatchdog(watchdog);
        HostProcess p = new HostProcess(command, watchdog, log);
        try {
            executor.execute(line, p.result);
        } catch (IOException e) {
            closeQuietly(log);
            throw HostCommandException.notStarted(command, e);
        }
        return p;
    }

    public boolean alive() {
        return !result.hasResult();
    }

    /** The exit code once the process has ended. */
    public OptionalInt exitCode() {
        return result.hasResult() ? OptionalInt.of(result.getExitValue()) : OptionalInt.empty();
    }

    /** Waits up to {@code timeout} for the process to end on its own; true when it has. */
    public boolean awaitExit(Duration timeout) {
        try {
            result.waitFor(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return result.hasResult();
    }

    /** Kills the process (SIGTERM, then SIGKILL through the watchdog's process handle) and waits for it. */
    public void kill() {
        if (result.hasResult()) {
            return;
        }
        watchdog.destroyProcess(); // SIGTERM: QEMU exits cleanly on it
        if (!awaitExit(Duration.ofSeconds(5))) {
            watchdog.process().ifPresent(Process::destroyForcibly); // stuck (e.g. in an ioctl): SIGKILL
            awaitExit(Duration.ofSeconds(5));
        }
    }

    /** Host pid of the process, when started. */
    public java.util.OptionalLong pid() {
        return watchdog.process().map(p -> java.util.OptionalLong.of(p.pid())).orElse(java.util.OptionalLong.empty());
    }

    /** Commons Exec's watchdog never times out here; it is kept for the process handle it is given. */
    private static final class ProcessWatchdog extends ExecuteWatchdog {
        private volatile Process process;

        @SuppressWarnings("deprecation")
        ProcessWatchdog() {
            super(ExecuteWatchdog.INFINITE_TIMEOUT);
        }

        @Override
        public synchronized void start(Process p) {
            this.process = p;
            super.start(p);
        }

        java.util.Optional<Process> process() {
            return java.util.Optional.ofNullable(process);
        }
    }

    public List<String> command() {
        return command;
    }

    @Override
    public void close() {
        kill();
        closeQuietly(log);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // the log is best effort once the process is gone
        }
    }
}
