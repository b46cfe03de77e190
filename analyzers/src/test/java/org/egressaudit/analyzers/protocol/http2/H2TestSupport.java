package org.egressaudit.analyzers.protocol.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.content.MemoryBudget;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.flow.StreamListener;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.Transmission;
import org.egressaudit.analyzers.protocol.RecordingSink;

/** An in-memory sink and a driver for one HTTP/2 connection. */
final class H2TestSupport {

    static final FlowKey FLOW = new FlowKey(4, 6, 0, 0xC0000201L, 40000, 0, 0xCB007105L, 80);
    static final long TS = 1_000_000L;

    static final class Conn {
        final RecordingSink sink = new RecordingSink();
        final MemoryBudget budget;
        final TcpConnectionHandler handler;
        private long clientOffset;
        private long serverOffset;

        Conn() {
            this(1 << 20, 64, Http2Limits.DEFAULTS, 1L << 30);
        }

        Conn(Http2Limits limits) {
            this(1 << 20, 64, limits, 1L << 30);
        }

        Conn(int pieceSize, int overlap, Http2Limits limits, long budgetBytes) {
            budget = new MemoryBudget(budgetBytes);
            handler = new Http2ConnectionHandler(FLOW, new ProtocolContext(sink, budget, pieceSize, overlap), limits);
        }

        /** A connection whose handler {@code factory} creates from the context (e.g. {@code Http2Protocol::create}). */
        Conn(java.util.function.Function<ProtocolContext, TcpConnectionHandler> factory) {
            budget = new MemoryBudget(1L << 30);
            handler = factory.apply(new ProtocolContext(sink, budget, 1 << 20, 64));
        }

        Conn client(byte[]... parts) {
            for (byte[] b : parts) {
                feed(handler.clientToServer(), b, clientOffset);
                clientOffset += b.length;
            }
            return this;
        }

        Conn clientGap(long n) {
            handler.clientToServer().onGap(clientOffset, n, TS);
            clientOffset += n;
            return this;
        }

        Conn server(byte[]... parts) {
            for (byte[] b : parts) {
                feed(handler.serverToClient(), b, serverOffset);
                serverOffset += b.length;
            }
            return this;
        }

        List<Transmission> close() {
            handler.clientToServer().onEnd(StreamEnd.FIN, TS);
            handler.serverToClient().onEnd(StreamEnd.FIN, TS);
            handler.onClose(null);
            assertBudgetBalanced();
            return sink.transmissions;
        }

        void assertBudgetBalanced() {
            long held = sink.transmissions.stream().mapToLong(Transmission::reservedBytes).sum();
            assertEquals(budget.used(), held, "budget used vs reservedBytes of the transmissions");
        }

        List<Transmission> client() {
            return sink.of(Direction.CLIENT_TO_SERVER);
        }

        List<Transmission> server() {
            return sink.of(Direction.SERVER_TO_CLIENT);
        }
    }

    /** Feeds {@code data} as one onData call, from inside a larger heap buffer so offsets are exercised. */
    static void feed(StreamListener l, byte[] data, long streamOffset) {
        ByteBuffer buf = ByteBuffer.allocate(data.length + 7);
        buf.position(3);
        buf.put(data);
        buf.clear();
        l.onData(buf, 3, data.length, streamOffset, TS);
    }

    static String text(ContentObject o) {
        return new String(o.toByteArray(), StandardCharsets.ISO_8859_1);
    }

    static ContentObject root(Transmission t, String layer) {
        return t.roots().stream().filter(r -> r.layer().equals(layer)).findFirst()
                .orElseThrow(() -> new AssertionError("no root " + layer + " in " + describe(t)));
    }

    static List<String> layers(Transmission t) {
        return t.roots().stream().map(ContentObject::layer).toList();
    }

    /** Everything about a transmission except its id, for comparing runs fed in different splits. */
    static String describe(Transmission t) {
        StringBuilder sb = new StringBuilder();
        sb.append(t.direction()).append('|').append(t.protocol()).append('|').append(t.destination()).append('|')
                .append(t.summary()).append('|').append(t.streamOffset()).append('|').append(t.attributes())
                .append('|').append(t.notes());
        for (ContentObject r : t.roots()) {
            sb.append("\n  ").append(r.layer()).append(' ').append(r.length()).append('/').append(r.declaredLength())
                    .append(r.truncated() ? " truncated" : "").append(' ').append(r.hints()).append(" [")
                    .append(text(r)).append(']');
        }
        return sb.toString();
    }

    static List<String> describeAll(List<Transmission> ts) {
        return ts.stream().map(H2TestSupport::describe).toList();
    }

    private H2TestSupport() {
    }
}
