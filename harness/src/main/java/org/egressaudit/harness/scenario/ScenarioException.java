package org.egressaudit.harness.scenario;

/**
 * A scenario (or suite) that cannot be used. The message names the file, the line and the key path, e.g.
 * {@code scenarios/x.yaml:14: agent.files[1].from: 'agents/nope.py' does not exist}.
 */
public final class ScenarioException extends Exception {
    private static final long serialVersionUID = 1L;

    public ScenarioException(String message) {
        super(message);
    }

    public ScenarioException(String message, Throwable cause) {
        super(message, cause);
    }
}
