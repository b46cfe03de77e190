package org.egressaudit.harness.vm;

/**
 * A QMP command failed: QEMU answered with an error, did not answer in time, or the connection broke.
 * {@link #errorClass()} is QEMU's error class (e.g. {@code GenericError}, {@code CommandNotFound}) when QEMU
 * answered with an error, otherwise {@code null}.
 */
public class QmpException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String command;
    private final String errorClass;

    public QmpException(String command, String errorClass, String message, Throwable cause) {
        super(message, cause);
        this.command = command;
        this.errorClass = errorClass;
    }

    public QmpException(String command, String message) {
        this(command, null, message, null);
    }

    /** The QMP command concerned, or {@code null} for connection-level failures. */
    public String command() {
        return command;
    }

    public String errorClass() {
        return errorClass;
    }
}
