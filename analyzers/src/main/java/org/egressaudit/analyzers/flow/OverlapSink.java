package org.egressaudit.analyzers.flow;

/** Where a reassembler reports two disagreeing copies of the same stream bytes. */
interface OverlapSink {
    void onConflict(Direction direction, long streamOffset, long timestampNanos, long packetIndex,
                    byte[] keptBytes, byte[] alternateBytes);
}
