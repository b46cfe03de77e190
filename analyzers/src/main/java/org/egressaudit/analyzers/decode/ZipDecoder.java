package org.egressaudit.analyzers.decode;

import java.io.ByteArrayInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Inflater;
import org.apache.commons.compress.compressors.deflate64.Deflate64CompressorInputStream;
import org.egressaudit.analyzers.content.ContentObject;
import org.tukaani.xz.LZMAInputStream;

/**
 * Zip archives (and OOXML/ODF documents, which are zips), one child per member named by its path.
 * Members are located through the central directory (ZIP64 aware, tolerant of a prefix such as a
 * self-extractor stub); when it is missing, as in a truncated capture, the local headers are walked instead,
 * with data descriptors resolved by inflating to the end of the deflate stream. Stored members are slices of
 * the archive; encrypted members and unsupported methods are kept as raw (opaque) slices with a note.
 */
public final class ZipDecoder implements ContentDecoder {
    private static final int LFH = 0x04034b50;
    private static final int CFH = 0x02014b50;
    private static final int EOCD = 0x06054b50;
    private static final int Z64_EOCD = 0x06064b50;
    private static final int Z64_LOCATOR = 0x07064b50;
    private static final int DD = 0x08074b50;
    private static final Charset CP437 = Charset.isSupported("IBM437") ? Charset.forName("IBM437")
            : StandardCharsets.ISO_8859_1;

    /** One member as described by the central directory or a local header; sizes -1 when unknown. */
    private record Entry(String name, int flags, int method, int crc, long csize, long usize, long localOffset) {
        boolean encrypted() {
            return (flags & 1) != 0 || method == 99;
        }
    }

    @Override
    public String name() {
        return "zip";
    }

    @Override
    public int priority() {
        return 120;
    }

    @Override
    public boolean accepts(ContentObject o) {
        byte[] d = o.data();
        int p = o.offset();
        if (o.length() < 22) {
            return false;
        }
        int sig = le32(d, p);
        return sig == LFH || (sig == DD && le32(d, p + 4) == LFH) || sig == EOCD;
    }

    @Override
    public void decode(ContentObject o, DecodeContext ctx) {
        new Run(o, ctx).decode();
    }

    /** State of decoding one archive. */
    private static final class Run {
        private final ContentObject o;
        private final DecodeContext ctx;
        private final byte[] d;
        private final int base;
        private final int n;
        private final int maxEntries;
        private long produced;
        private int expanded;

        Run(ContentObject o, DecodeContext ctx) {
            this.o = o;
            this.ctx = ctx;
            this.d = o.data();
            this.base = o.offset();
            this.n = o.length();
            this.maxEntries = ctx.limits().maxArchiveEntries();
        }

        void decode() {
            List<Entry> entries = centralDirectory();
            if (entries != null) {
                noteOverlaps(entries);
                for (Entry e : entries) {
                    if (!admit()) {
                        return;
                    }
                    int lh = (int) Math.min(Integer.MAX_VALUE, e.localOffset());
                    if (e.localOffset() < 0 || lh + 30L > n || le32(d, base + lh) != LFH) {
                        o.addNote("corrupt: zip member " + e.name() + " has no local header at offset " + e.localOffset());
                        continue;
                    }
                    long dataStart = (long) lh + 30 + le16(d, base + lh + 26) + le16(d, base + lh + 28);
                    member(e, dataStart);
                }
            } else {
                if (n > 22) {
                    o.addNote("corrupt: zip central directory missing or damaged, members read from local headers");
                }
                walkLocalHeaders();
            }
        }

        /** Counts one more member; false (with a note) once the archive has given as many as allowed. */
        private boolean admit() {
            if (expanded >= maxEntries) {
                o.addNote("decode-limit: zip has more than " + maxEntries + " members, the rest not expanded");
                return false;
            }
            if (ctx.budgetExhausted()) {
                return false;
            }
            expanded++;
            return true;
        }

        // ------------------------------------------------------------ central directory

