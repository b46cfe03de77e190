package org.egressaudit.analyzers.protocol.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.egressaudit.analyzers.flow.FlowKey;

/**
 * Parses one DNS message (RFC 1035 wire format) from a whole buffer. Pure and exception-free: whatever is wrong
 * with the input becomes {@link DnsMessage#error()}. Names follow compression pointers up to a hop limit, so a
 * pointer loop ends as an error; label types 0x40/0x80 are rejected; names longer than 255 octets are rejected.
 */
public final class DnsMessageParser {
    public static final int HEADER_LENGTH = 12;
    private static final int MAX_NAME_OCTETS = 255;

    private final DnsLimits limits;

    public DnsMessageParser(DnsLimits limits) {
        this.limits = limits;
    }

    public DnsMessageParser() {
        this(DnsLimits.DEFAULTS);
    }

    /** Parses {@code buf[off, off+len)}; offsets inside the result are relative to {@code off}. */
    public DnsMessage parse(byte[] buf, int off, int len) {
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IllegalArgumentException("bad range " + off + "+" + len + " of " + buf.length);
        }
        Cursor c = new Cursor(buf, off, len);
        List<DnsQuestion> questions = new ArrayList<>();
        List<DnsResourceRecord> records = new ArrayList<>();
        if (len < HEADER_LENGTH) {
            return new DnsMessage(len >= 2 ? c.u16(0) : 0, false, 0, false, false, false, false, 0, 0, 0, 0, 0,
                    questions, records, len, -1, 0, "message shorter than the 12-byte header (" + len + " bytes)");
        }
        int id = c.u16(0);
        int flags = c.u16(2);
        int qd = c.u16(4);
        int an = c.u16(6);
        int ns = c.u16(8);
        int ar = c.u16(10);
        Header h = new Header(id, flags, qd, an, ns, ar);
        int pos = HEADER_LENGTH;
        for (int i = 0; i < qd; i++) {
            if (i >= limits.maxQuestions()) {
                return h.build(questions, records, len, -1, pos, "more than " + limits.maxQuestions() + " questions");
            }
            NameResult nr = readName(c, pos);
            if (nr.error != null) {
                return h.build(questions, records, len, -1, pos, "question " + (i + 1) + ": " + nr.error);
            }
            pos = nr.next;
            if (pos + 4 > len) {
                return h.build(questions, records, len, -1, pos, "question " + (i + 1) + " truncated");
            }
            questions.add(new DnsQuestion(nr.name, c.u16(pos), c.u16(pos + 2)));
            pos += 4;
        }
        int questionsEnd = pos;
        int[] counts = {an, ns, ar};
        for (int section = 1; section <= 3; section++) {
            for (int i = 0; i < counts[section - 1]; i++) {
                if (records.size() >= limits.maxRecords()) {
                    return h.build(questions, records, len, questionsEnd, pos,
                            "more than " + limits.maxRecords() + " resource records");
                }
                NameResult nr = readName(c, pos);
                if (nr.error != null) {
                    return h.build(questions, records, len, questionsEnd, pos,
                            sectionName(section) + " record " + (i + 1) + ": " + nr.error);
                }
                int p = nr.next;
                if (p + 10 > len) {
                    return h.build(questions, records, len, questionsEnd, pos,
                            sectionName(section) + " record " + (i + 1) + " truncated");
                }
                int type = c.u16(p);
                int rclass = c.u16(p + 2);
                long ttl = c.u32(p + 4);
                int rdlen = c.u16(p + 8);
                int rdata = p + 10;
                if (rdata + rdlen > len) {
                    return h.build(questions, records, len, questionsEnd, pos,
                            sectionName(section) + " record " + (i + 1) + " RDATA runs past the end");
                }
                records.add(new DnsResourceRecord(section, nr.name, type, rclass, ttl, rdata, rdlen,
                        rdataText(c, type, rdata, rdlen)));
                pos = rdata + rdlen;
            }
        }
        return h.build(questions, records, len, questionsEnd, pos, null);
    }

    public DnsMessage parse(byte[] message) {
        return parse(message, 0, message.length);
    }

    private static String sectionName(int section) {
        return switch (section) {
            case 1 -> "answer";
            case 2 -> "authority";
            default -> "additional";
        };
    }

    private record NameResult(DnsName name, int next, String error) {
    }

    private NameResult readName(Cursor c, int start) {
        List<byte[]> labels = new ArrayList<>();
        int pos = start;
        int next = -1;
        int hops = 0;
        int octets = 1;
        while (true) {
            if (pos >= c.len) {
                return new NameResult(null, -1, "name runs past the end of the message");
            }
            int b = c.u8(pos);
            int kind = b & 0xC0;
            if (kind == 0xC0) {
                if (pos + 1 >= c.len) {
                    return new NameResult(null, -1, "compression pointer truncated");
                }
                if (next < 0) {
                    next = pos + 2;
                }
                if (++hops > limits.maxPointerHops()) {
                    return new NameResult(null, -1, "compression pointer loop (more than "
                            + limits.maxPointerHops() + " hops)");
                }
                int target = ((b & 0x3F) << 8) | c.u8(pos + 1);
                if (target >= c.len) {
                    return new NameResult(null, -1, "compression pointer to offset " + target + " past the end");
                }
                pos = target;
            } else if (kind != 0) {
                return new NameResult(null, -1, String.format("reserved label type 0x%02x", kind));
            } else if (b == 0) {
                return new NameResult(new DnsName(labels), next < 0 ? pos + 1 : next, null);
            } else {
                if (pos + 1 + b > c.len) {
                    return new NameResult(null, -1, "label runs past the end of the message");
                }
                octets += 1 + b;
                if (octets > MAX_NAME_OCTETS) {
                    return new NameResult(null, -1, "name longer than 255 octets");
                }
                byte[] l = new byte[b];
                System.arraycopy(c.buf, c.off + pos + 1, l, 0, b);
                labels.add(l);
                pos += 1 + b;
            }
        }
    }

    private String rdataText(Cursor c, int type, int at, int n) {
        try {
            switch (type) {
                case DnsTypes.A:
                case DnsTypes.AAAA:
                    if ((type == DnsTypes.A && n == 4) || (type == DnsTypes.AAAA && n == 16)) {
                        byte[] a = new byte[n];
                        System.arraycopy(c.buf, c.off + at, a, 0, n);
                        String s = InetAddress.getByAddress(a).getHostAddress();
                        if (n == 16) {
                            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(a);
                            s = FlowKey.formatAddress(6, bb.getLong(), bb.getLong());
                        }
                        return s;
                    }
                    return null;
                case DnsTypes.CNAME:
                case DnsTypes.NS:
                case DnsTypes.PTR: {
                    NameResult nr = readName(c, at);
                    return nr.error == null && nr.next <= at + n ? nr.name.text() : null;
                }
                case DnsTypes.MX: {
                    if (n < 3) {
                        return null;
                    }
                    NameResult nr = readName(c, at + 2);
                    return nr.error == null && nr.next <= at + n ? c.u16(at) + " " + nr.name.text() : null;
                }
                case DnsTypes.TXT: {
                    StringBuilder sb = new StringBuilder();
                    int p = at;
                    while (p < at + n) {
                        int sl = c.u8(p);
                        if (p + 1 + sl > at + n) {
                            return null;
                        }
                        if (sb.length() > 0) {
                            sb.append(' ');
                        }
                        sb.append('"').append(new String(c.buf, c.off + p + 1, sl, StandardCharsets.ISO_8859_1))
                                .append('"');
                        p += 1 + sl;
                    }
                    return sb.toString();
                }
                default:
                    return null;
            }
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private record Header(int id, int flags, int qd, int an, int ns, int ar) {
        DnsMessage build(List<DnsQuestion> q, List<DnsResourceRecord> r, int len, int questionsEnd, int consumed,
                         String error) {
            return new DnsMessage(id, (flags & 0x8000) != 0, (flags >> 11) & 0xF, (flags & 0x0400) != 0,
                    (flags & 0x0200) != 0, (flags & 0x0100) != 0, (flags & 0x0080) != 0, flags & 0xF,
                    qd, an, ns, ar, q, r, len, questionsEnd, consumed, error);
        }
    }

    /** Bounds-checked reads relative to the message start. */
    private static final class Cursor {
        final byte[] buf;
        final int off;
        final int len;

        Cursor(byte[] buf, int off, int len) {
            this.buf = buf;
            this.off = off;
            this.len = len;
        }

        int u8(int p) {
            return buf[off + p] & 0xff;
        }

        int u16(int p) {
            return (u8(p) << 8) | u8(p + 1);
        }

        long u32(int p) {
            return ((long) u16(p) << 16) | u16(p + 2);
        }
    }
}
