package org.egressaudit.analyzers.protocol.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsTcpStreamDecoderTest {
    private record Msg(byte[] bytes, long offset) {
    }

    private static final byte[] Q1 = DnsWire.query(1, "one.example.test", 1);
    private static final byte[] Q2 = DnsWire.query(2, "second-name.example.test", 28);
    private static final byte[] Q3 = DnsWire.query(3, "x.test", 16);
    private static final byte[] STREAM = DnsWire.framed(Q1, Q2, Q3);

    private static DnsTcpStreamDecoder decoder(List<Msg> out) {
        return new DnsTcpStreamDecoder((m, len, off, ts) -> out.add(new Msg(Arrays.copyOf(m, len), off)));
    }

    private static void check(List<Msg> out) {
        assertEquals(3, out.size());
        assertArrayEquals(Q1, out.get(0).bytes);
        assertArrayEquals(Q2, out.get(1).bytes);
        assertArrayEquals(Q3, out.get(2).bytes);
        assertEquals(0, out.get(0).offset);
        assertEquals(2 + Q1.length, out.get(1).offset);
        assertEquals(4 + Q1.length + Q2.length, out.get(2).offset);
    }

    @Test
    void splitAtEveryOffset() {
        for (int cut = 0; cut <= STREAM.length; cut++) {
            List<Msg> out = new ArrayList<>();
            DnsTcpStreamDecoder d = decoder(out);
            d.onData(ByteBuffer.wrap(STREAM), 0, cut, 0, 1);
            d.onData(ByteBuffer.wrap(STREAM), cut, STREAM.length - cut, cut, 2);
            check(out);
            assertEquals(0, d.pendingBytes(), "cut " + cut);
        }
    }

    @Test
    void splitAtEveryPairOfOffsets() {
        for (int a = 0; a <= STREAM.length; a++) {
            for (int b = a; b <= STREAM.length; b++) {
                List<Msg> out = new ArrayList<>();
                DnsTcpStreamDecoder d = decoder(out);
                d.onData(ByteBuffer.wrap(STREAM), 0, a, 0, 1);
                d.onData(ByteBuffer.wrap(STREAM), a, b - a, a, 1);
                d.onData(ByteBuffer.wrap(STREAM), b, STREAM.length - b, b, 1);
                check(out);
            }
        }
    }

    @Test
    void unfinishedMessageIsReportedAsPending() {
        List<Msg> out = new ArrayList<>();
        DnsTcpStreamDecoder d = decoder(out);
        d.onData(ByteBuffer.wrap(STREAM), 0, 2 + Q1.length + 5, 0, 1);
        assertEquals(1, out.size());
        assertEquals(5, d.pendingBytes());
        assertEquals(Q2.length, d.pendingDeclaredLength());
        assertArrayEquals(Arrays.copyOf(Q2, 3), d.pendingBody());
        assertEquals(2 + Q1.length, d.pendingOffset());
    }

    @Test
    void gapDesynchronises() {
        List<Msg> out = new ArrayList<>();
        DnsTcpStreamDecoder d = decoder(out);
        d.onData(ByteBuffer.wrap(STREAM), 0, 10, 0, 1);
        d.onGap();
        d.onData(ByteBuffer.wrap(STREAM), 20, STREAM.length - 20, 20, 1);
        assertTrue(d.desynchronised());
        assertEquals(0, out.size());
    }

    @Test
    void zeroLengthFramesAreSkipped() {
        byte[] s = new byte[2 + STREAM.length];
        System.arraycopy(STREAM, 0, s, 2, STREAM.length);
        List<Msg> out = new ArrayList<>();
        DnsTcpStreamDecoder d = decoder(out);
        d.onData(ByteBuffer.wrap(s), 0, s.length, 0, 1);
        assertEquals(3, out.size());
        assertEquals(1, d.emptyMessages());
    }
}
