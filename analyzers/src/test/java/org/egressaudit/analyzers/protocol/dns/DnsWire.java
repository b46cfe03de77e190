package org.egressaudit.analyzers.protocol.dns;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds DNS wire messages for tests. */
final class DnsWire {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static DnsWire header(int id, int flags, int qd, int an, int ns, int ar) {
        DnsWire w = new DnsWire();
        w.u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
        return w;
    }

    static byte[] query(int id, String name, int qtype) {
        return header(id, 0x0100, 1, 0, 0, 0).name(name).u16(qtype).u16(1).bytes();
    }

    DnsWire u8(int v) {
        out.write(v);
        return this;
    }

    DnsWire u16(int v) {
        out.write(v >> 8);
        out.write(v);
        return this;
    }

    DnsWire u32(long v) {
        return u16((int) (v >>> 16)).u16((int) v);
    }

    /** Uncompressed name, root-terminated. */
    DnsWire name(String dotted) {
        labels(dotted);
        return u8(0);
    }

    /** Labels without the terminating root (follow with {@link #pointer} or {@code u8(0)}). */
    DnsWire labels(String dotted) {
        if (!dotted.isEmpty()) {
            for (String l : dotted.split("\\.")) {
                byte[] b = l.getBytes(StandardCharsets.ISO_8859_1);
                out.write(b.length);
                out.write(b, 0, b.length);
            }
        }
        return this;
    }

    DnsWire pointer(int offset) {
        return u16(0xC000 | offset);
    }

    DnsWire raw(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** 2-byte length prefix + message. */
    static byte[] framed(byte[]... messages) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] m : messages) {
            o.write(m.length >> 8);
            o.write(m.length);
            o.write(m, 0, m.length);
        }
        return o.toByteArray();
    }
}
