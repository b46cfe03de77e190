package org.egressaudit.harness.exec;

import java.util.List;
import java.util.Optional;

/** A host command could not be started, timed out, or exited with a failure code. */
public class HostCommandException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final int TAIL_CHARS = 2000;

    private final transient HostCommandResult result;

    public HostCommandException(String message, HostCommandResult result, Throwable cause) {
        super(message, cause);
        this.result = result;
    }

    /** The finished command's result; empty when the command could not be started. */
    public Optional<HostCommandResult> result() {
        return Optional.ofNullable(result);
    }

    static HostCommandException failed(HostCommandResult r) {
        String what = r.timedOut()
                ? "timed out after " + r.elapsed().toMillis() + " ms and was killed"
                : "exited with code " + r.exitCode();
        String tail = r.outputTail(TAIL_CHARS);
        return new HostCommandException("`" + display(r.command()) + "` " + what
                + (tail.isEmpty() ? " (no output)" : ": " + tail), r, null);
    }

    static HostCommandException notStarted(List<String> command, Throwable cause) {
        String hint = "";
        String msg = String.valueOf(cause.getMessage());
        if (msg.contains("error=2") || msg.contains("No such file")) {
            hint = " (`" + command.get(0) + "` is not installed or not on PATH)";
        } else if (msg.contains("error=13") || msg.contains("Permission denied")) {
            hint = " (permission denied)";
        }
        return new HostCommandException("cannot start `" + display(command) + "`" + hint + ": " + msg, null, cause);
    }

    /** The command as one line, arguments containing spaces quoted, for messages only. */
    static String display(List<String> command) {
        StringBuilder sb = new StringBuilder();
        for (String a : command) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(a.isEmpty() || a.chars().anyMatch(c -> c == ' ' || c == '\'' || c == '"' || c == '\n')
                    ? "'" + a.replace("'", "'\\''") + "'" : a);
        }
        String s = sb.toString();
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }
}
