package org.egressaudit.analyzers.flow;

/**
 * Snapshot of what a {@link FlowTable} did, for the report and for judging how complete the analysis was.
 *
 * @param packets                  packets offered to the table
 * @param otherProtocolPackets     packets of a transport the flow layer does not handle (ignored)
 * @param flowsSeen                flows created (TCP connections, UDP and ICMP flows)
 * @param tcpConnections           TCP connections handed to the factory
 * @param udpFlows                 UDP flows
 * @param icmpFlows                ICMP/ICMPv6 flows
 * @param concurrentFlows          flows in the table now
 * @param concurrentFlowsMax       most flows in the table at once
 * @param idleEvictions            flows ended by the idle timeout
 * @param capacityEvictions        flows ended because the table was full
 * @param portReuses               connections ended because a new SYN took over their addresses and ports
 * @param outOfOrderBytesTruncated bytes that arrived but could not be delivered because a buffer cap had already
 *                                 forced their range to be skipped as a gap, or that came after the stream's end
 * @param forcedGaps               holes skipped because an out-of-order cap was reached
 * @param outOfOrderBytesPeak      most out-of-order bytes (with per-piece overhead) buffered at once
 * @param retransmittedBytes       bytes seen again with identical content
 * @param overlapBytesNotCompared  bytes seen again whose first copy was no longer kept, so not compared
 * @param overlapConflicts         overlapping copies that disagreed (all of them, kept or not)
 * @param overlapConflictsNotKept  conflicts beyond the per-flow limit (counted, copies not kept)
 * @param bytesBeforeStreamStart   bytes below a stream's first offset (before a mid-stream pickup), ignored
 * @param segmentsOutOfWindow      segments too far from the expected sequence number to be plausible, ignored
 * @param keepAliveSegments        keep-alive / window-probe segments (one byte below the expected offset)
 * @param segmentsWithoutFlow      TCP segments without data or SYN for unknown flows (pure ACK/FIN/RST), ignored
 * @param lateSegmentsAfterClose   segments for closed connections that repeat old data, ignored
 */
public record FlowTableStats(long packets, long otherProtocolPackets, long flowsSeen, long tcpConnections,
                             long udpFlows, long icmpFlows, long concurrentFlows, long concurrentFlowsMax,
                             long idleEvictions, long capacityEvictions, long portReuses,
                             long outOfOrderBytesTruncated, long forcedGaps, long outOfOrderBytesPeak,
                             long retransmittedBytes, long overlapBytesNotCompared, long overlapConflicts,
                             long overlapConflictsNotKept, long bytesBeforeStreamStart, long segmentsOutOfWindow,
                             long keepAliveSegments, long segmentsWithoutFlow, long lateSegmentsAfterClose) {
}
