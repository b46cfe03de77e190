package org.egressaudit.analyzers.testsupport;

import org.egressaudit.analyzers.capture.LinkType;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builders for complete, checksum-correct frames: link layers (Ethernet with VLAN/QinQ tags, Linux SLL and
 * SLL2, BSD NULL, OpenBSD LOOP, raw), IPv4 (id, DF/MF, fragment offset, TTL), IPv6 (extension headers,
 * fragment header), TCP, UDP and ICMP/ICMPv6 echo. Addresses are literals ("192.0.2.10", "2001:db8::1");
 * the IP version follows from them.
 */
public final class Frames {
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int TPID_8021Q = 0x8100;
    public static final int TPID_8021AD = 0x88A8;
    public static final int TPID_QINQ_OLD = 0x9100;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_ICMPV6 = 58;

    public static final String CLIENT_MAC = "02:00:00:00:00:02";
    public static final String SERVER_MAC = "02:00:00:00:00:01";

    private Frames() {
    }

    /** One 802.1Q-style tag: TPID (0x8100, 0x88a8, 0x9100), priority and VLAN id. */
    public record Vlan(int tpid, int pcp, int vid) {
    }

    public static Vlan vlan(int vid) {
        return new Vlan(TPID_8021Q, 0, vid);
    }

    /** Service tag (802.1ad outer tag of QinQ). */
    public static Vlan stag(int vid) {
        return new Vlan(TPID_8021AD, 0, vid);
    }

    // ---------------------------------------------------------------- addresses

