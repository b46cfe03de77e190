package org.egressaudit.analyzers.flow;

import java.util.ArrayList;
import java.util.List;
import org.egressaudit.analyzers.packet.DecodedPacket;

/**
 * One TCP connection: a {@link TcpReassembler} per direction, the handler the factory made for it, and what
 * reassembly observed. A RST ends both directions; once both have ended the handler gets
 * {@link TcpConnectionHandler#onClose} exactly once and the connection only lingers in the table to absorb late
 * packets.
 */
final class TcpConnection extends Flow implements OverlapSink {
    private static final long SEQ_MASK = 0xFFFF_FFFFL;
    /** A SYN whose ISN is further than this from the expected sequence number starts a new connection. */
    private static final long NEW_ISN_DISTANCE = 1L << 20;

    private final TcpConnectionHandler handler;
    private final boolean handshakeSeen;
    private final TcpReassembler clientToServer;
    private final TcpReassembler serverToClient;
    private final FlowCounters counters;
    private final int maxConflicts;
    private List<OverlapConflict> conflicts;
    private long lastPacketNanos;
    private boolean closed;

    TcpConnection(int ipVersion, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort, int hash,
                  boolean clientIsA, long firstSeenNanos, boolean handshakeSeen, FlowHandlerFactory factory,
                  ReassemblyConfig config, ReassemblyBudget bufferBudget, ReassemblyBudget historyBudget,
                  FlowCounters counters) {
        super(ipVersion, DecodedPacket.PROTO_TCP, aHi, aLo, aPort, bHi, bLo, bPort, hash, clientIsA, firstSeenNanos);
        this.handshakeSeen = handshakeSeen;
        this.counters = counters;
        this.maxConflicts = config.maxOverlapConflictsPerFlow();
        this.lastPacketNanos = firstSeenNanos;
        this.handler = factory.newTcpConnection(key, firstSeenNanos, handshakeSeen);
        this.clientToServer = new TcpReassembler(Direction.CLIENT_TO_SERVER, handler.clientToServer(), config,
                bufferBudget, historyBudget, counters, this);
        this.serverToClient = new TcpReassembler(Direction.SERVER_TO_CLIENT, handler.serverToClient(), config,
                bufferBudget, historyBudget, counters, this);
    }

    boolean closed() {
        return closed;
    }

    private TcpReassembler stream(Direction d) {
        return d == Direction.CLIENT_TO_SERVER ? clientToServer : serverToClient;
    }

    void onPacket(DecodedPacket p, Direction d) {
        TcpReassembler own = stream(d);
        TcpReassembler peer = stream(d.reverse());
        own.packets++;
        lastPacketNanos = Math.max(lastPacketNanos, p.timestampNanos);
        int flags = p.tcpFlags;
        long ts = p.timestampNanos;
        long seq = p.tcpSeq;
        boolean ack = (flags & DecodedPacket.TCP_ACK) != 0;
        if ((flags & DecodedPacket.TCP_SYN) != 0) {
            own.onSyn(seq);
            if (ack && !peer.started()) {
                peer.startAt(p.tcpAck);
            }
            seq = (seq + 1) & SEQ_MASK;
        }
        boolean fin = (flags & DecodedPacket.TCP_FIN) != 0;
        if (p.payloadLength > 0 || fin) {
            own.onSegment(p.payloadBuffer, p.payloadOffset, p.payloadLength, seq, fin, p.payloadTruncated, ts,
                    p.packetIndex);
        }
        if (ack) {
            peer.onPeerAck(p.tcpAck, ts);
        }
        if ((flags & DecodedPacket.TCP_RST) != 0) {
            own.finish(StreamEnd.RST, ts);
            peer.finish(StreamEnd.RST, ts);
        }
        closeIfBothEnded();
    }

    /** Ends both directions (delivering buffered data with gaps) and closes. */
    void finish(StreamEnd reason, long ts) {
        clientToServer.finish(reason, ts);
        serverToClient.finish(reason, ts);
        closeIfBothEnded();
    }

    private void closeIfBothEnded() {
        if (!closed && clientToServer.ended() && serverToClient.ended()) {
            closed = true;
            handler.onClose(stats());
        }
    }

    /** For a closed connection: the segment only repeats bytes of the old connection. */
    boolean repeatsOldData(DecodedPacket p, Direction d) {
        return stream(d).isBelowEnd(p.tcpSeq, p.payloadLength);
    }

    /** The SYN (or SYN+ACK) repeats the one that started its sender's direction (same ISN). */
    boolean repeatsSyn(DecodedPacket p, Direction d) {
        TcpReassembler own = stream(d);
        return own.synSeen() && own.unwrap((p.tcpSeq + 1) & SEQ_MASK) == 0;
    }

    /** A SYN without ACK on this open connection is a new connection (port reuse), not a retransmission. */
    boolean isNewConnectionSyn(DecodedPacket p, Direction d) {
        TcpReassembler own = stream(d);
        if (!own.started()) {
            return true;
        }
        return !repeatsSyn(p, d) && own.distanceFromNext((p.tcpSeq + 1) & SEQ_MASK) > NEW_ISN_DISTANCE;
    }

    @Override
    public void onConflict(Direction direction, long streamOffset, long timestampNanos, long packetIndex,
                           byte[] keptBytes, byte[] alternateBytes) {
        counters.overlapConflicts++;
        if (conflicts == null) {
            conflicts = new ArrayList<>();
        }
        if (conflicts.size() >= maxConflicts) {
            counters.overlapConflictsNotKept++;
            return;
        }
        conflicts.add(new OverlapConflict(direction, streamOffset, timestampNanos, packetIndex, keptBytes,
                alternateBytes));
    }

    TcpFlowStats stats() {
        TcpReassembler c = clientToServer;
        TcpReassembler s = serverToClient;
        return new TcpFlowStats(key, handshakeSeen, firstSeenNanos, lastPacketNanos,
                new long[] {c.packets, s.packets},
                new long[] {c.deliveredBytes, s.deliveredBytes},
                new long[] {c.missingBytes, s.missingBytes},
                new long[] {c.truncatedBytes, s.truncatedBytes},
                new long[] {c.retransmittedBytes, s.retransmittedBytes},
                conflicts == null ? List.of() : List.copyOf(conflicts));
    }
}
