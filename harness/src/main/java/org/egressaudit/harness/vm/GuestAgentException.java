package org.egressaudit.harness.vm;

/**
 * A guest agent request failed: the agent answered with an error, did not answer in time, sent something that is
 * not a reply (too long, malformed), or the connection broke. {@link #errorClass()} is the agent's error class
 * (e.g. {@code GenericError}, {@code CommandNotFound}) when it answered with an error, otherwise {@code null}.
 */
public class GuestAgentException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String command;
    private final String errorClass;

    public GuestAgentException(String command, String errorClass, String message, Throwable cause) {
        super(message, cause);
        this.command = command;
        this.errorClass = errorClass;
    }

    public GuestAgentException(String command, String message) {
        this(command, null, message, null);
    }

    /** The guest agent command concerned, or {@code null} for connection-level failures. */
    public String command() {
        return command;
    }

    public String errorClass() {
        return errorClass;
    }
}
