package org.egressaudit.harness.sandbox;

import java.nio.charset.StandardCharsets;

/**
 * Outcome of a command run inside a sandbox. Output is the bounded tail of each stream; {@code exitCode} is -1
 * when the command timed out and was killed.
 */
public record ExecResult(int exitCode, byte[] stdout, byte[] stderr, boolean stdoutTruncated,
                         boolean stderrTruncated, boolean timedOut) {

    public boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }

    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }
}
