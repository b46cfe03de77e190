package org.egressaudit.harness.network;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/** A 48-bit Ethernet address, printed as lowercase {@code aa:bb:cc:dd:ee:ff}. Immutable. */
public final class MacAddress {
    public static final int LENGTH = 6;
    public static final MacAddress BROADCAST = of(new byte[]{-1, -1, -1, -1, -1, -1});
    private static final Pattern TEXT = Pattern.compile("\\p{XDigit}{2}(:\\p{XDigit}{2}){5}");

    private final byte[] bytes;

    private MacAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (either case). */
    public static MacAddress parse(String text) {
        if (text == null || !TEXT.matcher(text).matches()) {
            throw new IllegalArgumentException("bad MAC address '" + text + "': expected six hex pairs like"
                    + " 52:54:00:12:34:56");
        }
        return new MacAddress(HexFormat.ofDelimiter(":").parseHex(text.toLowerCase(Locale.ROOT)));
    }

    public static MacAddress of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + bytes.length);
        }
        return new MacAddress(bytes.clone());
    }

    /** Reads 6 bytes at {@code offset}; the caller checks bounds. */
    static MacAddress read(byte[] buf, int offset) {
        return new MacAddress(Arrays.copyOfRange(buf, offset, offset + LENGTH));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    void writeTo(byte[] buf, int offset) {
        System.arraycopy(bytes, 0, buf, offset, LENGTH);
    }

    /** Group (multicast/broadcast) bit: such an address can never be a client's own. */
    public boolean isMulticast() {
        return (bytes[0] & 1) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }
}
