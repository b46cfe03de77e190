package org.egressaudit.harness.scenario;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Something done to the sandbox while the agent runs, at a time relative to the agent's start: run a command
 * ({@code exec}) or copy a file in ({@code copy}), exactly one of the two.
 *
 * @param name unique within the scenario; names the trigger in logs and reports
 * @param at   delay after the agent started
 * @param exec command run as root (sh -c), if this is an exec trigger
 * @param copy file copied into the sandbox, if this is a copy trigger
 */
public record Trigger(String name, Duration at, Optional<String> exec, Optional<FileCopy> copy) {
    public Trigger {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(exec, "exec");
        Objects.requireNonNull(copy, "copy");
        if (at.isNegative()) {
            throw new IllegalArgumentException("at must not be negative");
        }
        if (exec.isPresent() == copy.isPresent()) {
            throw new IllegalArgumentException("a trigger needs exactly one of 'exec' and 'copy'");
        }
    }

    public static Trigger exec(String name, Duration at, String command) {
        return new Trigger(name, at, Optional.of(command), Optional.empty());
    }

    public static Trigger copy(String name, Duration at, FileCopy copy) {
        return new Trigger(name, at, Optional.empty(), Optional.of(copy));
    }
}
