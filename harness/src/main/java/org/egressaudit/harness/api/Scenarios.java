package org.egressaudit.harness.api;

/**
 * Entry point of the Java scenario API: {@code Scenarios.named("my-exfil").image(...).agentFile(...).start(...)
 * .plant(...).policy(...).expect(Verdict.FAIL).build()}. See {@link ScenarioBuilder}.
 */
public final class Scenarios {
    private Scenarios() {
    }

    /** A new scenario called {@code name} ({@code [a-z0-9][a-z0-9._-]*}, checked when it is built). */
    public static ScenarioBuilder named(String name) {
        return new ScenarioBuilder(name);
    }
}
