package org.egressaudit.analyzers.flow;

import java.util.Objects;
import org.egressaudit.analyzers.packet.DecodedPacket;

/**
 * The flow layer: sorts decoded packets into flows and hands them to the application layer
 * ({@link FlowHandlerFactory}). Single-threaded; packets are expected in capture order.
 *
 * <p><b>Lookup</b> allocates nothing for packets of existing flows: the key is the packet's address longs and
 * ports in canonical order (lower address, then lower port, first), looked up in an open-addressing
 * {@link FlowIndex}. {@link FlowKey} objects are created only for new flows. VLAN IDs are not part of the key,
 * so the same packet seen on two VLANs counts as a retransmission rather than a second flow.
 *
 * <p><b>Orientation</b> (who is the client):
 * <ul>
 *   <li>TCP: a SYN without ACK is sent by the client; a SYN+ACK is sent to the client. Without a SYN (mid-stream
 *       pickup, {@code handshakeSeen == false}) the side with a service port ({@link ServicePorts}) is the
 *       server, else the lower port; equal ports: the first sender is the client. Only a SYN or a segment
 *       with data starts a connection; pure ACK/FIN/RST segments of unknown flows are counted and ignored.</li>
 *   <li>UDP: the side with a service port is the server, else the first sender is the client.</li>
 *   <li>ICMP/ICMPv6: keyed by the two addresses only (ports 0). Echo requests (type 8 / 128) are passed with
 *       the sender as client and echo replies (0 / 129) with the receiver as client, whatever the flow's first
 *       message was (the reversed key is made once per flow); other messages use the flow's orientation,
 *       which is set by its first message.</li>
 * </ul>
 *
 * <p><b>Lifetime.</b> Flows without packets for {@link ReassemblyConfig#idleTimeoutNanos()} of capture time
 * are ended ({@link StreamEnd#IDLE_TIMEOUT}), checked every {@link ReassemblyConfig#evictionIntervalNanos()}.
 * When {@link ReassemblyConfig#maxFlows()} is reached the least recently active flow is ended
 * ({@link StreamEnd#EVICTED}) to make room. A closed TCP connection stays for
 * {@link ReassemblyConfig#closedLingerNanos()} so that late ACKs and retransmissions do not start a new
 * connection; a SYN, or data beyond what the old connection carried (e.g. after a spoofed RST), does start a
 * new one. A SYN without ACK whose ISN is far (over 1 MiB) from an open connection's expected sequence number
 * ends that connection ({@link StreamEnd#EVICTED}) and starts a new one (port reuse).
 *
 * <p>Reassembly itself (ordering, overlaps, gaps, caps) is described in {@link TcpReassembler}.
 */
public final class FlowTable {
    private final FlowHandlerFactory factory;
    private final ReassemblyConfig config;
    private final FlowCounters counters = new FlowCounters();
    private final ReassemblyBudget bufferBudget;
    private final ReassemblyBudget historyBudget;
    private final FlowIndex index = new FlowIndex();
    private final FlowList active = new FlowList();
    private final FlowList closed = new FlowList();
    private long now = Long.MIN_VALUE;
    private long nextEvictionCheck = Long.MIN_VALUE;
    private boolean finished;

