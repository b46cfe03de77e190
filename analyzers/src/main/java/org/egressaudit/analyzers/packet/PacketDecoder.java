package org.egressaudit.analyzers.packet;

import org.egressaudit.analyzers.capture.LinkType;
import org.egressaudit.analyzers.capture.PacketRecord;
import org.egressaudit.analyzers.packet.DecodeStats.Anomaly;
import org.egressaudit.analyzers.packet.DecodeStats.Reason;

import java.nio.ByteBuffer;

/**
 * Decodes link layer, IP and transport headers of a captured frame into a {@link DecodedPacket}, in place.
 * Nothing is allocated unless the packet is an IP fragment (handed to the {@link IpDefragmenter}) or one of
 * the first warnings is recorded. Multi-byte fields are read byte by byte, so the record's buffer may have any
 * byte order.
 * <p>
 * Link layers: Ethernet with any stack of 802.1Q / 802.1ad / 0x9100 tags (the outermost VLAN id is reported),
 * Linux SLL and SLL2, BSD NULL (family in either byte order), OpenBSD LOOP, RAW, IPV4, IPV6. IPv4 header
 * length and total length are validated; the transport ends at min(total length, captured bytes), so
 * Ethernet padding is ignored. IPv6 extension headers are walked (hop-by-hop, routing, fragment,
 * destination options, AH, mobility, HIP, shim6). ESP, no-next-header and IP protocols other than TCP, UDP,
 * ICMP and ICMPv6 are delivered as opaque transports: {@code protocol} is set, ports are 0 and the payload
 * is the rest of the IP payload. For ICMP the payload starts 4 bytes into the ICMP header (so it includes
 * the echo identifier and sequence).
 * <p>
 * At the end of a capture call {@link #finish()} so incomplete fragmented datagrams are counted.
 */
public final class PacketDecoder {
    /** Stacked VLAN tags accepted; real networks use at most two or three. */
    public static final int MAX_VLAN_TAGS = 8;
    /** IPv6 extension headers walked before giving up. */
    public static final int MAX_EXTENSION_HEADERS = 16;
    private static final int DEFAULT_MAX_WARNINGS = 20;

    private final IpDefragmenter defragmenter;
    private final DecodeStats stats;

    // Scratch state of the packet being decoded (fields, not objects, to avoid allocation).
    private PacketRecord record;
    private DecodedPacket out;
    private int ipStart;
    private int linkVersion; // 4, 6, or 0 = from the version nibble
    private boolean holesFromSnap; // reassembled from a fragment the snap length cut: payload is incomplete

    public PacketDecoder() {
        this(new IpDefragmenter(DefragConfig.defaults()));
    }

    public PacketDecoder(IpDefragmenter defragmenter) {
        this.defragmenter = defragmenter;
        this.stats = new DecodeStats(DEFAULT_MAX_WARNINGS);
    }

    /**
     * Decodes {@code r} into {@code out}. Returns false when the frame is not IP, cannot be decoded, or is a
     * fragment whose datagram is not complete yet; the reason is counted in {@link #stats()}.
     */
    public boolean decode(PacketRecord r, DecodedPacket out) {
        this.record = r;
        this.out = out;
        this.holesFromSnap = false;
        reset(out, r);
        ByteBuffer b = r.buffer;
        int start = r.offset;
        int end = r.offset + r.capturedLength;
        if (!link(b, start, end)) {
            return false;
        }
        int version = linkVersion;
        if (ipStart >= end) {
            return fail(version == 6 ? Reason.IPV6_HEADER_TRUNCATED : Reason.IPV4_HEADER_TRUNCATED, "no bytes after the link header");
        }
        int nibble = (b.get(ipStart) & 0xF0) >> 4;
        if (version == 0) {
            version = nibble;
        }
        if (nibble != version || (version != 4 && version != 6)) {
            return fail(Reason.BAD_IP_VERSION, "IP version nibble " + nibble + " where the link layer announced IPv" + version);
        }
        return version == 4 ? ipv4(b, ipStart, end) : ipv6(b, ipStart, end);
    }

