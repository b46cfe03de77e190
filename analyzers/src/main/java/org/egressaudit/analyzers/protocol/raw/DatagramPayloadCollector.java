package org.egressaudit.analyzers.protocol.raw;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.protocol.ProtocolContext;

/**
 * Payloads of UDP datagrams that are not DNS, and of ICMP messages, analysed as one concatenated stream per
 * flow: data split over many datagrams (or pings) is found the same way as in a TCP stream. Only the client's
 * payload is content; the server's is counted and reported as an event. UDP accumulates per flow, ICMP per
 * (client, server) pair; everything is flushed at the end of the capture, or earlier when more than
 * {@link RawLimits#maxOpenDatagramFlows()} flows are open (least recently active first).
 */
public final class DatagramPayloadCollector {

    private static final class FlowState {
        final FlowKey key;
        final StreamPieceCollector client;
        long clientDatagrams;
        long clientBytes;
        long serverDatagrams;
        long serverBytes;
        long lastNanos;
        final TreeSet<String> icmpTypes = new TreeSet<>();

        FlowState(FlowKey key, StreamPieceCollector client) {
            this.key = key;
            this.client = client;
        }
    }

    private final ProtocolContext context;
    private final RawLimits limits;
    private final LinkedHashMap<FlowKey, FlowState> open = new LinkedHashMap<>(64, 0.75f, true);
    private long evictions;

    public DatagramPayloadCollector(ProtocolContext context, RawLimits limits) {
        this.context = context;
        this.limits = limits;
    }

    public void onUdp(FlowKey key, Direction direction, ByteBuffer buffer, int offset, int length,
                      long timestampNanos) {
        add(key, direction, buffer, offset, length, timestampNanos, null);
    }

    /** {@code key} may carry ICMP ids in its ports; payloads are grouped per address pair regardless. */
    public void onIcmp(FlowKey key, Direction direction, int type, int code, ByteBuffer buffer, int offset,
                       int length, long timestampNanos) {
        FlowKey pair = new FlowKey(key.ipVersion(), key.protocol(), key.clientHi(), key.clientLo(), 0,
                key.serverHi(), key.serverLo(), 0);
        add(pair, direction, buffer, offset, length, timestampNanos, type + "/" + code);
    }

    private void add(FlowKey key, Direction direction, ByteBuffer buffer, int offset, int length, long ts,
                     String icmpType) {
        FlowState s = open.get(key);
        if (s == null) {
            s = new FlowState(key, newCollector(key));
            open.put(key, s);
            if (open.size() > limits.maxOpenDatagramFlows()) {
                Iterator<FlowState> it = open.values().iterator();
                FlowState eldest = it.next();
                it.remove();
                evictions++;
                eldest.client.addNote("flushed early: more than " + limits.maxOpenDatagramFlows()
                        + " datagram flows open");
                flush(eldest);
            }
        }
        s.lastNanos = ts;
        if (icmpType != null && s.icmpTypes.size() < 16) {
            s.icmpTypes.add((direction == Direction.CLIENT_TO_SERVER ? "c:" : "s:") + icmpType);
        }
        if (direction == Direction.CLIENT_TO_SERVER) {
            s.clientDatagrams++;
            s.client.append(buffer, offset, length, s.clientBytes, ts);
            s.clientBytes += length;
        } else {
            s.serverDatagrams++;
            s.serverBytes += length;
        }
    }

    private StreamPieceCollector newCollector(FlowKey key) {
        boolean udp = key.protocol() == 17;
        String addr = key.ipVersion() == 6 ? "[" + key.serverAddress() + "]" : key.serverAddress();
        String summary = udp ? "udp payload to " + addr + ":" + key.serverPort() : "icmp payload to " + key.serverAddress();
        return new StreamPieceCollector(context, key, Direction.CLIENT_TO_SERVER, udp ? "udp" : "icmp",
                key.serverAddress(), summary, udp ? "udp-payload" : "icmp-payload");
    }

    private void flush(FlowState s) {
        s.client.putAttribute("datagrams", Long.toString(s.clientDatagrams));
        s.client.putAttribute("client-bytes", Long.toString(s.clientBytes));
        s.client.putAttribute("server-datagrams", Long.toString(s.serverDatagrams));
        s.client.putAttribute("server-bytes", Long.toString(s.serverBytes));
        if (!s.icmpTypes.isEmpty()) {
            s.client.putAttribute("icmp-types", String.join(",", s.icmpTypes));
        }
        s.client.finish();
        if (s.serverDatagrams > 0) {
            context.sink().event(s.key, Direction.SERVER_TO_CLIENT, s.key.protocol() == 17 ? "udp-flow" : "icmp-flow",
                    s.serverDatagrams + " datagrams, " + s.serverBytes + " payload bytes from the server",
                    s.lastNanos);
        }
    }

    /** End of capture: every open flow becomes its final transmission. */
    public void finish(long lastTimestampNanos) {
        for (FlowState s : open.values()) {
            flush(s);
        }
        open.clear();
    }

    public int openFlows() {
        return open.size();
    }

    public long evictions() {
        return evictions;
    }

    Map<FlowKey, ?> openForTest() {
        return open;
    }
}
