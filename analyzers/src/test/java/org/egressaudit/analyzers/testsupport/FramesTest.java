package org.egressaudit.analyzers.testsupport;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FramesTest {

    private static long pseudo(String src, String dst, int proto, int len) {
        byte[] s = Frames.addr(src);
        byte[] d = Frames.addr(dst);
        long sum = proto + len;
        for (int i = 0; i < s.length; i += 2) {
            sum += ((s[i] & 0xFF) << 8 | (s[i + 1] & 0xFF)) + ((d[i] & 0xFF) << 8 | (d[i + 1] & 0xFF));
        }
        return sum;
    }

    @Test
    void ipv4TcpChecksumsVerify() {
        byte[] ip = Frames.tcp("10.0.0.2", 40000, "192.0.2.10", 80).seq(7).flags(Frames.ACK | Frames.PSH).packet("hello".getBytes());
        assertTrue(Frames.verifies(ip, 0, 20, 0));
        assertTrue(Frames.verifies(ip, 20, ip.length - 20, pseudo("10.0.0.2", "192.0.2.10", 6, ip.length - 20)));
        assertEquals(ip.length, ((ip[2] & 0xFF) << 8) | (ip[3] & 0xFF));
    }

    @Test
    void ipv6UdpChecksumVerifiesAndExtHeadersChain() {
        byte[] udp = Frames.udp("2001:db8::1", 5353, "2001:db8::2", 53, new byte[] {1, 2, 3});
        byte[] ip = Frames.ipv6("2001:db8::1", "2001:db8::2", 17, udp, Frames.hopByHop(), Frames.destinationOptions());
        assertEquals(0, ip[6]);          // hop-by-hop first
        assertEquals(60, ip[40]);        // then destination options
        assertEquals(17, ip[48]);        // then UDP
        assertTrue(Frames.verifies(udp, 0, udp.length, pseudo("2001:db8::1", "2001:db8::2", 17, udp.length)));
    }

    @Test
    void ipv4FragmentsCoverThePayload() {
        byte[] ip = Frames.ipv4("192.0.2.1", "192.0.2.2", 17, new byte[100]);
        List<byte[]> frags = Frames.fragmentIpv4(ip, 30);
        assertEquals(5, frags.size()); // 24+24+24+24+4
        int total = 0;
        for (byte[] f : frags) {
            assertTrue(Frames.verifies(f, 0, 20, 0));
            total += f.length - 20;
        }
        assertEquals(100, total);
        assertEquals(0, frags.get(4)[6] & 0x20); // last has MF clear
    }

    @Test
    void tcpSessionSequenceNumbersWrap() {
        TcpSession s = TcpSession.of("10.0.0.2", 40000, "192.0.2.10", 80).clientIsn(0xFFFFFFF0L).mss(10).acks(false);
        s.clientSends(new byte[40]).close();
        assertEquals((0xFFFFFFF0L + 1 + 40 + 1) & 0xFFFFFFFFL, s.clientNextSeq());
        assertEquals(3 + 4 + 3, s.frames().size());
    }

    @Test
    void pcapWriterHeaderAndSnaplen(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path p = dir.resolve("a.pcap");
        try (PcapWriter w = new PcapWriter(p, ByteOrder.BIG_ENDIAN, true, 1, 64)) {
            w.write(1_500_000_123L, new byte[100]);
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p));
        assertEquals(0xa1b23c4d, b.getInt(0));
        assertEquals(1, b.getInt(24));
        assertEquals(500_000_123, b.getInt(28));
        assertEquals(64, b.getInt(32));
        assertEquals(100, b.getInt(36));
        assertEquals(24 + 16 + 64, b.capacity());
    }
}
