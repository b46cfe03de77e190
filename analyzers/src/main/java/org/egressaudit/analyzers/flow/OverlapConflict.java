package org.egressaudit.analyzers.flow;

/**
 * Two TCP segments that cover the same stream bytes with different content. The reassembler keeps the
 * first copy (see README, overlap policy); the other copy is kept here so it can be analysed too: a receiver
 * with another policy would have read it.
 *
 * @param streamOffset   where the disagreement starts in the stream
 * @param keptBytes      the bytes delivered to the listener for that range (bounded copy)
 * @param alternateBytes the conflicting bytes that were not delivered (bounded copy)
 */
public record OverlapConflict(Direction direction, long streamOffset, long timestampNanos, long packetIndex,
                              byte[] keptBytes, byte[] alternateBytes) {
}