    public FlowTable(FlowHandlerFactory factory, ReassemblyConfig config) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.config = Objects.requireNonNull(config, "config");
        this.bufferBudget = new ReassemblyBudget(config.maxOutOfOrderBytesTotal());
        this.historyBudget = new ReassemblyBudget(config.maxRetransmitCheckBytesTotal());
    }

    public FlowTable(FlowHandlerFactory factory) {
        this(factory, ReassemblyConfig.DEFAULTS);
    }

    /** One decoded packet. The packet (and its payload buffer) may be reused once this returns. */
    public void onPacket(DecodedPacket p) {
        if (finished) {
            throw new IllegalStateException("finish() was called");
        }
        counters.packets++;
        if (p.timestampNanos > now) {
            now = p.timestampNanos;
        }
        if (now >= nextEvictionCheck) {
            evictIdle();
            nextEvictionCheck = now + config.evictionIntervalNanos();
        }
        switch (p.protocol) {
            case DecodedPacket.PROTO_TCP -> onTcp(p);
            case DecodedPacket.PROTO_UDP -> onUdp(p);
            case DecodedPacket.PROTO_ICMP, DecodedPacket.PROTO_ICMPV6 -> onIcmp(p);
            default -> counters.otherProtocolPackets++;
        }
    }

    /**
     * The capture is over: every open flow ends with {@link StreamEnd#END_OF_CAPTURE} (buffered data is
     * delivered with gaps for the holes), then {@link FlowHandlerFactory#onCaptureEnd} is called.
     */
    public void finish(long lastTimestampNanos) {
        if (finished) {
            return;
        }
        finished = true;
        for (Flow f = active.oldest(); f != null; f = active.oldest()) {
            if (f instanceof TcpConnection c && !c.closed()) {
                c.finish(StreamEnd.END_OF_CAPTURE, lastTimestampNanos);
            }
            drop(f);
        }
        for (Flow f = closed.oldest(); f != null; f = closed.oldest()) {
            drop(f);
        }
        factory.onCaptureEnd(lastTimestampNanos);
    }

    public FlowTableStats stats() {
        return counters.snapshot(index.size(), bufferBudget.peak());
    }

    /** Out-of-order bytes (with per-piece overhead) buffered now, over all flows. */
    public long outOfOrderBytesBuffered() {
        return bufferBudget.used();
    }

    private void onTcp(DecodedPacket p) {
        boolean srcIsA = srcIsA(p, p.srcPort, p.dstPort);
        long aHi = srcIsA ? p.srcHi : p.dstHi;
        long aLo = srcIsA ? p.srcLo : p.dstLo;
        int aPort = srcIsA ? p.srcPort : p.dstPort;
        long bHi = srcIsA ? p.dstHi : p.srcHi;
        long bLo = srcIsA ? p.dstLo : p.srcLo;
        int bPort = srcIsA ? p.dstPort : p.srcPort;
        int hash = index.hash(p.ipVersion, DecodedPacket.PROTO_TCP, aHi, aLo, aPort, bHi, bLo, bPort);
        Flow found = index.find(hash, p.ipVersion, DecodedPacket.PROTO_TCP, aHi, aLo, aPort, bHi, bLo, bPort);
        boolean syn = (p.tcpFlags & DecodedPacket.TCP_SYN) != 0;
        boolean ack = (p.tcpFlags & DecodedPacket.TCP_ACK) != 0;
        TcpConnection c = (TcpConnection) found;
        if (c != null) {
            Direction d = c.direction(srcIsA);
            boolean replace;
            if (c.closed()) {
                replace = syn ? !c.repeatsSyn(p, d) : p.payloadLength > 0 && !c.repeatsOldData(p, d);
                if (!replace) {
                    counters.lateSegmentsAfterClose++;
                    return;
                }
            } else {
                replace = syn && !ack && c.isNewConnectionSyn(p, d);
                if (replace) {
                    counters.portReuses++;
                    c.finish(StreamEnd.EVICTED, p.timestampNanos);
                }
            }
            if (replace) {
                TcpConnection fresh = newTcp(p, srcIsA, aHi, aLo, aPort, bHi, bLo, bPort, hash);
                index.replace(c, fresh);
                c.list.remove(c);
                active.addNewest(fresh);
                c = fresh;
            }
        } else {
            if (!syn && p.payloadLength == 0) {
                counters.segmentsWithoutFlow++;
                return;
            }
            makeRoom();
            c = newTcp(p, srcIsA, aHi, aLo, aPort, bHi, bLo, bPort, hash);
            add(c);
        }
        c.lastActive = now;
        active.moveToNewest(c);
        c.onPacket(p, c.direction(srcIsA));
        if (c.closed()) {
            active.remove(c);
            closed.addNewest(c);
        }
    }

    private TcpConnection newTcp(DecodedPacket p, boolean srcIsA, long aHi, long aLo, int aPort, long bHi, long bLo,
                                 int bPort, int hash) {
        boolean syn = (p.tcpFlags & DecodedPacket.TCP_SYN) != 0;
        boolean ack = (p.tcpFlags & DecodedPacket.TCP_ACK) != 0;
        boolean clientIsSrc;
        if (syn) {
            clientIsSrc = !ack;
        } else {
            clientIsSrc = ServicePorts.tcpServerIsDestination(p.srcPort, p.dstPort);
        }
        counters.flowsSeen++;
        counters.tcpConnections++;
        return new TcpConnection(p.ipVersion, aHi, aLo, aPort, bHi, bLo, bPort, hash, clientIsSrc == srcIsA,
                p.timestampNanos, syn, factory, config, bufferBudget, historyBudget, counters);
    }

    private void onUdp(DecodedPacket p) {
        DatagramFlow f = datagramFlow(p, p.srcPort, p.dstPort);
        boolean srcIsA = srcIsA(p, p.srcPort, p.dstPort);
        factory.onUdpDatagram(f.key, f.direction(srcIsA), p.payloadBuffer, p.payloadOffset, p.payloadLength,
                p.timestampNanos);
    }

    private void onIcmp(DecodedPacket p) {
        DatagramFlow f = datagramFlow(p, 0, 0);
        boolean srcIsA = srcIsA(p, 0, 0);
        int type = p.icmpType;
        if (isEchoRequest(p.protocol, type)) {
            boolean senderIsClient = f.direction(srcIsA) == Direction.CLIENT_TO_SERVER;
            factory.onIcmp(senderIsClient ? f.key : f.reversedKey(), Direction.CLIENT_TO_SERVER, type, p.icmpCode,
                    p.payloadBuffer, p.payloadOffset, p.payloadLength, p.timestampNanos);
        } else if (isEchoReply(p.protocol, type)) {
            boolean receiverIsClient = f.direction(srcIsA) == Direction.SERVER_TO_CLIENT;
            factory.onIcmp(receiverIsClient ? f.key : f.reversedKey(), Direction.SERVER_TO_CLIENT, type,
                    p.icmpCode, p.payloadBuffer, p.payloadOffset, p.payloadLength, p.timestampNanos);
        } else {
            factory.onIcmp(f.key, f.direction(srcIsA), type, p.icmpCode, p.payloadBuffer, p.payloadOffset,
                    p.payloadLength, p.timestampNanos);
        }
    }

    private static boolean isEchoRequest(int protocol, int type) {
        return protocol == DecodedPacket.PROTO_ICMP ? type == 8 : type == 128;
    }

    private static boolean isEchoReply(int protocol, int type) {
        return protocol == DecodedPacket.PROTO_ICMP ? type == 0 : type == 129;
    }

    /** Finds or creates the UDP/ICMP flow of a packet and marks it active. */
    private DatagramFlow datagramFlow(DecodedPacket p, int srcPort, int dstPort) {
        boolean srcIsA = srcIsA(p, srcPort, dstPort);
        long aHi = srcIsA ? p.srcHi : p.dstHi;
        long aLo = srcIsA ? p.srcLo : p.dstLo;
        int aPort = srcIsA ? srcPort : dstPort;
        long bHi = srcIsA ? p.dstHi : p.srcHi;
        long bLo = srcIsA ? p.dstLo : p.srcLo;
        int bPort = srcIsA ? dstPort : srcPort;
        int hash = index.hash(p.ipVersion, p.protocol, aHi, aLo, aPort, bHi, bLo, bPort);
        DatagramFlow f = (DatagramFlow) index.find(hash, p.ipVersion, p.protocol, aHi, aLo, aPort, bHi, bLo, bPort);
        if (f == null) {
            boolean clientIsSrc;
            if (p.protocol == DecodedPacket.PROTO_UDP) {
                clientIsSrc = ServicePorts.udpServerIsDestination(srcPort, dstPort);
                counters.udpFlows++;
            } else {
                clientIsSrc = !isEchoReply(p.protocol, p.icmpType);
                counters.icmpFlows++;
            }
            counters.flowsSeen++;
            makeRoom();
            f = new DatagramFlow(p.ipVersion, p.protocol, aHi, aLo, aPort, bHi, bLo, bPort, hash,
                    clientIsSrc == srcIsA, p.timestampNanos);
            add(f);
        }
        f.lastActive = now;
        active.moveToNewest(f);
        return f;
    }

    /** Canonical order: endpoint A is the lower (address, port); ties (same endpoint both ways) count src as A. */
    private static boolean srcIsA(DecodedPacket p, int srcPort, int dstPort) {
        int c = Long.compareUnsigned(p.srcHi, p.dstHi);
        if (c == 0) {
            c = Long.compareUnsigned(p.srcLo, p.dstLo);
        }
        if (c == 0) {
            c = Integer.compare(srcPort, dstPort);
        }
        return c <= 0;
    }

    private void add(Flow f) {
        f.lastActive = now;
        index.insert(f);
        active.addNewest(f);
        counters.concurrentFlowsMax = Math.max(counters.concurrentFlowsMax, index.size());
    }

    /** Frees a slot when the table is full: a lingering closed connection first, else the least recently active flow. */
    private void makeRoom() {
        while (index.size() >= config.maxFlows()) {
            Flow victim = closed.oldest();
            if (victim == null) {
                victim = active.oldest();
                counters.capacityEvictions++;
                if (victim instanceof TcpConnection c && !c.closed()) {
                    c.finish(StreamEnd.EVICTED, now);
                }
            }
            drop(victim);
        }
    }

    private void evictIdle() {
        for (Flow f = closed.oldest(); f != null && now - f.lastActive >= config.closedLingerNanos();
             f = closed.oldest()) {
            drop(f);
        }
        for (Flow f = active.oldest(); f != null && now - f.lastActive >= config.idleTimeoutNanos();
             f = active.oldest()) {
            counters.idleEvictions++;
            if (f instanceof TcpConnection c && !c.closed()) {
                c.finish(StreamEnd.IDLE_TIMEOUT, now);
            }
            drop(f);
        }
    }

    private void drop(Flow f) {
        f.list.remove(f);
        index.remove(f);
    }
}
