package org.egressaudit.analyzers.packet;

import java.nio.ByteBuffer;

/**
 * Layer 3/4 view of one packet, filled in place by {@link PacketDecoder} so decoding allocates nothing.
 * Addresses are kept as two longs each (IPv4: {@code hi == 0}, address in the low 32 bits of {@code lo}).
 * The payload is a range of {@link #payloadBuffer}, valid until the next packet is decoded.
 */
public final class DecodedPacket {
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_ICMPV6 = 58;

    public static final int TCP_FIN = 0x01;
    public static final int TCP_SYN = 0x02;
    public static final int TCP_RST = 0x04;
    public static final int TCP_PSH = 0x08;
    public static final int TCP_ACK = 0x10;

    /** 4 or 6. */
    public int ipVersion;
    /** IP protocol number of the transport header (after IPv6 extension headers). */
    public int protocol;
    public long srcHi;
    public long srcLo;
    public long dstHi;
    public long dstLo;
    public int srcPort;
    public int dstPort;
    /** TCP sequence and acknowledgement numbers as unsigned 32-bit values. */
    public long tcpSeq;
    public long tcpAck;
    public int tcpFlags;
    /** ICMP type and code (ICMP and ICMPv6 only). */
    public int icmpType;
    public int icmpCode;
    /** Outermost VLAN ID, or -1. */
    public int vlanId;
    public ByteBuffer payloadBuffer;
    public int payloadOffset;
    public int payloadLength;
    /** True when the transport payload was cut by the capture's snap length. */
    public boolean payloadTruncated;
    /** True when this packet is a datagram reassembled from IP fragments. */
    public boolean reassembled;
    public long timestampNanos;
    public long packetIndex;

    public boolean isTcp() {
        return protocol == PROTO_TCP;
    }

    public boolean isUdp() {
        return protocol == PROTO_UDP;
    }

    public boolean isIcmp() {
        return protocol == PROTO_ICMP || protocol == PROTO_ICMPV6;
    }
}