        private List<Entry> centralDirectory() {
            int eocd = -1;
            for (int i = n - 22; i >= Math.max(0, n - 22 - 65535); i--) {
                if (le32(d, base + i) == EOCD && i + 22 + le16(d, base + i + 20) <= n) {
                    eocd = i;
                    break;
                }
            }
            if (eocd < 0) {
                return null;
            }
            long total = le16(d, base + eocd + 10);
            long cdSize = u32(d, base + eocd + 12);
            long cdOffset = u32(d, base + eocd + 16);
            long cdEnd = eocd;
            if (total == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
                int loc = eocd - 20;
                if (loc >= 0 && le32(d, base + loc) == Z64_LOCATOR) {
                    long z64 = le64(d, base + loc + 8);
                    if (z64 < 0 || z64 + 56 > n || le32(d, base + (int) z64) != Z64_EOCD) {
                        z64 = loc - 56; // shifted by a prefix: the record usually sits just before the locator
                    }
                    if (z64 >= 0 && le32(d, base + (int) z64) == Z64_EOCD) {
                        total = le64(d, base + (int) z64 + 32);
                        cdSize = le64(d, base + (int) z64 + 40);
                        cdOffset = le64(d, base + (int) z64 + 48);
                        cdEnd = z64;
                    }
                }
            }
            long delta = 0;
            if (cdOffset < 0 || cdOffset + 4 > n || le32(d, base + (int) cdOffset) != CFH) {
                long actual = cdEnd - cdSize;
                if (total == 0 || actual < 0 || le32(d, base + (int) actual) != CFH) {
                    return total == 0 ? List.of() : null;
                }
                delta = actual - cdOffset;
            }
            List<Entry> out = new ArrayList<>();
            int p = (int) (cdOffset + delta);
            // One past the limit, so that admit() can say the archive had more.
            long want = Math.min(total, maxEntries + 1L);
            while (out.size() < want && p + 46 <= n && le32(d, base + p) == CFH) {
                int flags = le16(d, base + p + 8);
                int method = le16(d, base + p + 10);
                int crc = le32(d, base + p + 16);
                long csize = u32(d, base + p + 20);
                long usize = u32(d, base + p + 24);
                int nameLen = le16(d, base + p + 28);
                int extraLen = le16(d, base + p + 30);
                int commentLen = le16(d, base + p + 32);
                long lho = u32(d, base + p + 42);
                if (p + 46 + nameLen > n) {
                    break;
                }
                String name = name(p + 46, nameLen, flags);
                long[] z = zip64(p + 46 + nameLen, Math.min(extraLen, n - p - 46 - nameLen), usize, csize, lho);
                out.add(new Entry(name, flags, method, crc, z[1], z[0], z[2] + delta));
                p += 46 + nameLen + extraLen + commentLen;
            }
            if (out.size() < want) {
                o.addNote("corrupt: zip central directory lists " + total + " members, " + out.size() + " readable");
            }
            return out;
        }

        /** Applies the ZIP64 extra field: {usize, csize, offset} with 0xFFFFFFFF values replaced. */
        private long[] zip64(int at, int len, long usize, long csize, long lho) {
            long[] v = {usize, csize, lho};
            int p = at;
            while (p + 4 <= at + len) {
                int id = le16(d, base + p);
                int size = le16(d, base + p + 2);
                if (id == 1) {
                    int q = p + 4;
                    int end = Math.min(p + 4 + size, at + len);
                    for (int i = 0; i < 3; i++) {
                        if (v[i] == 0xFFFFFFFFL && q + 8 <= end) {
                            v[i] = le64(d, base + q);
                            q += 8;
                        }
                    }
                    break;
                }
                p += 4 + size;
            }
            return v;
        }

        private void noteOverlaps(List<Entry> entries) {
            List<Entry> sorted = new ArrayList<>(entries);
            sorted.sort(Comparator.comparingLong(Entry::localOffset));
            for (int i = 1; i < sorted.size(); i++) {
                Entry prev = sorted.get(i - 1);
                Entry cur = sorted.get(i);
                if (prev.csize() > 0 && cur.localOffset() < prev.localOffset() + 30 + prev.csize()) {
                    o.addNote("decode-limit: zip members overlap (" + prev.name() + ", " + cur.name()
                            + "): zip bomb construction, output capped at " + ctx.limits().maxExpansionRatio()
                            + "x the archive");
                    return;
                }
            }
        }

        // ------------------------------------------------------------ local header walk