    /** End of capture: incomplete fragmented datagrams are counted in {@link #defragStats()}. */
    public void finish() {
        defragmenter.finish();
    }

    public DecodeStats stats() {
        return stats;
    }

    public DefragStats defragStats() {
        return defragmenter.stats();
    }

    public IpDefragmenter defragmenter() {
        return defragmenter;
    }

    // ------------------------------------------------------------------ link layer

    private boolean link(ByteBuffer b, int start, int end) {
        int len = end - start;
        switch (record.linkType) {
            case LinkType.ETHERNET -> {
                if (len < 14) {
                    return fail(Reason.LINK_HEADER_TRUNCATED, "Ethernet frame of " + len + " bytes");
                }
                return etherType(b, start + 14, end, u16(b, start + 12));
            }
            case LinkType.LINUX_SLL -> {
                if (len < 16) {
                    return fail(Reason.LINK_HEADER_TRUNCATED, "Linux SLL frame of " + len + " bytes");
                }
                return etherType(b, start + 16, end, u16(b, start + 14));
            }
            case LinkType.LINUX_SLL2 -> {
                if (len < 20) {
                    return fail(Reason.LINK_HEADER_TRUNCATED, "Linux SLL2 frame of " + len + " bytes");
                }
                return etherType(b, start + 20, end, u16(b, start));
            }
            case LinkType.NULL, LinkType.LOOP -> {
                if (len < 4) {
                    return fail(Reason.LINK_HEADER_TRUNCATED, "loopback frame of " + len + " bytes");
                }
                long be = u32(b, start);
                long le = Long.reverseBytes(be) >>> 32;
                // NULL is in the capturing host's order: a small value in one order is the family.
                long family = record.linkType == LinkType.LOOP || (be & 0xFFFF0000L) == 0 ? be : le;
                ipStart = start + 4;
                if (family == 2) {
                    linkVersion = 4;
                    return true;
                }
                if (family == 10 || family == 24 || family == 28 || family == 30) {
                    linkVersion = 6;
                    return true;
                }
                return fail(Reason.NOT_IP, null);
            }
            case LinkType.RAW -> {
                ipStart = start;
                linkVersion = 0;
                return true;
            }
            case LinkType.IPV4 -> {
                ipStart = start;
                linkVersion = 4;
                return true;
            }
            case LinkType.IPV6 -> {
                ipStart = start;
                linkVersion = 6;
                return true;
            }
            default -> {
                return fail(Reason.UNSUPPORTED_LINK_TYPE, "link type " + LinkType.name(record.linkType));
            }
        }
    }

    /** Follows VLAN tags from {@code p} (the byte after the first EtherType) to an IP EtherType. */
    private boolean etherType(ByteBuffer b, int p, int end, int type) {
        int tags = 0;
        while (type == 0x8100 || type == 0x88A8 || type == 0x9100 || type == 0x9200) {
            if (++tags > MAX_VLAN_TAGS) {
                return fail(Reason.TOO_MANY_VLAN_TAGS, "more than " + MAX_VLAN_TAGS + " VLAN tags");
            }
            if (p + 4 > end) {
                return fail(Reason.LINK_HEADER_TRUNCATED, "VLAN tag cut off");
            }
            if (tags == 1) {
                out.vlanId = u16(b, p) & 0x0FFF;
            }
            type = u16(b, p + 2);
            p += 4;
        }
        ipStart = p;
        if (type == 0x0800) {
            linkVersion = 4;
            return true;
        }
        if (type == 0x86DD) {
            linkVersion = 6;
            return true;
        }
        return fail(Reason.NOT_IP, null);
    }

    // ------------------------------------------------------------------ IP

