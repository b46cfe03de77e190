package org.egressaudit.analyzers.corpus;

/** A corpus that cannot be used (missing directory, bad manifest); the message says what and where. */
public final class CorpusException extends Exception {
    private static final long serialVersionUID = 1L;

    public CorpusException(String message) {
        super(message);
    }

    public CorpusException(String message, Throwable cause) {
        super(message, cause);
    }
}
