package org.egressaudit.analyzers.protocol.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.content.MemoryBudget;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.flow.StreamListener;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.Transmission;
import org.egressaudit.analyzers.protocol.RecordingSink;

/** An in-memory sink and helpers to drive one HTTP connection from byte strings. */
final class HttpTestSupport {

    static final FlowKey FLOW = new FlowKey(4, 6, 0, 0xC0000201L, 40000, 0, 0xCB007105L, 8080);
    static final long TS = 1_000_000L;

    /** One connection with its sink, budget and per-direction stream offsets. */
    static final class Conn {
        final RecordingSink sink = new RecordingSink();
        final MemoryBudget budget;
        final HttpConnectionHandler handler;
        private long clientOffset;
        private long serverOffset;

        Conn() {
            this(1 << 20, 64, HttpLimits.DEFAULTS, 1L << 30);
        }

        Conn(int pieceSize, int overlap, HttpLimits limits, long budgetBytes) {
            budget = new MemoryBudget(budgetBytes);
            handler = new HttpConnectionHandler(FLOW, new ProtocolContext(sink, budget, pieceSize, overlap), limits);
        }

        Conn client(String s) {
            return client(bytes(s));
        }

        Conn client(byte[] b) {
            feed(handler.clientToServer(), b, clientOffset);
            clientOffset += b.length;
            return this;
        }

        Conn clientGap(long n) {
            handler.clientToServer().onGap(clientOffset, n, TS);
            clientOffset += n;
            return this;
        }

        Conn server(String s) {
            byte[] b = bytes(s);
            feed(handler.serverToClient(), b, serverOffset);
            serverOffset += b.length;
            return this;
        }

        Conn serverGap(long n) {
            handler.serverToClient().onGap(serverOffset, n, TS);
            serverOffset += n;
            return this;
        }

        Conn endClient(StreamEnd end) {
            handler.clientToServer().onEnd(end, TS);
            return this;
        }

        Conn endServer(StreamEnd end) {
            handler.serverToClient().onEnd(end, TS);
            return this;
        }

        /** Ends both directions with FIN and checks that the budget holds exactly what the transmissions hold. */
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
    }

    /** Feeds {@code data} as one onData call, from inside a larger heap buffer so offsets are exercised. */
    static void feed(StreamListener l, byte[] data, long streamOffset) {
        ByteBuffer buf = ByteBuffer.allocate(data.length + 7);
        buf.position(3);
        buf.put(data);
        buf.clear();
        l.onData(buf, 3, data.length, streamOffset, TS);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
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
        return ts.stream().map(HttpTestSupport::describe).toList();
    }

    private HttpTestSupport() {
    }
}
