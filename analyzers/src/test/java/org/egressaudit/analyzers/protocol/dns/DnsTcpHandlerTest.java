package org.egressaudit.analyzers.protocol.dns;

import static org.egressaudit.analyzers.protocol.AppLayerTestSink.root;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.protocol.AppLayerTestSink;
import org.egressaudit.analyzers.protocol.Transmission;
import org.egressaudit.analyzers.protocol.raw.RawLimits;
import org.junit.jupiter.api.Test;

class DnsTcpHandlerTest {
    private final AppLayerTestSink sink = new AppLayerTestSink();
    private final DnsTcpHandler handler = new DnsTcpHandler(AppLayerTestSink.tcp(1000, 53), sink.context(),
            new DnsRecorder(sink.context(), DnsLimits.DEFAULTS), RawLimits.DEFAULTS);

    private static final byte[] Q1 = DnsWire.query(1, "first.example.test", 1);
    private static final byte[] Q2 = DnsWire.query(2, "second.example.test", 1);
    private static final byte[] STREAM = DnsWire.framed(Q1, Q2);

    private void close() {
        handler.clientToServer().onEnd(StreamEnd.FIN, 9);
        handler.serverToClient().onEnd(StreamEnd.FIN, 9);
        handler.onClose(null);
    }

    @Test
    void gapLosesFramingAndTheRestIsAnalysedRaw() {
        int q2Start = 2 + Q1.length;
        handler.clientToServer().onData(ByteBuffer.wrap(STREAM), 0, q2Start + 5, 0, 1);
        handler.clientToServer().onGap(q2Start + 5, 4, 2);
        int resume = q2Start + 9;
        handler.clientToServer().onData(ByteBuffer.wrap(STREAM), resume, STREAM.length - resume, resume, 3);
        close();
        assertEquals(1, sink.queries.size(), "only the first message was framed intact");
        // The unfinished second message is recorded as a malformed message with its bytes as content.
        Transmission partial = sink.withRoot("dns-message").get(0);
        assertArrayEquals(Arrays.copyOf(Q2, 3), root(partial, "dns-message"));
        Transmission raw = sink.withRoot("tcp-stream").get(0);
        assertEquals(resume, raw.streamOffset());
        assertArrayEquals(Arrays.copyOfRange(STREAM, resume, STREAM.length), root(raw, "tcp-stream"));
        assertTrue(raw.notes().contains("4 bytes missing at stream offset " + (q2Start + 5)), raw.notes().toString());
        assertEquals(1, sink.events("dns-tcp-desync").size());
    }

    @Test
    void streamEndingInsideAMessageKeepsItsBytes() {
        handler.clientToServer().onData(ByteBuffer.wrap(STREAM), 0, STREAM.length - 3, 0, 1);
        close();
        assertEquals(1, sink.queries.size());
        assertEquals(1, sink.events("dns-tcp-incomplete").size());
        assertArrayEquals(Arrays.copyOf(Q2, Q2.length - 3), root(sink.withRoot("dns-message").get(0), "dns-message"));
    }

    @Test
    void queryWithSmuggledRecordsKeepsTheWholeMessage() {
        byte[] q = DnsWire.header(5, 0x0100, 1, 0, 0, 1).name("x.example.test").u16(16).u16(1)
                .name("x.example.test").u16(16).u16(1).u32(0).u16(11).u8(10).raw("SECRET//XX".getBytes())
                .bytes();
        byte[] s = DnsWire.framed(q);
        handler.clientToServer().onData(ByteBuffer.wrap(s), 0, s.length, 0, 1);
        close();
        Transmission t = sink.withRoot("dns-name").get(0);
        assertArrayEquals(q, root(t, "dns-message"));
    }
}
