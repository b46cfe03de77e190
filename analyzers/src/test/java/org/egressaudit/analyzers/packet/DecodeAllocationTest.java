package org.egressaudit.analyzers.packet;

import org.egressaudit.analyzers.capture.CaptureReader;
import org.egressaudit.analyzers.capture.CaptureReaders;
import org.egressaudit.analyzers.capture.PacketRecord;
import org.egressaudit.analyzers.testsupport.Frames;
import org.egressaudit.analyzers.testsupport.PcapNgWriter;
import org.egressaudit.analyzers.testsupport.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves the read+decode hot path allocates nothing per packet: 200k packets must cost less than a small
 * fixed number of bytes in total (a per-packet allocation of even 16 bytes would be 3.2 MB).
 */
class DecodeAllocationTest {
    private static final int PACKETS = 200_000;
    private static final long BOUND = 2L << 20;

    @TempDir
    Path dir;

    private static byte[][] frames() {
        byte[] data = new byte[200];
        return new byte[][] {
                Frames.ethernet(Frames.tcp("10.0.0.2", 40000, "192.0.2.10", 80).seq(1).packet(data)),
                Frames.ethernet(Frames.tcp("2001:db8::2", 40000, "2001:db8::10", 443).packet(data), Frames.stag(10), Frames.vlan(20)),
                Frames.ethUdp("10.0.0.2", 5353, "192.0.2.53", 53, new byte[40]),
                Frames.ethernet(Frames.ipv6("2001:db8::2", "2001:db8::10", Frames.PROTO_UDP,
                        Frames.udp("2001:db8::2", 1, "2001:db8::10", 2, data), Frames.hopByHop())),
                Frames.ethernet(Frames.ipv4("10.0.0.2", "192.0.2.1", Frames.PROTO_ICMP, Frames.icmpEcho(true, 1, 2, data))),
        };
    }

    @Test
    void pcapReadAndDecodeDoesNotAllocatePerPacket() throws IOException {
        Path f = dir.resolve("alloc.pcap");
        byte[][] frames = frames();
        try (PcapWriter w = new PcapWriter(f, ByteOrder.LITTLE_ENDIAN, true, 1, 65535)) {
            for (int i = 0; i < PACKETS; i++) {
                w.write(1_700_000_000_000_000_000L + i * 1000L, frames[i % frames.length]);
            }
        }
        assertBounded(f);
    }

    @Test
    void pcapngReadAndDecodeDoesNotAllocatePerPacket() throws IOException {
        Path f = dir.resolve("alloc.pcapng");
        byte[][] frames = frames();
        try (PcapNgWriter w = new PcapNgWriter(f)) {
            w.addInterface(1, 65535, 9, 0);
            w.addInterface(1);
            for (int i = 0; i < PACKETS; i++) {
                w.writeEpb(i & 1, 1_700_000_000_000_000_000L + i * 1000L, frames[i % frames.length]);
            }
        }
        assertBounded(f);
    }

    private static void assertBounded(Path f) throws IOException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        PacketRecord record = new PacketRecord();
        DecodedPacket out = new DecodedPacket();
        PacketDecoder decoder = new PacketDecoder();
        long before = mx.getThreadAllocatedBytes(thread);
        long decoded = 0;
        long payloadBytes = 0;
        try (CaptureReader reader = CaptureReaders.open(f)) {
            while (reader.next(record)) {
                if (decoder.decode(record, out)) {
                    decoded++;
                    payloadBytes += out.payloadLength;
                }
            }
        }
        long allocated = mx.getThreadAllocatedBytes(thread) - before;
        assertEquals(PACKETS, decoded, decoder.stats().toString());
        assertTrue(payloadBytes > 0);
        assertTrue(allocated < BOUND, "allocated " + allocated + " bytes for " + PACKETS + " packets");
    }
}
