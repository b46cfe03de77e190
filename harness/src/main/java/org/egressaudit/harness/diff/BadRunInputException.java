package org.egressaudit.harness.diff;

/** A run folder (or directory of run folders) that cannot be compared: missing or unreadable report.json. */
public final class BadRunInputException extends Exception {
    private static final long serialVersionUID = 1L;

    public BadRunInputException(String message) {
        super(message);
    }

    public BadRunInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
