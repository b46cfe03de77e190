package org.egressaudit.harness.network;

import java.util.Arrays;

/**
 * Ethernet/IPv4/UDP framing for the DHCP responder, which works below the host's IP stack: the client has no
 * address yet, and ports 67/68 of the host must stay unbound (other runs, the host's own DHCP).
 * <p>
 * Inbound checksums are not verified: with virtio-net checksum offload a guest's frames on the tap carry only a
 * partial UDP checksum, and a wrong checksum cannot make this parser misread anything.
 */
final class DhcpFrames {
    static final int SERVER_PORT = 67;
    static final int CLIENT_PORT = 68;
    static final int ETHERNET_HEADER = 14;
    static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int IP_HEADER = 20;
    private static final int UDP_HEADER = 8;
    private static final int PROTO_UDP = 17;

    private DhcpFrames() {
    }

    /** The UDP datagram inside an Ethernet frame, with the addresses around it. */
    record Datagram(MacAddress ethernetSource, MacAddress ethernetDestination, int ipSource, int ipDestination,
                    int sourcePort, int destinationPort, byte[] payload) {
    }

    /** Unwraps an Ethernet II / IPv4 / UDP frame; anything else (VLAN tags, fragments, IPv6) is rejected. */
    static Datagram parse(byte[] f) {
        if (f.length < ETHERNET_HEADER + IP_HEADER + UDP_HEADER) {
            throw new DhcpFormatException("frame of " + f.length + " bytes is too short for Ethernet/IPv4/UDP");
        }
        int ethertype = DhcpCodec.uint16(f, 12);
        if (ethertype != ETHERTYPE_IPV4) {
            throw new DhcpFormatException(String.format("ethertype 0x%04x is not IPv4", ethertype));
        }
        int ip = ETHERNET_HEADER;
        int version = (f[ip] & 0xff) >>> 4;
        int ihl = (f[ip] & 0x0f) * 4;
        if (version != 4 || ihl < IP_HEADER) {
            throw new DhcpFormatException("bad IPv4 header: version " + version + ", header length " + ihl);
        }
        int total = DhcpCodec.uint16(f, ip + 2);
        if (total < ihl + UDP_HEADER || ip + total > f.length) {
            throw new DhcpFormatException("IPv4 total length " + total + " does not fit the frame of " + f.length
                    + " bytes with a " + ihl + "-byte header");
        }
        int fragment = DhcpCodec.uint16(f, ip + 6);
        if ((fragment & 0x3fff) != 0) { // MF set or a non-zero offset
            throw new DhcpFormatException("fragmented IPv4 datagram");
        }
        int proto = f[ip + 9] & 0xff;
        if (proto != PROTO_UDP) {
            throw new DhcpFormatException("IP protocol " + proto + " is not UDP");
        }
        int udp = ip + ihl;
        int udpLength = DhcpCodec.uint16(f, udp + 4);
        if (udpLength < UDP_HEADER || udpLength > total - ihl) {
            throw new DhcpFormatException("UDP length " + udpLength + " does not fit the IP payload of "
                    + (total - ihl) + " bytes");
        }
        return new Datagram(MacAddress.read(f, 6), MacAddress.read(f, 0), DhcpCodec.int32(f, ip + 12),
                DhcpCodec.int32(f, ip + 16), DhcpCodec.uint16(f, udp), DhcpCodec.uint16(f, udp + 2),
                Arrays.copyOfRange(f, udp + UDP_HEADER, udp + udpLength));
    }

    /** An Ethernet II frame carrying one IPv4/UDP datagram, with both checksums computed. */
    static byte[] build(MacAddress ethSource, MacAddress ethDestination, int ipSource, int ipDestination,
                        int sourcePort, int destinationPort, byte[] payload, int ipId) {
        int udpLength = UDP_HEADER + payload.length;
        int total = IP_HEADER + udpLength;
        if (total > 1500) {
            throw new IllegalArgumentException("datagram of " + total + " bytes exceeds the 1500-byte MTU");
        }
        byte[] f = new byte[ETHERNET_HEADER + total];
        ethDestination.writeTo(f, 0);
        ethSource.writeTo(f, 6);
        DhcpCodec.putUint16(f, 12, ETHERTYPE_IPV4);
        int ip = ETHERNET_HEADER;
        f[ip] = 0x45;
        DhcpCodec.putUint16(f, ip + 2, total);
        DhcpCodec.putUint16(f, ip + 4, ipId & 0xffff);
        f[ip + 8] = 64; // TTL; the replies never leave the link anyway
        f[ip + 9] = PROTO_UDP;
        DhcpCodec.putInt32(f, ip + 12, ipSource);
        DhcpCodec.putInt32(f, ip + 16, ipDestination);
        DhcpCodec.putUint16(f, ip + 10, checksum(f, ip, IP_HEADER, 0));
        int udp = ip + IP_HEADER;
        DhcpCodec.putUint16(f, udp, sourcePort);
        DhcpCodec.putUint16(f, udp + 2, destinationPort);
        DhcpCodec.putUint16(f, udp + 4, udpLength);
        System.arraycopy(payload, 0, f, udp + UDP_HEADER, payload.length);
        long pseudo = (ipSource >>> 16) + (ipSource & 0xffff) + (ipDestination >>> 16) + (ipDestination & 0xffff)
                + PROTO_UDP + udpLength;
        int sum = checksum(f, udp, udpLength, pseudo);
        DhcpCodec.putUint16(f, udp + 6, sum == 0 ? 0xffff : sum); // 0 means "no checksum" in UDP
        return f;
    }

    /** RFC 1071 ones' complement checksum of {@code length} bytes at {@code offset}, plus {@code initial}. */
    static int checksum(byte[] b, int offset, int length, long initial) {
        long sum = initial;
        int i = offset;
        for (; i + 1 < offset + length; i += 2) {
            sum += DhcpCodec.uint16(b, i);
        }
        if (i < offset + length) {
            sum += (b[i] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