    private boolean ipv4(ByteBuffer b, int p, int end) {
        if (end - p < 20) {
            return fail(Reason.IPV4_HEADER_TRUNCATED, "IPv4 header cut at " + (end - p) + " bytes");
        }
        int ihl = (b.get(p) & 0x0F) * 4;
        if (ihl < 20) {
            return fail(Reason.BAD_IPV4_HEADER, "IPv4 header length " + ihl);
        }
        if (p + ihl > end) {
            return fail(Reason.IPV4_HEADER_TRUNCATED, "IPv4 header of " + ihl + " bytes cut at " + (end - p));
        }
        int total = u16(b, p + 2);
        if (total == 0) {
            // TSO/GSO on the capturing host leaves the length 0 in oversized segments: trust the capture.
            stats.anomaly(Anomaly.IP_LENGTH_ZERO);
            total = end - p;
        } else if (total < ihl) {
            return fail(Reason.BAD_IPV4_HEADER, "IPv4 total length " + total + " below header length " + ihl);
        }
        int declaredEnd = p + total;
        if (declaredEnd > end && !snapped()) {
            anomaly(Anomaly.IP_LENGTH_EXCEEDS_FRAME, "IPv4 total length " + total + " exceeds the " + (end - p) + " bytes of the frame");
        }
        int availEnd = Math.min(declaredEnd, end);
        out.ipVersion = 4;
        int protocol = b.get(p + 9) & 0xFF;
        out.protocol = protocol;
        out.srcHi = 0;
        out.srcLo = u32(b, p + 12);
        out.dstHi = 0;
        out.dstLo = u32(b, p + 16);
        int ff = u16(b, p + 6);
        boolean more = (ff & 0x2000) != 0;
        int fragOffset = (ff & 0x1FFF) * 8;
        if (more || fragOffset != 0) {
            IpDefragmenter.Offer o = defragmenter.offer(4, 0, out.srcLo, 0, out.dstLo, u16(b, p + 4), protocol,
                    fragOffset, more, b, p + ihl, availEnd - (p + ihl), total - ihl, record.timestampNanos, record.index);
            return reassembledTransport(o, protocol);
        }
        return transport(b, protocol, p + ihl, declaredEnd, availEnd);
    }

    private boolean ipv6(ByteBuffer b, int p, int end) {
        if (end - p < 40) {
            return fail(Reason.IPV6_HEADER_TRUNCATED, "IPv6 header cut at " + (end - p) + " bytes");
        }
        int payloadLength = u16(b, p + 4);
        int declaredEnd;
        if (payloadLength == 0) {
            declaredEnd = end; // jumbogram or GSO: the capture tells the length
            stats.anomaly(Anomaly.IP_LENGTH_ZERO);
        } else {
            declaredEnd = p + 40 + payloadLength;
            if (declaredEnd > end && !snapped()) {
                anomaly(Anomaly.IP_LENGTH_EXCEEDS_FRAME, "IPv6 payload length " + payloadLength + " exceeds the "
                        + (end - p - 40) + " bytes of the frame");
            }
        }
        int availEnd = Math.min(declaredEnd, end);
        out.ipVersion = 6;
        out.srcHi = u64(b, p + 8);
        out.srcLo = u64(b, p + 16);
        out.dstHi = u64(b, p + 24);
        out.dstLo = u64(b, p + 32);
        return ipv6Headers(b, b.get(p + 6) & 0xFF, p + 40, declaredEnd, availEnd, false);
    }

