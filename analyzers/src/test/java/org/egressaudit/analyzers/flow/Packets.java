package org.egressaudit.analyzers.flow;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.egressaudit.analyzers.packet.DecodedPacket;

/** Builds {@link DecodedPacket}s directly, payload in a heap buffer at a non-zero offset. */
final class Packets {
    static final long CLIENT = ip4(192, 0, 2, 10);
    static final long SERVER = ip4(203, 0, 113, 5);
    static final int SYN = DecodedPacket.TCP_SYN;
    static final int ACK = DecodedPacket.TCP_ACK;
    static final int FIN = DecodedPacket.TCP_FIN;
    static final int RST = DecodedPacket.TCP_RST;
    static final int PSH = DecodedPacket.TCP_PSH;
    private static final int PAYLOAD_PREFIX = 7;

    private static long index;

    private Packets() {
    }

    static long ip4(int a, int b, int c, int d) {
        return ((long) a << 24) | ((long) b << 16) | ((long) c << 8) | d;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static DecodedPacket tcp(long src, int srcPort, long dst, int dstPort, long seq, long ack, int flags,
                             byte[] payload, long ts) {
        DecodedPacket p = new DecodedPacket();
        p.ipVersion = 4;
        p.protocol = DecodedPacket.PROTO_TCP;
        p.srcLo = src;
        p.dstLo = dst;
        p.srcPort = srcPort;
        p.dstPort = dstPort;
        p.tcpSeq = seq & 0xFFFF_FFFFL;
        p.tcpAck = ack & 0xFFFF_FFFFL;
        p.tcpFlags = flags;
        p.vlanId = -1;
        setPayload(p, payload);
        p.timestampNanos = ts;
        p.packetIndex = index++;
        return p;
    }

    static DecodedPacket udp(long src, int srcPort, long dst, int dstPort, byte[] payload, long ts) {
        DecodedPacket p = tcp(src, srcPort, dst, dstPort, 0, 0, 0, payload, ts);
        p.protocol = DecodedPacket.PROTO_UDP;
        return p;
    }

    static DecodedPacket icmp(long src, long dst, int type, byte[] payload, long ts) {
        DecodedPacket p = tcp(src, 0, dst, 0, 0, 0, 0, payload, ts);
        p.protocol = DecodedPacket.PROTO_ICMP;
        p.icmpType = type;
        return p;
    }

    static void setPayload(DecodedPacket p, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(payload.length + PAYLOAD_PREFIX + 3);
        b.put(PAYLOAD_PREFIX, payload);
        p.payloadBuffer = b;
        p.payloadOffset = PAYLOAD_PREFIX;
        p.payloadLength = payload.length;
    }
}
