package org.egressaudit.analyzers.flow;

/**
 * Limits of the flow layer. Every dimension an attacker controls (number of flows, out-of-order data,
 * conflicting copies) is bounded here. Times are in capture time (packet timestamps), not wall-clock time.
 *
 * @param maxFlows                      flows kept at once (TCP, UDP, ICMP, including recently closed TCP
 *                                      connections kept to absorb late packets); when full the least recently
 *                                      active flow is evicted. Default 1,000,000.
 * @param maxOutOfOrderBytesPerDirection out-of-order bytes buffered per TCP direction, each buffered piece
 *                                      charged {@link #SEGMENT_OVERHEAD_BYTES} extra. Default 8 MiB.
 * @param maxOutOfOrderBytesTotal       the same, summed over all flows. Default 1 GiB.
 * @param idleTimeoutNanos              a flow without packets for this long is ended
 *                                      ({@link StreamEnd#IDLE_TIMEOUT}). Default 10 minutes.
 * @param closedLingerNanos             how long a closed TCP connection stays in the table so that late
 *                                      retransmissions and ACKs do not start a new connection. Default 2 minutes.
 * @param evictionIntervalNanos         how often (capture time) idle flows are looked for. Default 1 second.
 * @param retransmitCheckBytesPerDirection recently delivered bytes kept per direction so that a later copy
 *                                      of already delivered bytes can be compared (overlap evasion). Default 64 KiB.
 * @param maxRetransmitCheckBytesTotal  the same, summed over all flows; past it, re-sent bytes are counted as
 *                                      not compared. Default 256 MiB.
 * @param maxOverlapConflictsPerFlow    {@link OverlapConflict}s kept per TCP connection. Default 32.
 * @param maxOverlapConflictBytes       bytes kept per copy in one {@link OverlapConflict}. Default 64 KiB.
 */
public record ReassemblyConfig(int maxFlows, long maxOutOfOrderBytesPerDirection, long maxOutOfOrderBytesTotal,
                               long idleTimeoutNanos, long closedLingerNanos, long evictionIntervalNanos,
                               int retransmitCheckBytesPerDirection, long maxRetransmitCheckBytesTotal,
                               int maxOverlapConflictsPerFlow, int maxOverlapConflictBytes) {

    /** Bookkeeping cost charged per buffered out-of-order piece, so that tiny segments cannot dodge the caps. */
    public static final int SEGMENT_OVERHEAD_BYTES = 128;

    private static final long SECOND = 1_000_000_000L;

    public static final ReassemblyConfig DEFAULTS = new ReassemblyConfig(
            1_000_000, 8L << 20, 1L << 30,
            600 * SECOND, 120 * SECOND, SECOND,
            64 << 10, 256L << 20,
            32, 64 << 10);

    public ReassemblyConfig {
        if (maxFlows < 1) {
            throw new IllegalArgumentException("maxFlows must be at least 1");
        }
        if (maxOutOfOrderBytesPerDirection < 0 || maxOutOfOrderBytesTotal < 0 || maxRetransmitCheckBytesTotal < 0
                || retransmitCheckBytesPerDirection < 0 || maxOverlapConflictsPerFlow < 0
                || maxOverlapConflictBytes < 0) {
            throw new IllegalArgumentException("limits must not be negative");
        }
        if (idleTimeoutNanos <= 0 || closedLingerNanos < 0 || evictionIntervalNanos <= 0) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    public static ReassemblyConfig defaults() {
        return DEFAULTS;
    }

    public ReassemblyConfig withMaxFlows(int value) {
        return new ReassemblyConfig(value, maxOutOfOrderBytesPerDirection, maxOutOfOrderBytesTotal, idleTimeoutNanos,
                closedLingerNanos, evictionIntervalNanos, retransmitCheckBytesPerDirection,
                maxRetransmitCheckBytesTotal, maxOverlapConflictsPerFlow, maxOverlapConflictBytes);
    }

    public ReassemblyConfig withOutOfOrderCaps(long perDirection, long total) {
        return new ReassemblyConfig(maxFlows, perDirection, total, idleTimeoutNanos, closedLingerNanos,
                evictionIntervalNanos, retransmitCheckBytesPerDirection, maxRetransmitCheckBytesTotal,
                maxOverlapConflictsPerFlow, maxOverlapConflictBytes);
    }

    public ReassemblyConfig withTimeouts(long idleNanos, long closedLinger, long evictionInterval) {
        return new ReassemblyConfig(maxFlows, maxOutOfOrderBytesPerDirection, maxOutOfOrderBytesTotal, idleNanos,
                closedLinger, evictionInterval, retransmitCheckBytesPerDirection, maxRetransmitCheckBytesTotal,
                maxOverlapConflictsPerFlow, maxOverlapConflictBytes);
    }

    public ReassemblyConfig withRetransmitCheck(int perDirection, long total) {
        return new ReassemblyConfig(maxFlows, maxOutOfOrderBytesPerDirection, maxOutOfOrderBytesTotal,
                idleTimeoutNanos, closedLingerNanos, evictionIntervalNanos, perDirection, total,
                maxOverlapConflictsPerFlow, maxOverlapConflictBytes);
    }

    public ReassemblyConfig withOverlapConflictLimits(int perFlow, int bytesPerCopy) {
        return new ReassemblyConfig(maxFlows, maxOutOfOrderBytesPerDirection, maxOutOfOrderBytesTotal,
                idleTimeoutNanos, closedLingerNanos, evictionIntervalNanos, retransmitCheckBytesPerDirection,
                maxRetransmitCheckBytesTotal, perFlow, bytesPerCopy);
    }
}
