package org.egressaudit.analyzers.capture;

/** LINKTYPE_* values (tcpdump.org/linktypes.html) understood by the packet decoder. */
public final class LinkType {
    public static final int NULL = 0;          // BSD loopback, host-order 4-byte family
    public static final int ETHERNET = 1;
    public static final int RAW = 101;         // raw IPv4 or IPv6, version from the first nibble
    public static final int LOOP = 108;        // OpenBSD loopback, network-order family
    public static final int LINUX_SLL = 113;
    public static final int IPV4 = 228;
    public static final int IPV6 = 229;
    public static final int LINUX_SLL2 = 276;

    private LinkType() {
    }

    public static String name(int linkType) {
        return switch (linkType) {
            case NULL -> "NULL";
            case ETHERNET -> "ETHERNET";
            case RAW -> "RAW";
            case LOOP -> "LOOP";
            case LINUX_SLL -> "LINUX_SLL";
            case IPV4 -> "IPV4";
            case IPV6 -> "IPV6";
            case LINUX_SLL2 -> "LINUX_SLL2";
            default -> "LINKTYPE_" + linkType;
        };
    }
}
