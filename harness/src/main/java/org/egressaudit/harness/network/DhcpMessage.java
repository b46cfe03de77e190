package org.egressaudit.harness.network;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * One BOOTP/DHCP message (RFC 2131 section 2) from or to an Ethernet client. Addresses are IPv4 addresses as
 * ints; {@code sname} and {@code file} are not kept (options overloaded into them are merged into
 * {@link #options()} by {@link DhcpCodec}).
 */
public record DhcpMessage(int op, int hops, int xid, int secs, int flags, int ciaddr, int yiaddr, int siaddr,
                          int giaddr, MacAddress clientMac, DhcpOptions options) {
    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;
    public static final int FLAG_BROADCAST = 0x8000;

    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;
    public static final int INFORM = 8;

    private static final String[] TYPE_NAMES = {null, "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK",
            "RELEASE", "INFORM"};

    public DhcpMessage {
        Objects.requireNonNull(clientMac, "clientMac");
        Objects.requireNonNull(options, "options");
        if (op != BOOTREQUEST && op != BOOTREPLY) {
            throw new IllegalArgumentException("op must be 1 (request) or 2 (reply): " + op);
        }
        if (hops < 0 || hops > 255 || secs < 0 || secs > 0xffff || flags < 0 || flags > 0xffff) {
            throw new IllegalArgumentException("hops, secs or flags out of range");
        }
    }

    /** Option 53; empty for plain BOOTP or a malformed option. */
    public OptionalInt messageType() {
        return options.u8(DhcpOptions.MESSAGE_TYPE);
    }

    public boolean broadcastFlag() {
        return (flags & FLAG_BROADCAST) != 0;
    }

    public static String typeName(int type) {
        return type > 0 && type < TYPE_NAMES.length ? TYPE_NAMES[type] : "type " + type;
    }

    @Override
    public String toString() {
        return "DhcpMessage[" + (op == BOOTREQUEST ? "request" : "reply") + " "
                + messageType().stream().mapToObj(DhcpMessage::typeName).findFirst().orElse("BOOTP")
                + " xid " + String.format("0x%08x", xid) + " from " + clientMac + " ciaddr "
                + Ipv4Cidr.format(ciaddr) + " yiaddr " + Ipv4Cidr.format(yiaddr) + " " + options + "]";
    }
}
