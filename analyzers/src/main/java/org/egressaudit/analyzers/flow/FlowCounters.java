package org.egressaudit.analyzers.flow;

/** Mutable counters behind {@link FlowTableStats}, shared by the table and its reassemblers. */
final class FlowCounters {
    long packets;
    long otherProtocolPackets;
    long flowsSeen;
    long tcpConnections;
    long udpFlows;
    long icmpFlows;
    long concurrentFlowsMax;
    long idleEvictions;
    long capacityEvictions;
    long portReuses;
    long outOfOrderBytesTruncated;
    long forcedGaps;
    long retransmittedBytes;
    long overlapBytesNotCompared;
    long overlapConflicts;
    long overlapConflictsNotKept;
    long bytesBeforeStreamStart;
    long segmentsOutOfWindow;
    long keepAliveSegments;
    long segmentsWithoutFlow;
    long lateSegmentsAfterClose;

    FlowTableStats snapshot(long concurrentFlows, long outOfOrderBytesPeak) {
        return new FlowTableStats(packets, otherProtocolPackets, flowsSeen, tcpConnections, udpFlows, icmpFlows,
                concurrentFlows, concurrentFlowsMax, idleEvictions, capacityEvictions, portReuses,
                outOfOrderBytesTruncated, forcedGaps, outOfOrderBytesPeak, retransmittedBytes,
                overlapBytesNotCompared, overlapConflicts, overlapConflictsNotKept, bytesBeforeStreamStart,
                segmentsOutOfWindow, keepAliveSegments, segmentsWithoutFlow, lateSegmentsAfterClose);
    }
}
