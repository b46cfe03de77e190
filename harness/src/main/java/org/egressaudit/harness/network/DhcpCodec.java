package org.egressaudit.harness.network;

import java.util.Arrays;

/**
 * Reads and writes the DHCP message inside a UDP datagram (RFC 2131 section 2, options per RFC 2132, option
 * overload per 2132 section 9.3, concatenation per RFC 3396). The reader is written for attacker-controlled input:
 * every length is checked against the bytes present, and anything malformed is a {@link DhcpFormatException}
 * with a message saying what, never an index error.
 */
public final class DhcpCodec {
    /** op..file: the fixed BOOTP part. */
    public static final int FIXED_LENGTH = 236;
    public static final int MAGIC_COOKIE = 0x63825363;
    /** Options start here, after the cookie. */
    public static final int OPTIONS_OFFSET = FIXED_LENGTH + 4;
    /** Some BOOTP-era clients drop shorter replies (RFC 1542 section 3.4), so replies are padded to this. */
    public static final int MIN_REPLY_LENGTH = 300;
    /** Largest message accepted: an unfragmented datagram on a 1500-byte link, minus IP and UDP headers. */
    public static final int MAX_LENGTH = 1500 - 20 - 8;

    private static final int SNAME_OFFSET = 44;
    private static final int FILE_OFFSET = 108;
    private static final int CHADDR_OFFSET = 28;

    private DhcpCodec() {
    }

    public static DhcpMessage decode(byte[] b) {
        return decode(b, 0, b.length);
    }

    /** Parses {@code length} bytes at {@code offset}. */
    public static DhcpMessage decode(byte[] b, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > b.length) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + b.length + " bytes");
        }
        if (length < OPTIONS_OFFSET) {
            throw new DhcpFormatException("truncated: " + length + " bytes, a DHCP message has at least "
                    + OPTIONS_OFFSET);
        }
        if (length > MAX_LENGTH) {
            throw new DhcpFormatException("too long: " + length + " bytes, at most " + MAX_LENGTH + " accepted");
        }
        byte[] m = Arrays.copyOfRange(b, offset, offset + length);
        int op = m[0] & 0xff;
        if (op != DhcpMessage.BOOTREQUEST && op != DhcpMessage.BOOTREPLY) {
            throw new DhcpFormatException("op " + op + " is neither BOOTREQUEST (1) nor BOOTREPLY (2)");
        }
        int htype = m[1] & 0xff;
        int hlen = m[2] & 0xff;
        if (htype != 1 || hlen != MacAddress.LENGTH) {
            throw new DhcpFormatException("hardware type " + htype + " length " + hlen
                    + ": only Ethernet (1, 6) is served");
        }
        if (int32(m, 236) != MAGIC_COOKIE) {
            throw new DhcpFormatException(String.format("no DHCP magic cookie (found 0x%08x): plain BOOTP or"
                    + " garbage", int32(m, 236)));
        }
        DhcpOptions.Builder options = DhcpOptions.builder();
        readOptions(m, OPTIONS_OFFSET, length, options, "options");
        DhcpOptions main = options.build();
        if (main.has(DhcpOptions.OVERLOAD)) {
            int overload = main.u8(DhcpOptions.OVERLOAD).orElseThrow(() ->
                    new DhcpFormatException("option 52 (overload) must be one byte"));
            if (overload < 1 || overload > 3) {
                throw new DhcpFormatException("option 52 (overload) has value " + overload + ", expected 1-3");
            }
            // RFC 3396 order: options, then file, then sname
            if ((overload & 1) != 0) {
                readOptions(m, FILE_OFFSET, FIXED_LENGTH, options, "file field (overloaded)");
            }
            if ((overload & 2) != 0) {
                readOptions(m, SNAME_OFFSET, FILE_OFFSET, options, "sname field (overloaded)");
            }
            main = options.build();
        }
        return new DhcpMessage(op, m[3] & 0xff, int32(m, 4), uint16(m, 8), uint16(m, 10), int32(m, 12),
                int32(m, 16), int32(m, 20), int32(m, 24), MacAddress.read(m, CHADDR_OFFSET), main);
    }

    /**
     * Reads options in {@code [from, to)} up to the END option; PAD is skipped, what follows END is ignored
     * (padding). An option whose length byte or value runs past {@code to}, or a missing END, is malformed.
     */
    private static void readOptions(byte[] m, int from, int to, DhcpOptions.Builder into, String where) {
        int i = from;
        while (i < to) {
            int code = m[i] & 0xff;
            if (code == DhcpOptions.PAD) {
                i++;
                continue;
            }
            if (code == DhcpOptions.END) {
                return;
            }
            if (i + 1 >= to) {
                throw new DhcpFormatException("option " + code + " at offset " + i + " in " + where
                        + " has no length byte");
            }
            int len = m[i + 1] & 0xff;
            if (i + 2 + len > to) {
                throw new DhcpFormatException("option " + code + " at offset " + i + " in " + where + " claims "
                        + len + " bytes but only " + (to - i - 2) + " remain");
            }
            into.add(code, Arrays.copyOfRange(m, i + 2, i + 2 + len));
            i += 2 + len;
        }
        throw new DhcpFormatException(where + " not terminated by the end option (255)");
    }

    /** Wire form: fixed part with zero sname/file, cookie, options, END, zero padding to 300 bytes. */
    public static byte[] encode(DhcpMessage msg) {
        byte[] opts = msg.options().encode();
        int length = Math.max(MIN_REPLY_LENGTH, OPTIONS_OFFSET + opts.length);
        if (length > MAX_LENGTH) {
            throw new IllegalArgumentException("message of " + length + " bytes does not fit one datagram");
        }
        byte[] m = new byte[length];
        m[0] = (byte) msg.op();
        m[1] = 1;
        m[2] = MacAddress.LENGTH;
        m[3] = (byte) msg.hops();
        putInt32(m, 4, msg.xid());
        putUint16(m, 8, msg.secs());
        putUint16(m, 10, msg.flags());
        putInt32(m, 12, msg.ciaddr());
        putInt32(m, 16, msg.yiaddr());
        putInt32(m, 20, msg.siaddr());
        putInt32(m, 24, msg.giaddr());
        msg.clientMac().writeTo(m, CHADDR_OFFSET);
        putInt32(m, 236, MAGIC_COOKIE);
        System.arraycopy(opts, 0, m, OPTIONS_OFFSET, opts.length);
        return m;
    }

    static int int32(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }

    static int uint16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
    }

    static void putInt32(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    static void putUint16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }
}
