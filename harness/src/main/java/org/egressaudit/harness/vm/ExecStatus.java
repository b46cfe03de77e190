package org.egressaudit.harness.vm;

import java.nio.charset.StandardCharsets;

/**
 * State of a process started with guest-exec, as reported by guest-exec-status. qemu-ga reports the captured
 * output only once, in the first status after the process exited, and caps it (16 MiB per stream in QEMU 7.2:
 * then the truncated flag is set).
 *
 * @param exited whether the process has ended; if not, every other field is empty
 * @param exitCode exit code if it exited normally, else {@code null}
 * @param signal signal number that ended it, else {@code null}
 * @param stdout captured standard output (empty unless captured and exited)
 * @param stderr captured standard error
 */
public record ExecStatus(boolean exited, Integer exitCode, Integer signal, byte[] stdout, byte[] stderr,
        boolean stdoutTruncated, boolean stderrTruncated) {

    public ExecStatus {
        stdout = stdout == null ? new byte[0] : stdout.clone();
        stderr = stderr == null ? new byte[0] : stderr.clone();
    }

    @Override
    public byte[] stdout() {
        return stdout.clone();
    }

    @Override
    public byte[] stderr() {
        return stderr.clone();
    }

    /** Exited normally with code 0. */
    public boolean succeeded() {
        return exited && exitCode != null && exitCode == 0;
    }

    /** stdout decoded as UTF-8 (invalid bytes replaced). */
    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ExecStatus[exited=" + exited + ", exitCode=" + exitCode + ", signal=" + signal + ", stdout="
                + stdout.length + " bytes" + (stdoutTruncated ? " (truncated)" : "") + ", stderr=" + stderr.length
                + " bytes" + (stderrTruncated ? " (truncated)" : "") + "]";
    }
}
