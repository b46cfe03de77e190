package org.egressaudit.analyzers.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.flow.StreamListener;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.flow.TcpFlowStats;
import org.egressaudit.analyzers.protocol.raw.RawStreamHandler;

/**
 * Holds back the start of a TCP connection until its protocol is known, then creates that protocol's handler and
 * replays everything held (client and server data, gaps, ends, in arrival order and original segmentation) from
 * stream offset 0 before forwarding the rest.
 *
 * <p>Decision rule: recognisers are asked in order with the client's first bytes (at most
 * {@link DispatchLimits#maxRecognitionBytes()}); the first YES wins as long as no earlier recogniser still says
 * NEED_MORE. When the decision is forced (prefix full, a gap, an end, too much held, close) the first YES wins,
 * else raw. If the server sends data before the client sent any, the connection is raw (server-first protocols
 * such as SMTP or FTP are not among the recognisers).
 *
 * <p>A handler that throws on attacker input does not take the engine down: the error becomes an event and the
 * rest of the client stream (the failing call's bytes included) is analysed raw.
 */
final class RecognizingConnectionHandler implements TcpConnectionHandler {

    private sealed interface Held permits HeldData, HeldGap, HeldEnd {
        Direction direction();
    }

    private record HeldData(Direction direction, byte[] bytes, long streamOffset, long timestampNanos)
            implements Held {
    }

    private record HeldGap(Direction direction, long streamOffset, long length, long timestampNanos) implements Held {
    }

    private record HeldEnd(Direction direction, StreamEnd end, long timestampNanos) implements Held {
    }

    private final FlowKey key;
    private final boolean handshakeSeen;
    private final long firstSeenNanos;
    private final ProtocolContext context;
    private final List<TcpProtocol> protocols;
    private final Supplier<RawStreamHandler> rawFactory;
    private final DispatchLimits limits;

    private final byte[] prefix;
    private int prefixLength;
    private final List<Held> held = new ArrayList<>();
    private long heldServerBytes;
    private boolean clientSentData;

    private TcpConnectionHandler delegate;
    private String delegateName;
    /** Set when the delegate threw: the client stream continues here. */
    private RawStreamHandler fallback;
    private boolean delegateFailed;
    private boolean closed;

    RecognizingConnectionHandler(FlowKey key, boolean handshakeSeen, long firstSeenNanos, ProtocolContext context,
                                 List<TcpProtocol> protocols, Supplier<RawStreamHandler> rawFactory,
                                 DispatchLimits limits) {
        this.key = key;
        this.handshakeSeen = handshakeSeen;
        this.firstSeenNanos = firstSeenNanos;
        this.context = context;
        this.protocols = protocols;
        this.rawFactory = rawFactory;
        this.limits = limits;
        this.prefix = new byte[limits.maxRecognitionBytes()];
    }

    /** Name of the chosen protocol ("raw" for none), or null while undecided. */
    String chosenProtocol() {
        return delegateName;
    }

    private final StreamListener clientListener = new StreamListener() {
        @Override
        public void onData(ByteBuffer buffer, int offset, int length, long streamOffset, long timestampNanos) {
            if (delegate == null && length > 0) {
                clientSentData = true;
                int n = Math.min(length, prefix.length - prefixLength);
                buffer.get(offset, prefix, prefixLength, n);
                prefixLength += n;
                TcpProtocol chosen = null;
                boolean decided;
                if (prefixLength == prefix.length) {
                    chosen = choose();
                    decided = true;
                } else {
                    Object r = chooseOrPending();
                    decided = r != PENDING;
                    chosen = decided ? (TcpProtocol) r : null;
                }
                if (!decided) {
                    // Everything so far fits in the prefix, so holding a copy is bounded.
                    byte[] copy = new byte[length];
                    buffer.get(offset, copy, 0, length);
                    hold(new HeldData(Direction.CLIENT_TO_SERVER, copy, streamOffset, timestampNanos));
                    return;
                }
                start(chosen, timestampNanos, null);
            }
            if (delegate == null) {
                return; // empty data call while undecided: nothing to keep
            }
            deliverData(Direction.CLIENT_TO_SERVER, buffer, offset, length, streamOffset, timestampNanos);
        }

        @Override
        public void onGap(long streamOffset, long length, long timestampNanos) {
            if (delegate == null) {
                start(choose(), timestampNanos, "client bytes missing before recognition");
            }
            deliverGap(Direction.CLIENT_TO_SERVER, streamOffset, length, timestampNanos);
        }

        @Override
        public void onEnd(StreamEnd end, long timestampNanos) {
            if (delegate == null) {
                start(choose(), timestampNanos, null);
            }
            deliverEnd(Direction.CLIENT_TO_SERVER, end, timestampNanos);
        }
    };

