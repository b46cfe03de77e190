package org.egressaudit.harness.network;

/**
 * At most {@code limit} permits per wall-clock second; counts what was refused so the caller can log it once
 * per second instead of once per refused request. Not thread-safe: one loop thread uses it.
 */
final class PerSecondLimit {
    private final int limit;
    private long second = Long.MIN_VALUE;
    private int used;
    private long refused;
    private long refusedInLastWindow;

    PerSecondLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        this.limit = limit;
    }

    /** Whether one more is allowed at {@code nowMillis}. */
    boolean tryAcquire(long nowMillis) {
        long s = Math.floorDiv(nowMillis, 1000);
        if (s != second) {
            refusedInLastWindow = refused;
            second = s;
            used = 0;
            refused = 0;
        }
        if (used >= limit) {
            refused++;
            return false;
        }
        used++;
        return true;
    }

    /** How many were refused in the window that the last {@link #tryAcquire} closed; reading it resets it. */
    long takeRefusedInPreviousWindow() {
        long r = refusedInLastWindow;
        refusedInLastWindow = 0;
        return r;
    }
}
