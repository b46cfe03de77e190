package org.egressaudit.harness.network;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IPv4 prefix ({@code 10.250.3.0/24}); the network address is normalized (host bits cleared), so
 * {@code 10.250.3.7/24} and {@code 10.250.3.0/24} are equal.
 */
public record Ipv4Cidr(int network, int prefixLength) {
    private static final Pattern TEXT = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?:/(\\d{1,2}))?");

    public Ipv4Cidr {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("IPv4 prefix length out of range 0-32: " + prefixLength);
        }
        network &= mask(prefixLength);
    }

    /** Parses {@code a.b.c.d/n}; a bare address is a /32. */
    public static Ipv4Cidr parse(String text) {
        Matcher m = text == null ? null : TEXT.matcher(text);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("bad IPv4 prefix '" + text + "': expected a.b.c.d/n");
        }
        int addr = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                throw new IllegalArgumentException("bad IPv4 prefix '" + text + "': octet " + octet + " > 255");
            }
            addr = addr << 8 | octet;
        }
        int len = m.group(5) == null ? 32 : Integer.parseInt(m.group(5));
        if (len > 32) {
            throw new IllegalArgumentException("bad IPv4 prefix '" + text + "': length " + len + " > 32");
        }
        return new Ipv4Cidr(addr, len);
    }

    public static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public int mask() {
        return mask(prefixLength);
    }

    public int broadcast() {
        return network | ~mask();
    }

    public boolean contains(int address) {
        return (address & mask()) == network;
    }

    /** Whether the two prefixes share at least one address. */
    public boolean overlaps(Ipv4Cidr other) {
        int shorter = Math.min(prefixLength, other.prefixLength);
        return ((network ^ other.network) & mask(shorter)) == 0;
    }

    /** The address {@code host} inside this prefix, e.g. 1 for the first usable address. */
    public Inet4Address address(int host) {
        if ((host & mask()) != 0) {
            throw new IllegalArgumentException("host number " + host + " does not fit in /" + prefixLength);
        }
        return toAddress(network | host);
    }

    public static Inet4Address toAddress(int address) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[]{
                    (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an address", e);
        }
    }

    public static int toInt(Inet4Address address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    public static String format(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefixLength;
    }
}
