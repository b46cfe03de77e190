package org.egressaudit.harness.network;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The options of one DHCP message (RFC 2132), in the order first seen. An option that occurs more than once is
 * one option whose value is the concatenation (RFC 3396). Immutable; values are copied in and out.
 */
public final class DhcpOptions {
    public static final int PAD = 0;
    public static final int SUBNET_MASK = 1;
    public static final int ROUTER = 3;
    public static final int DNS = 6;
    public static final int HOST_NAME = 12;
    public static final int DOMAIN_NAME = 15;
    public static final int MTU = 26;
    public static final int BROADCAST = 28;
    public static final int REQUESTED_ADDRESS = 50;
    public static final int LEASE_TIME = 51;
    public static final int OVERLOAD = 52;
    public static final int MESSAGE_TYPE = 53;
    public static final int SERVER_ID = 54;
    public static final int PARAMETER_LIST = 55;
    public static final int MESSAGE = 56;
    public static final int MAX_MESSAGE_SIZE = 57;
    public static final int RENEWAL_TIME = 58;
    public static final int REBINDING_TIME = 59;
    public static final int CLIENT_ID = 61;
    public static final int END = 255;

    private final Map<Integer, byte[]> values;

    private DhcpOptions(Map<Integer, byte[]> values) {
        this.values = values;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static DhcpOptions empty() {
        return new DhcpOptions(Map.of());
    }

    public boolean has(int code) {
        return values.containsKey(code);
    }

    public Optional<byte[]> get(int code) {
        byte[] v = values.get(code);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    /** Codes present, in order. */
    public List<Integer> codes() {
        return List.copyOf(values.keySet());
    }

    /** A one-byte option (e.g. 53); empty when absent or not exactly one byte. */
    public OptionalInt u8(int code) {
        byte[] v = values.get(code);
        return v == null || v.length != 1 ? OptionalInt.empty() : OptionalInt.of(v[0] & 0xff);
    }

    /** A four-byte option (an address or a 32-bit time); empty when absent or not exactly four bytes. */
    public OptionalInt u32(int code) {
        byte[] v = values.get(code);
        return v == null || v.length != 4 ? OptionalInt.empty()
                : OptionalInt.of((v[0] & 0xff) << 24 | (v[1] & 0xff) << 16 | (v[2] & 0xff) << 8 | (v[3] & 0xff));
    }

    /** A text option, non-printable bytes escaped, for logs. */
    public Optional<String> text(int code) {
        byte[] v = values.get(code);
        return v == null ? Optional.empty() : Optional.of(printable(v));
    }

    static String printable(byte[] v) {
        StringBuilder sb = new StringBuilder();
        for (byte b : v) {
            int c = b & 0xff;
            sb.append(c >= 0x20 && c < 0x7f && c != '\\' ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }

    /** Wire form: each option as code, length, value (values over 255 bytes split per RFC 3396), then END. */
    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<Integer, byte[]> e : values.entrySet()) {
            byte[] v = e.getValue();
            int off = 0;
            do {
                int n = Math.min(255, v.length - off);
                out.write(e.getKey());
                out.write(n);
                out.write(v, off, n);
                off += n;
            } while (off < v.length);
        }
        out.write(END);
        return out.toByteArray();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DhcpOptions other) || !values.keySet().equals(other.values.keySet())) {
            return false;
        }
        return values.entrySet().stream().allMatch(e -> java.util.Arrays.equals(e.getValue(),
                other.values.get(e.getKey())));
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (Map.Entry<Integer, byte[]> e : values.entrySet()) {
            h += e.getKey() ^ java.util.Arrays.hashCode(e.getValue());
        }
        return h;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        values.forEach((k, v) -> parts.add(k + "=" + java.util.HexFormat.of().formatHex(v)));
        return "DhcpOptions" + parts;
    }

    /** Collects options; a code added again is appended to (the RFC 3396 concatenation). */
    public static final class Builder {
        private final Map<Integer, ByteArrayOutputStream> values = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder add(int code, byte[] value) {
            if (code <= PAD || code >= END) {
                throw new IllegalArgumentException("option code must be 1-254: " + code);
            }
            values.computeIfAbsent(code, c -> new ByteArrayOutputStream()).write(value, 0, value.length);
            return this;
        }

        public Builder u8(int code, int value) {
            return add(code, new byte[]{(byte) value});
        }

        public Builder u16(int code, int value) {
            return add(code, new byte[]{(byte) (value >>> 8), (byte) value});
        }

        public Builder u32(int code, int value) {
            return add(code, new byte[]{(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8),
                    (byte) value});
        }

        public Builder text(int code, String value) {
            return add(code, value.getBytes(StandardCharsets.US_ASCII));
        }

        int size() {
            return values.size();
        }

        public DhcpOptions build() {
            Map<Integer, byte[]> m = new LinkedHashMap<>();
            values.forEach((k, v) -> m.put(k, v.toByteArray()));
            return new DhcpOptions(Collections.unmodifiableMap(m));
        }
    }
}
