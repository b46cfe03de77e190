package org.egressaudit.analyzers.protocol.http2;

import java.nio.charset.StandardCharsets;

/**
 * One decoded header field. Names and values are kept as ISO-8859-1 strings so that they map back to the exact wire
 * bytes (HPACK strings are octets); {@link #size()} is the RFC 7541 section 4.1 entry size.
 */
public record HeaderField(String name, String value) {

    public int size() {
        return name.length() + value.length() + 32;
    }

    public boolean pseudo() {
        return name.startsWith(":");
    }

    static HeaderField of(byte[] name, byte[] value) {
        return new HeaderField(new String(name, StandardCharsets.ISO_8859_1),
                new String(value, StandardCharsets.ISO_8859_1));
    }
}
