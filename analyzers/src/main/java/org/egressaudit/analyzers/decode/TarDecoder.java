package org.egressaudit.analyzers.decode;

import java.nio.charset.StandardCharsets;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.content.FileTypeSniffer;

/**
 * tar archives (v7, ustar, GNU long names, PAX path/size records), one child per regular file. Members are
 * slices of the archive; a member cut by the end of a truncated archive is kept as a truncated slice.
 */
public final class TarDecoder implements ContentDecoder {
    private static final int BLOCK = 512;

    @Override
    public String name() {
        return "tar";
    }

    @Override
    public int priority() {
        return 122;
    }

    @Override
    public boolean accepts(ContentObject o) {
        return FileTypeSniffer.isTarHeader(o.data(), o.offset(), o.length());
    }

    @Override
    public void decode(ContentObject o, DecodeContext ctx) {
        byte[] d = o.data();
        int base = o.offset();
        int n = o.length();
        int max = ctx.limits().maxArchiveEntries();
        int members = 0;
        String longName = null;
        String paxPath = null;
        long paxSize = -1;
        long p = 0;
        while (p + BLOCK <= n) {
            int h = base + (int) p;
            if (Decompressors.allZero(d, h, BLOCK)) {
                return; // end-of-archive marker
            }
            if (!FileTypeSniffer.isTarHeader(d, h, n - (int) p)) {
                o.addNote("corrupt: tar header damaged at offset " + p + ", rest not read");
                return;
            }
            long size = paxSize >= 0 ? paxSize : size(d, h + 124);
            if (size < 0) {
                o.addNote("corrupt: tar header at offset " + p + " has a bad size field");
                return;
            }
            byte type = d[h + 156];
            long dataStart = p + BLOCK;
            int avail = (int) Math.max(0, n - dataStart);
            switch (type) {
                case 'L' -> longName = cString(d, base + (int) Math.min(dataStart, n), (int) Math.min(size, Math.min(avail, 4096)));
                case 'x' -> {
                    String[] pax = pax(d, base + (int) Math.min(dataStart, n), (int) Math.min(size, Math.min(avail, 65536)));
                    paxPath = pax[0];
                    paxSize = pax[1] == null ? -1 : parseLong(pax[1]);
                    p = next(dataStart, size);
                    continue; // the PAX size applies to the next header, not to this record
                }
                case '0', 0, '7' -> {
                    if (members == max) {
                        o.addNote("decode-limit: tar has more than " + max + " members, the rest not expanded");
                        return;
                    }
                    members++;
                    String name = longName != null ? longName : paxPath != null ? paxPath : headerName(d, h);
                    int take = (int) Math.min(size, avail);
                    boolean cut = size > avail;
                    if (cut) {
                        o.addNote("corrupt: tar member " + name + " cut short (truncated archive)");
                    }
                    ctx.child(o, "tar", name, d, base + (int) Math.min(dataStart, n), take, Math.min(dataStart, n),
                            size, cut, null);
                    longName = null;
                    paxPath = null;
                }
                case 'S' -> {
                    o.addNote("unsupported: tar GNU sparse member " + headerName(d, h) + " not expanded");
                    longName = null;
                    paxPath = null;
                }
                default -> {
                    // directories, links, devices, global PAX headers: no content of their own
                    longName = type == 'K' ? longName : null;
                    paxPath = type == 'g' || type == 'K' ? paxPath : null;
                }
            }
            paxSize = -1;
            p = next(dataStart, size);
        }
        if (p < n && !Decompressors.allZero(d, base + (int) p, (int) (n - p))) {
            o.addNote("corrupt: tar archive ends inside a header (truncated)");
        }
    }

    private static long next(long dataStart, long size) {
        return dataStart + ((size + BLOCK - 1) / BLOCK) * BLOCK;
    }

    /** Size field: octal, or GNU base-256 when the high bit of the first byte is set. */
    static long size(byte[] d, int at) {
        if ((d[at] & 0x80) != 0) {
            long v = d[at] & 0x3f;
            for (int i = 1; i < 12; i++) {
                if (v > (Long.MAX_VALUE >> 8)) {
                    return -1;
                }
                v = (v << 8) | (d[at + i] & 0xff);
            }
            return (d[at] & 0x40) != 0 ? -1 : v;
        }
        long v = FileTypeSniffer.parseOctal(d, at, 12);
        return v < 0 && d[at] == 0 ? 0 : v;
    }

    private static String headerName(byte[] d, int h) {
        String name = cString(d, h, 100);
        if (d[h + 257] == 'u' && d[h + 258] == 's' && d[h + 259] == 't' && d[h + 260] == 'a' && d[h + 261] == 'r'
                && d[h + 345] != 0) {
            name = cString(d, h + 345, 155) + "/" + name;
        }
        return name;
    }

    private static String cString(byte[] d, int at, int max) {
        int end = at;
        while (end < at + max && end < d.length && d[end] != 0) {
            end++;
        }
        String s = new String(d, at, end - at, StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }

    /** PAX records "LEN key=value\n": returns {path, size}. */
    private static String[] pax(byte[] d, int at, int len) {
        String[] out = new String[2];
        String s = new String(d, at, len, StandardCharsets.UTF_8);
        for (String rec : s.split("\n", 1000)) {
            int sp = rec.indexOf(' ');
            int eq = rec.indexOf('=');
            if (sp < 0 || eq < sp) {
                continue;
            }
            String key = rec.substring(sp + 1, eq);
            String value = rec.substring(eq + 1);
            if (key.equals("path")) {
                out[0] = cString(value.getBytes(StandardCharsets.UTF_8), 0, 4096);
            } else if (key.equals("size")) {
                out[1] = value.trim();
            }
        }
        return out;
    }

    private static long parseLong(String s) {
        try {
            long v = Long.parseLong(s);
            return v < 0 ? -1 : v;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
