package org.egressaudit.harness.sandbox;

/** The sandbox could not be started, used or removed; the message names the step and what to do. */
public class SandboxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