    public static byte[] addr(String literal) {
        if (!literal.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("not an IP literal: " + literal);
        }
        try {
            InetAddress a = InetAddress.getByName(literal); // literal: no name lookup
            return a.getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    public static boolean isV6(String literal) {
        return literal.indexOf(':') >= 0;
    }

    /** The address as the decoder holds it: {hi, lo}; IPv4 has hi 0 and the address in lo's low 32 bits. */
    public static long[] addrLongs(String literal) {
        ByteBuffer b = ByteBuffer.wrap(addr(literal));
        if (b.remaining() == 4) {
            return new long[] {0L, b.getInt() & 0xFFFFFFFFL};
        }
        return new long[] {b.getLong(), b.getLong()};
    }

    public static byte[] mac(String mac) {
        String[] p = mac.split(":");
        byte[] r = new byte[6];
        for (int i = 0; i < 6; i++) {
            r[i] = (byte) Integer.parseInt(p[i], 16);
        }
        return r;
    }

    // ---------------------------------------------------------------- link layers

    /** Ethernet frame carrying an IP packet (EtherType from the version nibble), optional tags outermost first. */
    public static byte[] ethernet(byte[] ipPacket, Vlan... tags) {
        return ethernet(SERVER_MAC, CLIENT_MAC, etherTypeOf(ipPacket), ipPacket, tags);
    }

    public static byte[] ethernet(String dstMac, String srcMac, int etherType, byte[] payload, Vlan... tags) {
        ByteBuffer b = ByteBuffer.allocate(14 + 4 * tags.length + payload.length);
        b.put(mac(dstMac)).put(mac(srcMac));
        for (Vlan t : tags) {
            b.putShort((short) t.tpid()).putShort((short) ((t.pcp() << 13) | (t.vid() & 0x0FFF)));
        }
        b.putShort((short) etherType).put(payload);
        return b.array();
    }

    /** Pads to the 60-byte Ethernet minimum (without FCS), as a NIC does for short frames. */
    public static byte[] padEthernet(byte[] frame) {
        return frame.length >= 60 ? frame : Arrays.copyOf(frame, 60);
    }

    /** Linux cooked capture v1: packet type 4 (outgoing), ARPHRD_ETHER, 6-byte address, protocol at 14. */
    public static byte[] sll(byte[] ipPacket) {
        ByteBuffer b = ByteBuffer.allocate(16 + ipPacket.length);
        b.putShort((short) 4).putShort((short) 1).putShort((short) 6).put(mac(CLIENT_MAC)).putShort((short) 0);
        b.putShort((short) etherTypeOf(ipPacket)).put(ipPacket);
        return b.array();
    }

    /** Linux cooked capture v2: protocol at 0, interface index, ARPHRD, packet type, address, 20 bytes. */
    public static byte[] sll2(byte[] ipPacket) {
        ByteBuffer b = ByteBuffer.allocate(20 + ipPacket.length);
        b.putShort((short) etherTypeOf(ipPacket)).putShort((short) 0).putInt(2).putShort((short) 1);
        b.put((byte) 4).put((byte) 6).put(mac(CLIENT_MAC)).putShort((short) 0).put(ipPacket);
        return b.array();
    }

    /** BSD loopback: 4-byte address family in the capturing host's byte order. AF_INET6 given explicitly. */
    public static byte[] nullLink(byte[] ipPacket, ByteOrder hostOrder, int af6) {
        ByteBuffer b = ByteBuffer.allocate(4 + ipPacket.length).order(hostOrder);
        b.putInt(version(ipPacket) == 6 ? af6 : 2).put(ipPacket);
        return b.array();
    }

    /** NULL link with little-endian host and the macOS AF_INET6 (30). */
    public static byte[] nullLink(byte[] ipPacket) {
        return nullLink(ipPacket, ByteOrder.LITTLE_ENDIAN, 30);
    }

    /** OpenBSD loopback: family in network order (AF_INET6 = 24 on OpenBSD). */
    public static byte[] loop(byte[] ipPacket) {
        return nullLink(ipPacket, ByteOrder.BIG_ENDIAN, 24);
    }

    /** Wraps an IP packet in the given link type's header (RAW/IPV4/IPV6 return it unchanged). */
    public static byte[] encapsulate(int linkType, byte[] ipPacket) {
        return switch (linkType) {
            case LinkType.ETHERNET -> ethernet(ipPacket);
            case LinkType.LINUX_SLL -> sll(ipPacket);
            case LinkType.LINUX_SLL2 -> sll2(ipPacket);
            case LinkType.NULL -> nullLink(ipPacket);
            case LinkType.LOOP -> loop(ipPacket);
            case LinkType.RAW, LinkType.IPV4, LinkType.IPV6 -> ipPacket;
            default -> throw new IllegalArgumentException("no encapsulation for " + LinkType.name(linkType));
        };
    }

    // ---------------------------------------------------------------- IPv4

    /** IPv4 header options; fragment offset in bytes (multiple of 8). */
    public static final class Ipv4 {
        private final byte[] src;
        private final byte[] dst;
        private final int protocol;
        private int id = 1;
        private int ttl = 64;
        private boolean dontFragment;
        private boolean moreFragments;
        private int fragmentOffsetBytes;
        private byte[] options = new byte[0];
        private int tos;

        private Ipv4(String src, String dst, int protocol) {
            this.src = addr(src);
            this.dst = addr(dst);
            this.protocol = protocol;
            if (this.src.length != 4 || this.dst.length != 4) {
                throw new IllegalArgumentException("IPv4 needs IPv4 addresses");
            }
        }

        public Ipv4 id(int v) { id = v; return this; }
        public Ipv4 ttl(int v) { ttl = v; return this; }
        public Ipv4 tos(int v) { tos = v; return this; }
        public Ipv4 dontFragment(boolean v) { dontFragment = v; return this; }
        public Ipv4 moreFragments(boolean v) { moreFragments = v; return this; }
        public Ipv4 fragmentOffset(int bytes) {
            if (bytes % 8 != 0) {
                throw new IllegalArgumentException("fragment offset must be a multiple of 8");
            }
            fragmentOffsetBytes = bytes;
            return this;
        }
        /** Raw header options, padded with zeros (EOL) to 4 bytes. */
        public Ipv4 options(byte[] v) { options = Arrays.copyOf(v, (v.length + 3) & ~3); return this; }

        public byte[] build(byte[] payload) {
            int hl = 20 + options.length;
            ByteBuffer b = ByteBuffer.allocate(hl + payload.length);
            b.put((byte) (0x40 | (hl / 4))).put((byte) tos).putShort((short) (hl + payload.length));
            int ff = (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | (fragmentOffsetBytes / 8);
            b.putShort((short) id).putShort((short) ff).put((byte) ttl).put((byte) protocol).putShort((short) 0);
            b.put(src).put(dst).put(options).put(payload);
            byte[] r = b.array();
            int sum = checksum(r, 0, hl, 0);
            r[10] = (byte) (sum >> 8);
            r[11] = (byte) sum;
            return r;
        }
    }

    public static Ipv4 ipv4(String src, String dst, int protocol) {
        return new Ipv4(src, dst, protocol);
    }

    public static byte[] ipv4(String src, String dst, int protocol, byte[] payload) {
        return new Ipv4(src, dst, protocol).build(payload);
    }

    /**
     * Splits a complete IPv4 packet into fragments each carrying at most {@code fragPayload} bytes
     * (rounded down to 8) of its payload, in order.
     */
    public static List<byte[]> fragmentIpv4(byte[] packet, int fragPayload) {
        int hl = (packet[0] & 0x0F) * 4;
        int total = ((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF);
        int step = fragPayload & ~7;
        if (step <= 0) {
            throw new IllegalArgumentException("fragment payload must be >= 8");
        }
        List<byte[]> out = new ArrayList<>();
        int baseFf = ((packet[6] & 0xFF) << 8) | (packet[7] & 0xFF);
        int baseOff = (baseFf & 0x1FFF) * 8;
        boolean baseMf = (baseFf & 0x2000) != 0;
        for (int off = 0; off < total - hl; off += step) {
            int len = Math.min(step, total - hl - off);
            boolean last = off + len >= total - hl;
            byte[] f = new byte[hl + len];
            System.arraycopy(packet, 0, f, 0, hl);
            System.arraycopy(packet, hl + off, f, hl, len);
            int ff = ((baseOff + off) / 8) | (last && !baseMf ? 0 : 0x2000);
            f[2] = (byte) ((hl + len) >> 8);
            f[3] = (byte) (hl + len);
            f[6] = (byte) (ff >> 8);
            f[7] = (byte) ff;
            fixIpv4Checksum(f);
            out.add(f);
        }
        return out;
    }

    public static void fixIpv4Checksum(byte[] ip) {
        int hl = (ip[0] & 0x0F) * 4;
        ip[10] = 0;
        ip[11] = 0;
        int sum = checksum(ip, 0, hl, 0);
        ip[10] = (byte) (sum >> 8);
        ip[11] = (byte) sum;
    }

    // ---------------------------------------------------------------- IPv6

    /** An IPv6 extension header: its type (next-header value that announces it) and full bytes. */
    public record ExtHeader(int type, byte[] bytes) {
    }

    /**
     * Generic extension header (hop-by-hop 0, routing 43, destination options 60, 135/139/140...):
     * {@code body} is everything after the 2-byte next-header/length prefix, padded to 8-byte units.
     */
    public static ExtHeader extHeader(int type, byte[] body) {
        int len = (2 + body.length + 7) & ~7;
        byte[] b = new byte[len];
        b[1] = (byte) (len / 8 - 1);
        System.arraycopy(body, 0, b, 2, body.length);
        return new ExtHeader(type, b);
    }

    /** Hop-by-hop options header with one PadN filling 6 bytes. */
    public static ExtHeader hopByHop() {
        return extHeader(0, new byte[] {1, 4, 0, 0, 0, 0});
    }

    public static ExtHeader destinationOptions() {
        return extHeader(60, new byte[] {1, 4, 0, 0, 0, 0});
    }

    /** Type-0-style routing header with segments left 0 and no addresses. */
    public static ExtHeader routing() {
        return extHeader(43, new byte[] {0, 0, 0, 0, 0, 0});
    }

    /** Authentication Header: length in 4-byte units minus 2 (RFC 4302); 12 bytes ICV. */
    public static ExtHeader authenticationHeader(int spi, int seq) {
        ByteBuffer b = ByteBuffer.allocate(24);
        b.put((byte) 0).put((byte) (24 / 4 - 2)).putShort((short) 0).putInt(spi).putInt(seq);
        return new ExtHeader(51, b.array());
    }

    /** Fragment header: offset in bytes (multiple of 8). */
    public static ExtHeader fragmentHeader(int offsetBytes, boolean more, int id) {
        ByteBuffer b = ByteBuffer.allocate(8);
        b.put((byte) 0).put((byte) 0).putShort((short) (((offsetBytes / 8) << 3) | (more ? 1 : 0))).putInt(id);
        return new ExtHeader(44, b.array());
    }

    /** IPv6 packet with the transport {@code payload} of {@code protocol} after the extension headers. */
    public static byte[] ipv6(String src, String dst, int protocol, byte[] payload, ExtHeader... ext) {
        byte[] s = addr(src);
        byte[] d = addr(dst);
        if (s.length != 16 || d.length != 16) {
            throw new IllegalArgumentException("IPv6 needs IPv6 addresses");
        }
        int extLen = 0;
        for (ExtHeader e : ext) {
            extLen += e.bytes().length;
        }
        ByteBuffer b = ByteBuffer.allocate(40 + extLen + payload.length);
        b.putInt(0x60000000).putShort((short) (extLen + payload.length));
        b.put((byte) (ext.length > 0 ? ext[0].type() : protocol)).put((byte) 64).put(s).put(d);
        for (int i = 0; i < ext.length; i++) {
            byte[] e = ext[i].bytes().clone();
            e[0] = (byte) (i + 1 < ext.length ? ext[i + 1].type() : protocol);
            b.put(e);
        }
        b.put(payload);
        return b.array();
    }

    /**
     * Fragments an IPv6 packet built without a fragment header: the 40-byte header plus any leading
     * {@code unfragmentableExtHeaders} extension headers form the unfragmentable part.
     */
    public static List<byte[]> fragmentIpv6(byte[] packet, int unfragmentableExtHeaders, int fragPayload, int id) {
        int pos = 40;
        int nextPos = 6; // where the next-header byte that must point at the fragment header lives
        int next = packet[6] & 0xFF;
        for (int i = 0; i < unfragmentableExtHeaders; i++) {
            int len = ((packet[pos + 1] & 0xFF) + 1) * 8;
            nextPos = pos;
            next = packet[pos] & 0xFF;
            pos += len;
        }
        int step = fragPayload & ~7;
        int rest = packet.length - pos;
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off < rest; off += step) {
            int len = Math.min(step, rest - off);
            boolean last = off + len >= rest;
            byte[] f = new byte[pos + 8 + len];
            System.arraycopy(packet, 0, f, 0, pos);
            f[nextPos] = 44;
            byte[] fh = fragmentHeader(off, !last, id).bytes();
            fh[0] = (byte) next;
            System.arraycopy(fh, 0, f, pos, 8);
            System.arraycopy(packet, pos + off, f, pos + 8, len);
            int plen = f.length - 40;
            f[4] = (byte) (plen >> 8);
            f[5] = (byte) plen;
            out.add(f);
        }
        return out;
    }

    /** IPv4 or IPv6 packet, by the addresses' family. */
    public static byte[] ip(String src, String dst, int protocol, byte[] payload) {
        return isV6(src) ? ipv6(src, dst, protocol, payload) : ipv4(src, dst, protocol, payload);
    }

    // ---------------------------------------------------------------- transports

    /** TCP segment options; checksum computed with the pseudo header of src/dst. */
    public static final class Tcp {
        private final String src;
        private final String dst;
        private final int sport;
        private final int dport;
        private long seq;
        private long ack;
        private int flags = ACK;
        private int window = 65535;
        private byte[] options = new byte[0];

        private Tcp(String src, int sport, String dst, int dport) {
            this.src = src;
            this.dst = dst;
            this.sport = sport;
            this.dport = dport;
        }

        public Tcp seq(long v) { seq = v; return this; }
        public Tcp ack(long v) { ack = v; return this; }
        public Tcp flags(int v) { flags = v; return this; }
        public Tcp window(int v) { window = v; return this; }
        /** Raw options, padded with zeros (EOL) to 4 bytes. */
        public Tcp options(byte[] v) { options = Arrays.copyOf(v, (v.length + 3) & ~3); return this; }
        public Tcp mssOption(int mss) { return options(new byte[] {2, 4, (byte) (mss >> 8), (byte) mss}); }

        /** The TCP header plus payload. */
        public byte[] segment(byte[] payload) {
            int hl = 20 + options.length;
            ByteBuffer b = ByteBuffer.allocate(hl + payload.length);
            b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack);
            b.put((byte) ((hl / 4) << 4)).put((byte) flags).putShort((short) window).putShort((short) 0).putShort((short) 0);
            b.put(options).put(payload);
            byte[] r = b.array();
            int sum = transportChecksum(src, dst, PROTO_TCP, r);
            r[16] = (byte) (sum >> 8);
            r[17] = (byte) sum;
            return r;
        }

        /** Segment inside an IP packet (IPv4 or IPv6 by address family). */
        public byte[] packet(byte[] payload) {
            return ip(src, dst, PROTO_TCP, segment(payload));
        }
    }

    public static Tcp tcp(String src, int sport, String dst, int dport) {
        return new Tcp(src, sport, dst, dport);
    }

    /** TCP header + payload. */
    public static byte[] tcp(String src, int sport, String dst, int dport, long seq, long ack, int flags, int window, byte[] payload) {
        return new Tcp(src, sport, dst, dport).seq(seq).ack(ack).flags(flags).window(window).segment(payload);
    }

    /** UDP header + payload with checksum. */
    public static byte[] udp(String src, int sport, String dst, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0).put(payload);
        byte[] r = b.array();
        int sum = transportChecksum(src, dst, PROTO_UDP, r);
        if (sum == 0) {
            sum = 0xFFFF;
        }
        r[6] = (byte) (sum >> 8);
        r[7] = (byte) sum;
        return r;
    }

    /** ICMPv4 echo request (type 8) or reply (type 0). */
    public static byte[] icmpEcho(boolean request, int id, int seq, byte[] data) {
        byte[] r = icmpBody(request ? 8 : 0, 0, id, seq, data);
        int sum = checksum(r, 0, r.length, 0);
        r[2] = (byte) (sum >> 8);
        r[3] = (byte) sum;
        return r;
    }

    /** ICMPv6 echo request (128) or reply (129), checksum over the IPv6 pseudo header. */
    public static byte[] icmpv6Echo(String src, String dst, boolean request, int id, int seq, byte[] data) {
        byte[] r = icmpBody(request ? 128 : 129, 0, id, seq, data);
        int sum = transportChecksum(src, dst, PROTO_ICMPV6, r);
        r[2] = (byte) (sum >> 8);
        r[3] = (byte) sum;
        return r;
    }

    private static byte[] icmpBody(int type, int code, int id, int seq, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.put((byte) type).put((byte) code).putShort((short) 0).putShort((short) id).putShort((short) seq).put(data);
        return b.array();
    }

    // ---------------------------------------------------------------- one-call frames

    /** Ethernet + IP + TCP. */
    public static byte[] ethTcp(String src, int sport, String dst, int dport, long seq, long ack, int flags, byte[] payload) {
        return ethernet(tcp(src, sport, dst, dport).seq(seq).ack(ack).flags(flags).packet(payload));
    }

    /** Ethernet + IP + UDP. */
    public static byte[] ethUdp(String src, int sport, String dst, int dport, byte[] payload) {
        return ethernet(ip(src, dst, PROTO_UDP, udp(src, sport, dst, dport, payload)));
    }

    // ---------------------------------------------------------------- checksums

    /** Internet checksum (RFC 1071) of {@code data[off, off+len)} added to {@code initial}. */
    public static int checksum(byte[] data, int off, int len, long initial) {
        long sum = initial;
        int i = off;
        for (; i + 1 < off + len; i += 2) {
            sum += ((data[i] & 0xFF) << 8) | (data[i + 1] & 0xFF);
        }
        if (i < off + len) {
            sum += (data[i] & 0xFF) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /** Checksum of a transport segment (its checksum field zero) with the IPv4/IPv6 pseudo header. */
    public static int transportChecksum(String src, String dst, int protocol, byte[] segment) {
        byte[] s = addr(src);
        byte[] d = addr(dst);
        long sum = 0;
        for (int i = 0; i < s.length; i += 2) {
            sum += ((s[i] & 0xFF) << 8) | (s[i + 1] & 0xFF);
            sum += ((d[i] & 0xFF) << 8) | (d[i + 1] & 0xFF);
        }
        sum += protocol;
        sum += segment.length & 0xFFFF;
        sum += segment.length >>> 16;
        return checksum(segment, 0, segment.length, sum);
    }

    /** True when the ones' complement sum over the range (checksum field included) verifies. */
    public static boolean verifies(byte[] data, int off, int len, long initial) {
        return checksum(data, off, len, initial) == 0;
    }

    private static int version(byte[] ipPacket) {
        return (ipPacket[0] & 0xF0) >> 4;
    }

    private static int etherTypeOf(byte[] ipPacket) {
        return version(ipPacket) == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
    }
}
