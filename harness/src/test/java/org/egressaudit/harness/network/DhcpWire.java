package org.egressaudit.harness.network;

import java.util.HexFormat;

/**
 * DHCP client messages as they appear on the wire, written field by field after RFC 2131 figure 1 (and the
 * layouts ISC dhclient and busybox udhcpc send), for the codec and logic tests.
 */
final class DhcpWire {
    static final String CLIENT_MAC = "52:54:00:12:34:56";
    static final int XID = 0x3903f326;

    private DhcpWire() {
    }

    /** The fixed 236-byte BOOTP part plus the magic cookie, for a request from {@link #CLIENT_MAC}. */
    static String header(String flags, String ciaddr) {
        return ""
                + "01"                 // op: BOOTREQUEST
                + "01"                 // htype: Ethernet
                + "06"                 // hlen
                + "00"                 // hops
                + "3903f326"           // xid
                + "0003"               // secs: 3
                + flags                // flags: 8000 = broadcast
                + ciaddr               // ciaddr
                + "00000000"           // yiaddr
                + "00000000"           // siaddr
                + "00000000"           // giaddr
                + "525400123456"       // chaddr: the MAC ...
                + "00".repeat(10)      // ... padded to 16 bytes
                + "00".repeat(64)      // sname
                + "00".repeat(128)     // file
                + "63825363";          // magic cookie 99.130.83.99
    }

    /** DHCPDISCOVER as dhclient sends it: type, requested address, host name, parameter list, then padding. */
    static byte[] discover() {
        return hex(header("0000", "00000000")
                + "350101"                              // 53: DHCPDISCOVER
                + "3204" + "0afa0302"                   // 50: requested 10.250.3.2 (its old lease)
                + "0c06" + ascii("guest1")              // 12: host name
                + "370d" + "011c02030f06770c2c2f1a792a" // 55: parameter request list
                + "ff"                                  // end
                + "00".repeat(27));                     // padding after end, to 300 bytes
    }

    /** DHCPREQUEST in SELECTING state as udhcpc sends it: client id, requested address, server id. */
    static byte[] requestSelecting(String requested, String serverId) {
        return hex(header("0000", "00000000")
                + "350103"                              // 53: DHCPREQUEST
                + "3d07" + "01525400123456"             // 61: client id (htype 1 + MAC)
                + "3204" + requested                    // 50: requested address
                + "3604" + serverId                     // 54: server identifier
                + "3902" + "0240"                       // 57: max message size 576
                + "3c0c" + ascii("udhcp 1.35.0")        // 60: vendor class
                + "3707" + "0103060c0f1c2a"             // 55: parameter request list
                + "ff");
    }

    /** Bytes of a message built from raw option text: header plus {@code options} (hex, must include end). */
    static byte[] withOptions(String options) {
        return hex(header("0000", "00000000") + options);
    }

    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    static String ascii(String s) {
        return HexFormat.of().formatHex(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
