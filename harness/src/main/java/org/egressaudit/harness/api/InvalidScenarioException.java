package org.egressaudit.harness.api;

/**
 * A scenario built in Java that the scenario loader rejects. The message is the loader's (file, line, key and
 * what is wrong) followed by the generated YAML with line numbers, so the line it names can be found.
 */
public final class InvalidScenarioException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidScenarioException(String message, Throwable cause) {
        super(message, cause);
    }
}