    /** Walks IPv6 extension headers from {@code q} with next header {@code next}. */
    private boolean ipv6Headers(ByteBuffer b, int next, int q, int declaredEnd, int availEnd, boolean reassembled) {
        for (int count = 0; ; count++) {
            if (count > MAX_EXTENSION_HEADERS) {
                return fail(Reason.TOO_MANY_EXTENSION_HEADERS, "more than " + MAX_EXTENSION_HEADERS + " IPv6 extension headers");
            }
            int len;
            switch (next) {
                case 0, 43, 60, 135, 139, 140 -> {
                    if (q + 2 > availEnd) {
                        return extTruncated(next);
                    }
                    len = ((b.get(q + 1) & 0xFF) + 1) * 8;
                }
                case 51 -> {
                    if (q + 2 > availEnd) {
                        return extTruncated(next);
                    }
                    len = ((b.get(q + 1) & 0xFF) + 2) * 4; // AH counts 4-byte units minus 2 (RFC 4302)
                }
                case 44 -> {
                    if (q + 8 > availEnd) {
                        return extTruncated(next);
                    }
                    int nh = b.get(q) & 0xFF;
                    int field = u16(b, q + 2);
                    int fragOffset = field & 0xFFF8;
                    boolean more = (field & 1) != 0;
                    if (fragOffset == 0 && !more) {
                        // Atomic fragment (RFC 6946): a whole datagram, just skip the header.
                        next = nh;
                        q += 8;
                        continue;
                    }
                    if (reassembled) {
                        return fail(Reason.NESTED_FRAGMENT, "fragment header inside a reassembled IPv6 datagram");
                    }
                    out.protocol = nh;
                    IpDefragmenter.Offer o = defragmenter.offer(6, out.srcHi, out.srcLo, out.dstHi, out.dstLo,
                            u32(b, q + 4), nh, fragOffset, more, b, q + 8, availEnd - (q + 8), declaredEnd - (q + 8),
                            record.timestampNanos, record.index);
                    return reassembledTransport(o, nh);
                }
                default -> {
                    return transport(b, next, q, declaredEnd, availEnd);
                }
            }
            if (q + len > availEnd) {
                return extTruncated(next);
            }
            next = b.get(q) & 0xFF;
            q += len;
        }
    }

    private boolean extTruncated(int type) {
        return fail(Reason.EXTENSION_HEADER_TRUNCATED, "IPv6 extension header " + type + " cut off");
    }

    private boolean reassembledTransport(IpDefragmenter.Offer o, int protocol) {
        if (o == IpDefragmenter.Offer.HELD) {
            return fail(Reason.FRAGMENT_HELD, null);
        }
        if (o == IpDefragmenter.Offer.REJECTED) {
            return fail(Reason.FRAGMENT_REJECTED, null); // the defragmenter records why
        }
        IpDefragmenter.Reassembled r = defragmenter.reassembled();
        out.reassembled = true;
        ByteBuffer rb = ByteBuffer.wrap(r.data());
        // A snapped fragment leaves zeros in the datagram: its payload must be reported truncated.
        holesFromSnap = r.truncated();
        if (out.ipVersion == 6) {
            return ipv6Headers(rb, r.protocol(), 0, r.length(), r.length(), true);
        }
        return transport(rb, protocol, 0, r.length(), r.length());
    }

    // ------------------------------------------------------------------ transport