        private void walkLocalHeaders() {
            int p = le32(d, base) == DD ? 4 : 0;
            while (p + 30 <= n && le32(d, base + p) == LFH) {
                int flags = le16(d, base + p + 6);
                int method = le16(d, base + p + 8);
                int crc = le32(d, base + p + 14);
                long csize = u32(d, base + p + 18);
                long usize = u32(d, base + p + 22);
                int nameLen = le16(d, base + p + 26);
                int extraLen = le16(d, base + p + 28);
                if (p + 30 + nameLen > n) {
                    o.addNote("corrupt: zip local header at " + p + " truncated");
                    return;
                }
                String name = name(p + 30, nameLen, flags);
                long[] z = zip64(p + 30 + nameLen, Math.min(extraLen, n - p - 30 - nameLen), usize, csize, p);
                csize = z[1];
                usize = z[0];
                boolean descriptor = (flags & 8) != 0;
                long dataStart = (long) p + 30 + nameLen + extraLen;
                if (descriptor && csize == 0) {
                    csize = -1; // written by a streaming zipper: find the end from the data
                }
                if (!admit()) {
                    return;
                }
                long consumed = member(new Entry(name, flags, method, crc, csize, descriptor ? -1 : usize, p), dataStart);
                if (consumed < 0) {
                    return; // cannot tell where the next member starts
                }
                long next = dataStart + consumed;
                if (descriptor) {
                    next = afterDescriptor(next);
                }
                if (next > n) {
                    return;
                }
                p = (int) next;
            }
        }

        /** Skips a data descriptor: optional signature, CRC, then 4-byte or (ZIP64) 8-byte sizes. */
        private long afterDescriptor(long q) {
            long p = q + (q + 4 <= n && le32(d, base + (int) q) == DD ? 4 : 0);
            long short4 = p + 12;
            long long8 = p + 20;
            if (short4 >= n || isHeader(short4)) {
                return short4;
            }
            return isHeader(long8) ? long8 : short4;
        }

        private boolean isHeader(long p) {
            if (p + 4 > n) {
                return false;
            }
            int sig = le32(d, base + (int) p);
            return sig == LFH || sig == CFH || sig == EOCD;
        }

        /** Where a stored or non-deflate member with a data descriptor ends: the descriptor whose size fits. */
        private long findDescriptor(long dataStart) {
            for (long q = dataStart; q + 16 <= n; q++) {
                if (le32(d, base + (int) q) == DD && u32(d, base + (int) q + 8) == q - dataStart) {
                    return q - dataStart;
                }
            }
            return -1;
        }

        // ------------------------------------------------------------ members

