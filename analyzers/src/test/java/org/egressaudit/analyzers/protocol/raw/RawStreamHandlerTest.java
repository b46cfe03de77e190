package org.egressaudit.analyzers.protocol.raw;

import static org.egressaudit.analyzers.protocol.AppLayerTestSink.feed;
import static org.egressaudit.analyzers.protocol.AppLayerTestSink.root;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.protocol.AppLayerTestSink;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.Transmission;
import org.junit.jupiter.api.Test;

class RawStreamHandlerTest {
    private static final FlowKey KEY = AppLayerTestSink.tcp(40000, 9000);

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void close(RawStreamHandler h) {
        h.clientToServer().onEnd(StreamEnd.FIN, 100);
        h.serverToClient().onEnd(StreamEnd.FIN, 100);
        h.onClose(null);
    }

    @Test
    void smallStreamIsOnePieceWithItsMetadata() {
        AppLayerTestSink sink = new AppLayerTestSink();
        RawStreamHandler h = new RawStreamHandler(KEY, sink.context(), RawLimits.DEFAULTS);
        byte[] data = random(5000, 1);
        feed(h.clientToServer(), data, 7, 1, 100, 4000);
        close(h);
        List<Transmission> c2s = sink.transmissions(t -> t.direction() == Direction.CLIENT_TO_SERVER);
        assertEquals(1, c2s.size());
        Transmission t = c2s.get(0);
        assertEquals("tcp", t.protocol());
        assertEquals("203.0.113.5", t.destination());
        assertEquals("tcp stream to 203.0.113.5:9000", t.summary());
        assertEquals(0, t.streamOffset());
        assertArrayEquals(data, root(t, "tcp-stream"));
        assertEquals("5000", t.attributes().get("client-bytes"));
        assertTrue(t.reservedBytes() >= data.length);
    }

    @Test
    void gapEndsThePieceAndIsNoted() {
        AppLayerTestSink sink = new AppLayerTestSink();
        RawStreamHandler h = new RawStreamHandler(KEY, sink.context(), RawLimits.DEFAULTS);
        byte[] data = random(3000, 2);
        h.clientToServer().onData(ByteBuffer.wrap(data), 0, 1000, 0, 1);
        h.clientToServer().onGap(1000, 500, 2);
        h.clientToServer().onData(ByteBuffer.wrap(data), 1500, 1500, 1500, 3);
        close(h);
        List<Transmission> c2s = sink.transmissions(t -> t.direction() == Direction.CLIENT_TO_SERVER);
        assertEquals(2, c2s.size());
        assertArrayEquals(Arrays.copyOf(data, 1000), root(c2s.get(0), "tcp-stream"));
        assertArrayEquals(Arrays.copyOfRange(data, 1500, 3000), root(c2s.get(1), "tcp-stream"));
        assertEquals(0, c2s.get(0).streamOffset());
        assertEquals(1500, c2s.get(1).streamOffset());
        assertTrue(c2s.get(0).notes().contains("500 bytes missing at stream offset 1000"));
        assertTrue(c2s.get(1).notes().contains("500 bytes missing at stream offset 1000"));
    }

    @Test
    void largeStreamIsCutIntoOverlappingPieces() {
        AppLayerTestSink sink = new AppLayerTestSink();
        ProtocolContext ctx = sink.context(4096, 256, 1 << 20);
        RawStreamHandler h = new RawStreamHandler(KEY, ctx, RawLimits.DEFAULTS);
        byte[] data = random(20_000, 3);
        for (int p = 0; p < data.length; p += 1460) {
            h.clientToServer().onData(ByteBuffer.wrap(data), p, Math.min(1460, data.length - p), p, p);
        }
        close(h);
        List<Transmission> pieces = sink.withRoot("tcp-stream");
        assertTrue(pieces.size() >= 5);
        long covered = 0;
        for (Transmission t : pieces) {
            byte[] b = root(t, "tcp-stream");
            int off = (int) t.streamOffset();
            assertArrayEquals(Arrays.copyOfRange(data, off, off + b.length), b);
            assertTrue(off <= covered, "no hole before offset " + off);
            covered = off + b.length;
        }
        assertEquals(data.length, covered);
        long reserved = pieces.stream().mapToLong(Transmission::reservedBytes).sum();
        assertEquals(reserved, ctx.budget().used(), "every reserved byte is carried by a transmission");
    }

    @Test
    void budgetExhaustionSplitsAndCountsOpaque() {
        AppLayerTestSink sink = new AppLayerTestSink();
        ProtocolContext ctx = sink.context(4096, 256, 8192);
        RawStreamHandler h = new RawStreamHandler(KEY, ctx, RawLimits.DEFAULTS);
        byte[] data = random(30_000, 4);
        for (int p = 0; p < data.length; p += 1000) {
            h.clientToServer().onData(ByteBuffer.wrap(data), p, 1000, p, p);
        }
        close(h);
        long buffered = 0;
        long opaque = 0;
        for (Transmission t : sink.transmissions) {
            opaque += t.opaqueBytes();
            if (!t.roots().isEmpty()) {
                byte[] b = root(t, "tcp-stream");
                int off = (int) t.streamOffset();
                assertArrayEquals(Arrays.copyOfRange(data, off, off + b.length), b, "pieces stay contiguous");
                buffered += b.length;
            }
        }
        assertTrue(opaque > 0);
        assertTrue(sink.transmissions.stream().flatMap(t -> t.notes().stream())
                .anyMatch(n -> n.contains("memory budget exhausted")));
        assertTrue(buffered + opaque >= data.length, buffered + " + " + opaque);
    }

    @Test
    void serverBytesAreCountedAndSampled() {
        AppLayerTestSink sink = new AppLayerTestSink();
        RawStreamHandler h = new RawStreamHandler(KEY, sink.context(), new RawLimits(100, 10));
        byte[] banner = random(1000, 5);
        feed(h.serverToClient(), banner, 1, 30, 60);
        h.clientToServer().onData(ByteBuffer.wrap(new byte[] {'x'}), 0, 1, 0, 2);
        close(h);
        Transmission s2c = sink.transmissions(t -> t.direction() == Direction.SERVER_TO_CLIENT).get(0);
        assertEquals("1000", s2c.attributes().get("server-bytes"));
        assertArrayEquals(Arrays.copyOf(banner, 100), root(s2c, "tcp-stream"));
        assertTrue(s2c.roots().get(0).truncated());
        assertEquals(1000, s2c.roots().get(0).declaredLength());
        Transmission c2s = sink.transmissions(t -> t.direction() == Direction.CLIENT_TO_SERVER).get(0);
        assertEquals("1000", c2s.attributes().get("server-bytes"));
    }

    @Test
    void emptyConnectionEmitsNothing() {
        AppLayerTestSink sink = new AppLayerTestSink();
        RawStreamHandler h = new RawStreamHandler(KEY, sink.context(), RawLimits.DEFAULTS);
        close(h);
        assertEquals(0, sink.transmissions.size());
    }
}
