package org.egressaudit.analyzers.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Records what the flow layer hands over and checks the contract as it goes: offsets contiguous (data and gaps
 * each start where the previous ended), nothing after onEnd, onEnd once, onClose once after both onEnd.
 */
final class RecordingFactory implements FlowHandlerFactory {
    final List<Connection> connections = new ArrayList<>();
    final List<String> datagrams = new ArrayList<>();
    int captureEnds;
    int closesAtCaptureEnd = -1;

    @Override
    public TcpConnectionHandler newTcpConnection(FlowKey key, long firstSeenNanos, boolean handshakeSeen) {
        Connection c = new Connection(key, handshakeSeen);
        connections.add(c);
        return c;
    }

    @Override
    public void onUdpDatagram(FlowKey key, Direction direction, ByteBuffer buffer, int offset, int length,
                              long timestampNanos) {
        datagrams.add(key + " " + direction + " " + text(buffer, offset, length));
    }

    @Override
    public void onIcmp(FlowKey key, Direction direction, int type, int code, ByteBuffer buffer, int offset,
                       int length, long timestampNanos) {
        datagrams.add(key + " " + direction + " type " + type);
    }

    @Override
    public void onCaptureEnd(long lastTimestampNanos) {
        captureEnds++;
        closesAtCaptureEnd = (int) connections.stream().filter(c -> c.stats != null).count();
    }

    Connection only() {
        assertEquals(1, connections.size(), "connections");
        return connections.get(0);
    }

    static String text(ByteBuffer b, int off, int len) {
        byte[] out = new byte[len];
        b.get(off, out, 0, len);
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    static final class Connection implements TcpConnectionHandler {
        final FlowKey key;
        final boolean handshakeSeen;
        final Stream c2s = new Stream();
        final Stream s2c = new Stream();
        TcpFlowStats stats;

        Connection(FlowKey key, boolean handshakeSeen) {
            this.key = key;
            this.handshakeSeen = handshakeSeen;
        }

        @Override
        public StreamListener clientToServer() {
            return c2s;
        }

        @Override
        public StreamListener serverToClient() {
            return s2c;
        }

        @Override
        public void onClose(TcpFlowStats stats) {
            assertTrue(this.stats == null, "onClose twice");
            assertTrue(c2s.end != null && s2c.end != null, "onClose before both onEnd");
            this.stats = stats;
        }
    }

    static final class Stream implements StreamListener {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        /** Data with each gap shown as {@code [gap N]}. */
        final StringBuilder view = new StringBuilder();
        final List<String> events = new ArrayList<>();
        final List<ByteBuffer> buffers = new ArrayList<>();
        long next;
        StreamEnd end;

        @Override
        public void onData(ByteBuffer buffer, int offset, int length, long streamOffset, long timestampNanos) {
            assertTrue(end == null, "data after end");
            assertEquals(next, streamOffset, "data offset");
            assertTrue(length > 0, "empty data");
            byte[] b = new byte[length];
            buffer.get(offset, b, 0, length);
            data.writeBytes(b);
            view.append(new String(b, StandardCharsets.ISO_8859_1));
            events.add("data " + streamOffset + "+" + length);
            buffers.add(buffer);
            next += length;
        }

        @Override
        public void onGap(long streamOffset, long length, long timestampNanos) {
            assertTrue(end == null, "gap after end");
            assertEquals(next, streamOffset, "gap offset");
            assertTrue(length > 0, "empty gap");
            view.append("[gap ").append(length).append(']');
            events.add("gap " + streamOffset + "+" + length);
            next += length;
        }

        @Override
        public void onEnd(StreamEnd end, long timestampNanos) {
            assertFalse(this.end != null, "onEnd twice");
            this.end = end;
            events.add("end " + end);
        }

        String text() {
            return data.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
