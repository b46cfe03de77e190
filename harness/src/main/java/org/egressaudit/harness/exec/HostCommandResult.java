package org.egressaudit.harness.exec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Outcome of a finished host command. {@code stdout}/{@code stderr} hold at most the configured tail of each
 * stream; the {@code *Truncated} flags say whether earlier output was dropped.
 */
public record HostCommandResult(List<String> command, int exitCode, byte[] stdout, byte[] stderr,
                                boolean stdoutTruncated, boolean stderrTruncated, boolean timedOut,
                                Duration elapsed) {

    public HostCommandResult {
        command = List.copyOf(command);
    }

    public boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }

    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    /** The last {@code maxChars} characters of stderr (or stdout when stderr is empty), for error messages. */
    public String outputTail(int maxChars) {
        String text = stderr.length > 0 ? stderrText() : stdoutText();
        text = text.strip();
        if (text.length() <= maxChars) {
            return text;
        }
        return "..." + text.substring(text.length() - maxChars);
    }
}
