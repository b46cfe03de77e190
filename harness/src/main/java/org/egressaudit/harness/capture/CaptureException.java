package org.egressaudit.harness.capture;

/** A live capture could not be opened or failed while running. */
public class CaptureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}
