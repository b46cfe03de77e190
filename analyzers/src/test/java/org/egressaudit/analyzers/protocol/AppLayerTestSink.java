package org.egressaudit.analyzers.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.content.MemoryBudget;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamListener;

/** Records everything protocol handlers deliver; helpers to build flows and contexts for tests. */
public final class AppLayerTestSink implements TransmissionSink {
    public record Event(FlowKey flow, Direction direction, String kind, String detail, long timestampNanos) {
    }

    public record Query(FlowKey flow, Direction direction, String name, int qtype, long timestampNanos) {
    }

    public final List<Transmission> transmissions = new ArrayList<>();
    public final List<Event> events = new ArrayList<>();
    public final List<Query> queries = new ArrayList<>();
    private long ids;

    @Override
    public void accept(Transmission transmission) {
        transmissions.add(transmission);
    }

    @Override
    public long nextId() {
        return ids++;
    }

    @Override
    public void dnsQuery(FlowKey flow, Direction direction, String name, int qtype, long timestampNanos) {
        queries.add(new Query(flow, direction, name, qtype, timestampNanos));
    }

    @Override
    public void event(FlowKey flow, Direction direction, String kind, String detail, long timestampNanos) {
        events.add(new Event(flow, direction, kind, detail, timestampNanos));
    }

    public List<Transmission> transmissions(Predicate<Transmission> p) {
        return transmissions.stream().filter(p).toList();
    }

    public List<Transmission> withRoot(String layer) {
        return transmissions(t -> t.roots().stream().anyMatch(r -> r.layer().equals(layer)));
    }

    public List<Event> events(String kind) {
        return events.stream().filter(e -> e.kind().equals(kind)).toList();
    }

    public static byte[] root(Transmission t, String layer) {
        for (ContentObject r : t.roots()) {
            if (r.layer().equals(layer)) {
                return r.toByteArray();
            }
        }
        throw new AssertionError("no " + layer + " root in " + t);
    }

    public ProtocolContext context() {
        return context(1 << 20, 64, 64L << 20);
    }

    public ProtocolContext context(int pieceSize, int overlap, long budget) {
        return new ProtocolContext(this, new MemoryBudget(budget), pieceSize, overlap);
    }

    /** IPv4 TCP flow 192.0.2.10:clientPort -> 203.0.113.5:serverPort. */
    public static FlowKey tcp(int clientPort, int serverPort) {
        return new FlowKey(4, 6, 0, 0xC000020AL, clientPort, 0, 0xCB007105L, serverPort);
    }

    public static FlowKey udp(int clientPort, int serverPort) {
        return new FlowKey(4, 17, 0, 0xC000020AL, clientPort, 0, 0xCB007105L, serverPort);
    }

    public static FlowKey icmp() {
        return new FlowKey(4, 1, 0, 0xC000020AL, 0, 0, 0xCB007105L, 0);
    }

    /** Feeds {@code data} to a listener in pieces cut at {@code cuts} (ascending offsets), from stream offset 0. */
    public static void feed(StreamListener l, byte[] data, long ts, int... cuts) {
        int prev = 0;
        for (int c : cuts) {
            if (c > prev && c < data.length) {
                l.onData(ByteBuffer.wrap(data), prev, c - prev, prev, ts);
                prev = c;
            }
        }
        if (prev < data.length) {
            l.onData(ByteBuffer.wrap(data), prev, data.length - prev, prev, ts);
        }
    }

    /** Feeds one byte per call. */
    public static void feedBytewise(StreamListener l, byte[] data, long ts) {
        for (int i = 0; i < data.length; i++) {
            // Offset the slice inside a larger buffer so implementations cannot assume offset 0.
            byte[] padded = new byte[3];
            padded[1] = data[i];
            l.onData(ByteBuffer.wrap(padded), 1, 1, i, ts);
        }
    }
}
