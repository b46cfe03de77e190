package org.egressaudit.harness.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * An isolated machine the agent under test runs in. Implementations attach it to the run's internal network
 * only and remove every trace of it on {@link #close()}, also when the run failed.
 */
public interface Sandbox extends AutoCloseable {
    Duration DEFAULT_EXEC_TIMEOUT = Duration.ofMinutes(2);

    /** Creates and starts the sandbox; afterwards its DNS points at the run's gateway. */
    void start();

    /** Runs a command (argument list, no shell) and waits for it, killing it after {@code timeout}. */
    ExecResult exec(Duration timeout, String... command);

    default ExecResult exec(String... command) {
        return exec(DEFAULT_EXEC_TIMEOUT, command);
    }

    /** Copies a host file or folder to {@code containerPath} (absolute) inside the sandbox. */
    void copyIn(Path hostPath, String containerPath);

    /** Copies one file out of the sandbox (evidence such as the file-activity trace). */
    void copyOut(String containerPath, Path hostPath);

    /**
     * Starts {@code shellCommand} with {@code sh -c} in the background; stdout and stderr are streamed into
     * {@code logFile} on the host (bounded in size).
     */
    SandboxProcess startProcess(String shellCommand, Path logFile);

    boolean isRunning(SandboxProcess process);

    /** Exit code once the process has ended; empty while it runs. */
    OptionalLong exitCode(SandboxProcess process);

    /** Stops the sandbox (its processes end); {@link #close()} also removes it. */
    void stop();

    @Override
    void close();
}
