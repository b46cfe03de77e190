package org.egressaudit.harness.differential;

/** A differential run cannot be set up or judged as asked; the message names what is wrong and how to fix it. */
public final class DifferentialException extends Exception {
    public DifferentialException(String message) {
        super(message);
    }
}
