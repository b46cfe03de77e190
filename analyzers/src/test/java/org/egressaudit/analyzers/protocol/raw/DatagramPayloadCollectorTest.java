package org.egressaudit.analyzers.protocol.raw;

import static org.egressaudit.analyzers.protocol.AppLayerTestSink.root;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.protocol.AppLayerTestSink;
import org.egressaudit.analyzers.protocol.Transmission;
import org.junit.jupiter.api.Test;

class DatagramPayloadCollectorTest {

    @Test
    void udpPayloadsOfAFlowAreConcatenatedClientSideOnly() {
        AppLayerTestSink sink = new AppLayerTestSink();
        DatagramPayloadCollector c = new DatagramPayloadCollector(sink.context(), RawLimits.DEFAULTS);
        FlowKey f = AppLayerTestSink.udp(5555, 7777);
        Random rnd = new Random(1);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {
            byte[] d = new byte[1 + rnd.nextInt(1200)];
            rnd.nextBytes(d);
            byte[] framed = new byte[d.length + 10];
            System.arraycopy(d, 0, framed, 10, d.length);
            c.onUdp(f, Direction.CLIENT_TO_SERVER, ByteBuffer.wrap(framed), 10, d.length, i);
            expected.write(d, 0, d.length);
            c.onUdp(f, Direction.SERVER_TO_CLIENT, ByteBuffer.wrap(new byte[64]), 0, 64, i);
        }
        c.finish(100);
        List<Transmission> ts = sink.withRoot("udp-payload");
        assertEquals(1, ts.size());
        Transmission t = ts.get(0);
        assertArrayEquals(expected.toByteArray(), root(t, "udp-payload"));
        assertEquals("udp", t.protocol());
        assertEquals("udp payload to 203.0.113.5:7777", t.summary());
        assertEquals("50", t.attributes().get("datagrams"));
        assertEquals("3200", t.attributes().get("server-bytes"));
        assertEquals(1, sink.events("udp-flow").size());
    }

    @Test
    void icmpPayloadsAreGroupedPerAddressPair() {
        AppLayerTestSink sink = new AppLayerTestSink();
        DatagramPayloadCollector c = new DatagramPayloadCollector(sink.context(), RawLimits.DEFAULTS);
        FlowKey base = AppLayerTestSink.icmp();
        for (int i = 0; i < 3; i++) {
            // Different echo identifiers in the ports must not split the stream.
            FlowKey k = new FlowKey(4, 1, base.clientHi(), base.clientLo(), i, base.serverHi(), base.serverLo(), i);
            byte[] d = ("ping-" + i + ";").getBytes();
            c.onIcmp(k, Direction.CLIENT_TO_SERVER, 8, 0, ByteBuffer.wrap(d), 0, d.length, i);
            c.onIcmp(k, Direction.SERVER_TO_CLIENT, 0, 0, ByteBuffer.wrap(d), 0, d.length, i);
        }
        c.finish(10);
        Transmission t = sink.withRoot("icmp-payload").get(0);
        assertEquals("ping-0;ping-1;ping-2;", new String(root(t, "icmp-payload")));
        assertEquals("icmp", t.protocol());
        assertEquals("c:8/0,s:0/0", t.attributes().get("icmp-types"));
    }

    @Test
    void tooManyOpenFlowsFlushesTheLeastRecentlyActive() {
        AppLayerTestSink sink = new AppLayerTestSink();
        DatagramPayloadCollector c = new DatagramPayloadCollector(sink.context(), new RawLimits(0, 2));
        for (int i = 0; i < 5; i++) {
            c.onUdp(AppLayerTestSink.udp(1000 + i, 9), Direction.CLIENT_TO_SERVER, ByteBuffer.wrap(new byte[] {(byte) i}),
                    0, 1, i);
        }
        assertEquals(2, c.openFlows());
        assertEquals(3, sink.withRoot("udp-payload").size());
        assertTrue(sink.withRoot("udp-payload").get(0).notes().get(0).contains("flushed early"));
        c.finish(10);
        assertEquals(5, sink.withRoot("udp-payload").size());
    }
}
