package org.egressaudit.harness.attribution;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.regex.Pattern;
import org.egressaudit.analyzers.flow.FlowKey;

/**
 * An IP address and port in the one canonical text form the analysis uses ({@link FlowKey#formatAddress}): dotted
 * IPv4, RFC 5952 IPv6, IPv4-mapped IPv6 as plain IPv4 (a dual-stack socket's packets are IPv4 on the wire).
 * Canonical form is what lets strace's, /proc's and the capture's spellings of one address compare equal.
 *
 * @param address canonical address text, never bracketed
 * @param port    0-65535, or -1 when the flow has no ports (ICMP)
 */
public record Endpoint(String address, int port) {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    public Endpoint {
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("endpoint without an address");
        }
        if (port < -1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 0-65535: " + port);
        }
    }

    /**
     * Parses an IP literal (never a host name: nothing here may trigger a DNS lookup) and canonicalises it.
     *
     * @throws IllegalArgumentException naming the text when it is not an IPv4 or IPv6 literal
     */
    public static Endpoint of(String ip, int port) {
        return new Endpoint(canonical(ip), port);
    }

    /** "1.2.3.4:80", "[::1]:80", or a portless "1.2.3.4" (ICMP flows). */
    public static Endpoint parse(String text) {
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '[' in address: " + text);
            }
            String rest = text.substring(close + 1);
            if (rest.isEmpty()) {
                return of(text.substring(1, close), -1);
            }
            if (!rest.startsWith(":")) {
                throw new IllegalArgumentException("expected ':port' after ']' in: " + text);
            }
            return of(text.substring(1, close), port(rest.substring(1), text));
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            return of(text, -1);
        }
        if (text.indexOf(':') != colon) {
            return of(text, -1); // bare IPv6 without a port
        }
        return of(text.substring(0, colon), port(text.substring(colon + 1), text));
    }

    /** True for 0.0.0.0 and :: (a socket bound to any address: only its port says anything). */
    public boolean unspecifiedAddress() {
        return address.equals("0.0.0.0") || address.equals("::");
    }

    /** The form the analysis prints: IPv6 bracketed, no port for portless flows. */
    @Override
    public String toString() {
        String a = address.indexOf(':') >= 0 ? "[" + address + "]" : address;
        return port < 0 ? a : a + ":" + port;
    }

    static String canonical(String ip) {
        if (ip == null) {
            throw new IllegalArgumentException("no address");
        }
        if (IPV4.matcher(ip).matches()) {
            String[] parts = ip.split("\\.");
            StringBuilder sb = new StringBuilder();
            for (String p : parts) {
                int v = Integer.parseInt(p);
                if (v > 255) {
                    throw new IllegalArgumentException("not an IPv4 address: " + ip);
                }
                sb.append(sb.length() == 0 ? "" : ".").append(v);
            }
            return sb.toString();
        }
        if (ip.indexOf(':') < 0 || !IPV6.matcher(ip).matches()) {
            throw new IllegalArgumentException("not an IP address literal: " + ip);
        }
        byte[] b;
        try {
            // A literal containing ':' is parsed, never resolved.
            b = InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address: " + ip, e);
        }
        return fromBytes(b);
    }

    /** Canonical text of 4 or 16 address bytes (network order); IPv4-mapped IPv6 becomes IPv4. */
    static String fromBytes(byte[] b) {
        if (b.length == 4) {
            return FlowKey.formatAddress(4, 0, ByteBuffer.wrap(b).getInt() & 0xFFFFFFFFL);
        }
        if (b.length != 16) {
            throw new IllegalArgumentException("address of " + b.length + " bytes");
        }
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= b[i] == 0;
        }
        mapped &= b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
        ByteBuffer bb = ByteBuffer.wrap(b);
        if (mapped) {
            return FlowKey.formatAddress(4, 0, bb.getInt(12) & 0xFFFFFFFFL);
        }
        return FlowKey.formatAddress(6, bb.getLong(0), bb.getLong(8));
    }

    private static int port(String s, String whole) {
        try {
            int p = Integer.parseInt(s);
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("port out of range in: " + whole);
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port number in: " + whole, e);
        }
    }
}
