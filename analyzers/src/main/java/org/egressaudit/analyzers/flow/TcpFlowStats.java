package org.egressaudit.analyzers.flow;

import java.util.List;

/**
 * What reassembly saw on one TCP connection, per direction (index 0 = client to server, 1 = server to client).
 *
 * @param handshakeSeen   SYN observed, so orientation is certain
 * @param bytes           in-order bytes delivered to the listener
 * @param missingBytes    bytes never captured (gaps)
 * @param truncatedBytes  bytes dropped because of a memory cap
 * @param retransmittedBytes bytes seen again with identical content
 * @param overlapConflicts segments whose overlapping bytes disagree: possible evasion, each a finding
 */
public record TcpFlowStats(FlowKey key, boolean handshakeSeen, long firstNanos, long lastNanos,
                           long[] packets, long[] bytes, long[] missingBytes, long[] truncatedBytes,
                           long[] retransmittedBytes, List<OverlapConflict> overlapConflicts) {
}