    /**
     * @param declaredEnd where the IP header says the transport ends (may lie beyond the buffer)
     * @param availEnd    where the captured bytes of the transport end
     */
    private boolean transport(ByteBuffer b, int protocol, int q, int declaredEnd, int availEnd) {
        out.protocol = protocol;
        out.payloadBuffer = b;
        switch (protocol) {
            case DecodedPacket.PROTO_TCP -> {
                if (q + 20 > availEnd) {
                    return fail(Reason.TRANSPORT_HEADER_TRUNCATED, "TCP header cut at " + (availEnd - q) + " bytes");
                }
                int dataOffset = ((b.get(q + 12) & 0xF0) >> 4) * 4;
                if (dataOffset < 20 || q + dataOffset > declaredEnd) {
                    return fail(Reason.BAD_TCP_DATA_OFFSET, "TCP data offset " + dataOffset + " with "
                            + (declaredEnd - q) + " bytes of segment");
                }
                if (q + dataOffset > availEnd) {
                    return fail(Reason.TRANSPORT_HEADER_TRUNCATED, "TCP options cut by the snap length");
                }
                out.srcPort = u16(b, q);
                out.dstPort = u16(b, q + 2);
                out.tcpSeq = u32(b, q + 4);
                out.tcpAck = u32(b, q + 8);
                out.tcpFlags = b.get(q + 13) & 0xFF;
                return payload(q + dataOffset, availEnd, declaredEnd > availEnd);
            }
            case DecodedPacket.PROTO_UDP -> {
                if (q + 8 > availEnd) {
                    return fail(Reason.TRANSPORT_HEADER_TRUNCATED, "UDP header cut at " + (availEnd - q) + " bytes");
                }
                int udpLength = u16(b, q + 4);
                int udpEnd;
                if (udpLength == 0) {
                    udpEnd = declaredEnd; // IPv6 jumbogram
                } else if (udpLength < 8) {
                    return fail(Reason.BAD_UDP_LENGTH, "UDP length " + udpLength);
                } else {
                    udpEnd = q + udpLength;
                    if (udpEnd > declaredEnd) {
                        anomaly(Anomaly.UDP_LENGTH_EXCEEDS_IP, "UDP length " + udpLength + " exceeds the "
                                + (declaredEnd - q) + " bytes of IP payload");
                        udpEnd = declaredEnd;
                    }
                }
                out.srcPort = u16(b, q);
                out.dstPort = u16(b, q + 2);
                return payload(q + 8, Math.min(udpEnd, availEnd), udpEnd > availEnd);
            }
            case DecodedPacket.PROTO_ICMP, DecodedPacket.PROTO_ICMPV6 -> {
                if (q + 4 > availEnd) {
                    return fail(Reason.TRANSPORT_HEADER_TRUNCATED, "ICMP header cut at " + (availEnd - q) + " bytes");
                }
                out.icmpType = b.get(q) & 0xFF;
                out.icmpCode = b.get(q + 1) & 0xFF;
                return payload(q + 4, availEnd, declaredEnd > availEnd);
            }
            default -> {
                stats.anomaly(Anomaly.OPAQUE_TRANSPORT);
                return payload(q, availEnd, declaredEnd > availEnd);
            }
        }
    }

    private boolean payload(int from, int to, boolean truncated) {
        truncated |= holesFromSnap;
        out.payloadOffset = from;
        out.payloadLength = Math.max(0, to - from);
        out.payloadTruncated = truncated;
        stats.decoded(out.reassembled, truncated);
        return true;
    }

    // ------------------------------------------------------------------ helpers

    private boolean snapped() {
        return record.capturedLength < record.originalLength;
    }

    private static void reset(DecodedPacket out, PacketRecord r) {
        out.ipVersion = 0;
        out.protocol = -1;
        out.srcHi = 0;
        out.srcLo = 0;
        out.dstHi = 0;
        out.dstLo = 0;
        out.srcPort = 0;
        out.dstPort = 0;
        out.tcpSeq = 0;
        out.tcpAck = 0;
        out.tcpFlags = 0;
        out.icmpType = -1;
        out.icmpCode = -1;
        out.vlanId = -1;
        out.payloadBuffer = r.buffer;
        out.payloadOffset = r.offset;
        out.payloadLength = 0;
        out.payloadTruncated = false;
        out.reassembled = false;
        out.timestampNanos = r.timestampNanos;
        out.packetIndex = r.index;
    }

    private boolean fail(Reason reason, String detail) {
        stats.fail(reason);
        if (detail != null && stats.wantsWarning()) {
            stats.warn(where() + detail);
        }
        return false;
    }

    private void anomaly(Anomaly a, String detail) {
        stats.anomaly(a);
        if (stats.wantsWarning()) {
            stats.warn(where() + detail);
        }
    }

    private String where() {
        return "packet " + record.index + " (offset " + record.fileOffset + "): ";
    }

    private static int u16(ByteBuffer b, int i) {
        return ((b.get(i) & 0xFF) << 8) | (b.get(i + 1) & 0xFF);
    }

    private static long u32(ByteBuffer b, int i) {
        return ((long) (b.get(i) & 0xFF) << 24) | ((b.get(i + 1) & 0xFF) << 16) | ((b.get(i + 2) & 0xFF) << 8)
                | (b.get(i + 3) & 0xFF);
    }

    private static long u64(ByteBuffer b, int i) {
        return (u32(b, i) << 32) | u32(b, i + 4);
    }
}