        /** Decodes one member; returns the compressed bytes it occupies, -1 when unknown. */
        private long member(Entry e, long dataStart) {
            if (e.name().endsWith("/") && (e.csize() == 0 || e.csize() == -1 && e.method() == 0)) {
                expanded--;
                return 0; // a directory
            }
            if (dataStart > n) {
                o.addNote("corrupt: zip member " + e.name() + " data lies past the end of the archive (truncated)");
                return -1;
            }
            int start = (int) dataStart;
            int avail = n - start;
            long csize = e.csize();
            if (csize < 0 && (e.method() != 8 || e.encrypted())) {
                csize = findDescriptor(dataStart);
                if (csize < 0) {
                    o.addNote("corrupt: zip member " + e.name() + " has a data descriptor but no findable end");
                    return -1;
                }
            }
            int take = csize < 0 ? avail : (int) Math.min(csize, avail);
            boolean cut = csize > avail;
            if (e.encrypted()) {
                o.addNote("encrypted member " + e.name() + " not inspectable ("
                        + (e.method() == 99 ? "AES" : "ZipCrypto") + ")");
                ctx.child(o, "zip", e.name(), d, base + start, take, start, Math.max(csize, take), cut,
                        Map.of("encrypted", "zip"));
                return csize;
            }
            if (e.method() == 0) {
                ContentObject c = ctx.child(o, "zip", e.name(), d, base + start, take, start, Math.max(csize, take), cut,
                        null);
                if (c != null && !cut && e.csize() >= 0) {
                    checkCrc(e, d, base + start, take);
                }
                return csize;
            }
            BoundedSink sink = new BoundedSink(ctx, take, n, produced);
            long consumed = csize;
            switch (e.method()) {
                case 8 -> {
                    Inflater inf = new Inflater(true);
                    try {
                        Decompressors.Inflated r = Decompressors.inflate(inf, d, base + start, take, sink);
                        if (csize < 0) {
                            consumed = r.finished() ? r.consumed() : -1;
                        }
                    } finally {
                        inf.end();
                    }
                }
                case 9 -> Decompressors.drain(d, base + start, take, Deflate64CompressorInputStream::new, sink);
                case 12 -> Decompressors.drain(d, base + start, take,
                        in -> new org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream(in), sink);
                case 14 -> lzma(e, base + start, take, sink);
                case 93 -> Decompressors.zstd(d, base + start, take, sink);
                case 95 -> Decompressors.xz(d, base + start, take, sink, Decompressors.memoryLimitKiB(ctx.limits()));
                default -> {
                    o.addNote("unsupported: zip member " + e.name() + " uses compression method " + e.method()
                            + ", kept as opaque bytes");
                    ctx.child(o, "zip", e.name(), d, base + start, take, start, Math.max(csize, take), cut,
                            Map.of("zip-method", String.valueOf(e.method())));
                    return csize;
                }
            }
            if (cut && sink.corruption() == null && !sink.exceeded()) {
                sink.corrupt("member data cut short (truncated archive)");
            }
            produced += sink.size();
            if (!sink.truncated() && e.usize() >= 0 && e.csize() >= 0) {
                checkCrc(e, sink.buffer(), 0, sink.size());
            }
            sink.emit(o, "zip", e.name(), Math.max(e.usize(), 0), null);
            return consumed;
        }

        /** LZMA in zip (method 14): version, properties size, 5 property bytes, then the raw stream. */
        private void lzma(Entry e, int at, int len, BoundedSink sink) {
            if (len < 9 || le16(d, at + 2) != 5) {
                sink.corrupt("bad LZMA properties header");
                return;
            }
            byte props = d[at + 4];
            int dict = le32(d, at + 5);
            long usize = (e.flags() & 2) != 0 || e.usize() < 0 ? -1 : e.usize();
            if (usize >= 0 && (dict < 0 || dict > usize)) {
                dict = (int) Math.max(4096, Math.min(usize, Integer.MAX_VALUE - 8));
            }
            try {
                int needKiB = LZMAInputStream.getMemoryUsage(dict < 0 ? Integer.MAX_VALUE - 8 : dict, props);
                int limitKiB = Decompressors.memoryLimitKiB(ctx.limits());
                if (needKiB > limitKiB) {
                    sink.limit("LZMA needs " + needKiB + " KiB of memory, limit " + limitKiB + " KiB");
                    return;
                }
                int dictSize = dict;
                Decompressors.drain(new LZMAInputStream(new ByteArrayInputStream(d, at + 9, len - 9), usize, props,
                        dictSize), sink);
            } catch (java.io.IOException | RuntimeException ex) {
                sink.corrupt("bad LZMA stream (" + ex.getMessage() + ")");
            }
        }

        private void checkCrc(Entry e, byte[] b, int off, int len) {
            CRC32 crc = new CRC32();
            crc.update(b, off, len);
            if ((int) crc.getValue() != e.crc()) {
                o.addNote("corrupt: zip member " + e.name() + " CRC mismatch");
            }
        }

        private String name(int at, int len, int flags) {
            String s = new String(d, base + at, Math.min(len, 4096),
                    (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : CP437);
            StringBuilder b = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                b.append(c < 0x20 || c == 0x7f ? '?' : c);
            }
            return b.toString();
        }
    }

    static int le16(byte[] d, int p) {
        return p < 0 || p + 2 > d.length ? 0 : (d[p] & 0xff) | (d[p + 1] & 0xff) << 8;
    }

    static int le32(byte[] d, int p) {
        return p < 0 || p + 4 > d.length ? 0 : Decompressors.le32(d, p);
    }

    static long u32(byte[] d, int p) {
        return le32(d, p) & 0xffffffffL;
    }

    static long le64(byte[] d, int p) {
        return u32(d, p) | (u32(d, p + 4) << 32);
    }
}