    private final StreamListener serverListener = new StreamListener() {
        @Override
        public void onData(ByteBuffer buffer, int offset, int length, long streamOffset, long timestampNanos) {
            if (delegate == null && length > 0) {
                if (!clientSentData) {
                    start(null, timestampNanos, "server spoke first");
                } else if (heldServerBytes + length > limits.maxHeldServerBytes()) {
                    start(choose(), timestampNanos, null);
                } else {
                    byte[] copy = new byte[length];
                    buffer.get(offset, copy, 0, length);
                    heldServerBytes += length;
                    hold(new HeldData(Direction.SERVER_TO_CLIENT, copy, streamOffset, timestampNanos));
                    return;
                }
            }
            if (delegate == null) {
                return; // empty data call while undecided: nothing to keep
            }
            deliverData(Direction.SERVER_TO_CLIENT, buffer, offset, length, streamOffset, timestampNanos);
        }

        @Override
        public void onGap(long streamOffset, long length, long timestampNanos) {
            if (delegate == null) {
                hold(new HeldGap(Direction.SERVER_TO_CLIENT, streamOffset, length, timestampNanos));
                return;
            }
            deliverGap(Direction.SERVER_TO_CLIENT, streamOffset, length, timestampNanos);
        }

        @Override
        public void onEnd(StreamEnd end, long timestampNanos) {
            if (delegate == null) {
                hold(new HeldEnd(Direction.SERVER_TO_CLIENT, end, timestampNanos));
                return;
            }
            deliverEnd(Direction.SERVER_TO_CLIENT, end, timestampNanos);
        }
    };

    private void hold(Held h) {
        held.add(h);
        if (held.size() >= limits.maxHeldEvents()) {
            start(choose(), h instanceof HeldData d ? d.timestampNanos() : firstSeenNanos,
                    "more than " + limits.maxHeldEvents() + " stream events before recognition");
        }
    }

    private static final Object PENDING = new Object();

    /** The first YES if every earlier recogniser said NO; null (raw) if all said NO; PENDING otherwise. */
    private Object chooseOrPending() {
        for (TcpProtocol p : protocols) {
            TcpProtocol.Recognition r = recognize(p);
            if (r == TcpProtocol.Recognition.YES) {
                return p;
            }
            if (r == TcpProtocol.Recognition.NEED_MORE) {
                return PENDING;
            }
        }
        return null;
    }

    /** Forced decision: the first YES, else raw (null). */
    private TcpProtocol choose() {
        if (prefixLength == 0) {
            return null;
        }
        for (TcpProtocol p : protocols) {
            if (recognize(p) == TcpProtocol.Recognition.YES) {
                return p;
            }
        }
        return null;
    }

    private TcpProtocol.Recognition recognize(TcpProtocol p) {
        try {
            TcpProtocol.Recognition r = p.recognize(key, prefix, prefixLength);
            return r == null ? TcpProtocol.Recognition.NO : r;
        } catch (RuntimeException e) {
            context.sink().event(key, Direction.CLIENT_TO_SERVER, "analyzer-error",
                    p.name() + " recogniser failed: " + e, firstSeenNanos);
            return TcpProtocol.Recognition.NO;
        }
    }

