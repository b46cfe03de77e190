package org.egressaudit.harness.scenario;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * When observation ends; the first condition reached wins.
 *
 * @param duration   hard cap after the agent started (always present)
 * @param idle       stop once no new traffic was seen for this long after the last trigger ran, if given
 * @param agentExits stop when the agent process exits
 */
public record StopCondition(Duration duration, Optional<Duration> idle, boolean agentExits) {
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(60);

    public StopCondition {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(idle, "idle");
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("duration must be longer than 0");
        }
        if (idle.isPresent() && (idle.get().isZero() || idle.get().isNegative())) {
            throw new IllegalArgumentException("idle must be longer than 0");
        }
        if (idle.isPresent() && idle.get().compareTo(duration) > 0) {
            throw new IllegalArgumentException("idle " + Durations.format(idle.get()) + " is longer than duration "
                    + Durations.format(duration) + " and could never be reached");
        }
    }

    /** Only the hard cap of {@link #DEFAULT_DURATION}. */
    public static StopCondition defaults() {
        return new StopCondition(DEFAULT_DURATION, Optional.empty(), false);
    }
}
