package org.egressaudit.analyzers.policy;

/** A policy file that cannot be used; the message names the file, line and key. */
public final class PolicyException extends Exception {
    private static final long serialVersionUID = 1L;

    public PolicyException(String message, Throwable cause) {
        super(message, cause);
    }

    public PolicyException(String message) {
        super(message);
    }
}