    /** Creates the handler ({@code null} protocol = raw) and replays what was held. */
    private void start(TcpProtocol protocol, long timestampNanos, String reason) {
        if (delegate != null) {
            return;
        }
        TcpConnectionHandler h = null;
        String name = "raw";
        if (protocol != null) {
            try {
                h = protocol.create(key, handshakeSeen, firstSeenNanos, context);
                name = protocol.name();
            } catch (RuntimeException e) {
                context.sink().event(key, Direction.CLIENT_TO_SERVER, "analyzer-error",
                        protocol.name() + " handler could not be created: " + e, timestampNanos);
            }
        }
        if (h == null) {
            RawStreamHandler r = rawFactory.get();
            if (reason != null) {
                r.addNote("analysed as raw: " + reason);
            }
            h = r;
        }
        delegate = h;
        delegateName = name;
        context.sink().event(key, Direction.CLIENT_TO_SERVER, "protocol",
                name + (reason != null ? " (" + reason + ")" : ""), timestampNanos);
        List<Held> replay = new ArrayList<>(held);
        held.clear();
        for (Held e : replay) {
            if (e instanceof HeldData d) {
                if (d.bytes().length > 0) {
                    deliverData(d.direction(), ByteBuffer.wrap(d.bytes()), 0, d.bytes().length, d.streamOffset(),
                            d.timestampNanos());
                }
            } else if (e instanceof HeldGap g) {
                deliverGap(g.direction(), g.streamOffset(), g.length(), g.timestampNanos());
            } else if (e instanceof HeldEnd x) {
                deliverEnd(x.direction(), x.end(), x.timestampNanos());
            }
        }
    }

    private StreamListener target(Direction d) {
        if (fallback != null) {
            return d == Direction.CLIENT_TO_SERVER ? fallback.clientToServer() : fallback.serverToClient();
        }
        return d == Direction.CLIENT_TO_SERVER ? delegate.clientToServer() : delegate.serverToClient();
    }

    private void deliverData(Direction d, ByteBuffer buffer, int offset, int length, long streamOffset, long ts) {
        try {
            target(d).onData(buffer, offset, length, streamOffset, ts);
        } catch (RuntimeException e) {
            if (fail(e, ts)) {
                target(d).onData(buffer, offset, length, streamOffset, ts);
            }
        }
    }

    private void deliverGap(Direction d, long streamOffset, long length, long ts) {
        try {
            target(d).onGap(streamOffset, length, ts);
        } catch (RuntimeException e) {
            if (fail(e, ts)) {
                target(d).onGap(streamOffset, length, ts);
            }
        }
    }

    private void deliverEnd(Direction d, StreamEnd end, long ts) {
        try {
            target(d).onEnd(end, ts);
        } catch (RuntimeException e) {
            if (fail(e, ts)) {
                target(d).onEnd(end, ts);
            }
        }
    }

    /** Records a handler failure and switches to raw; false when raw itself failed (nothing left to try). */
    private boolean fail(RuntimeException e, long ts) {
        if (fallback != null) {
            context.sink().event(key, Direction.CLIENT_TO_SERVER, "analyzer-error", "raw handler failed: " + e, ts);
            return false;
        }
        delegateFailed = true;
        context.sink().event(key, Direction.CLIENT_TO_SERVER, "analyzer-error",
                delegateName + " handler failed, rest of the stream analysed raw: " + e, ts);
        fallback = rawFactory.get();
        fallback.addNote(delegateName + " handler failed: " + e);
        return true;
    }

    @Override
    public StreamListener clientToServer() {
        return clientListener;
    }

    @Override
    public StreamListener serverToClient() {
        return serverListener;
    }

    @Override
    public void onClose(TcpFlowStats stats) {
        if (closed) {
            return;
        }
        closed = true;
        if (delegate == null) {
            start(choose(), stats != null ? stats.lastNanos() : firstSeenNanos, null);
        }
        try {
            delegate.onClose(stats);
        } catch (RuntimeException e) {
            context.sink().event(key, Direction.CLIENT_TO_SERVER, "analyzer-error",
                    delegateName + " handler failed at close: " + e, stats != null ? stats.lastNanos() : 0);
        }
        if (fallback != null) {
            try {
                fallback.onClose(stats);
            } catch (RuntimeException e) {
                context.sink().event(key, Direction.CLIENT_TO_SERVER, "analyzer-error",
                        "raw handler failed at close: " + e, stats != null ? stats.lastNanos() : 0);
            }
        }
    }

    boolean delegateFailed() {
        return delegateFailed;
    }
}
