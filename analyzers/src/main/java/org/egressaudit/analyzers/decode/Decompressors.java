package org.egressaudit.analyzers.decode;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.z.ZCompressorInputStream;
import org.brotli.dec.BrotliInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The decompression loops shared by the Content-Encoding decoder, the sniffed-compression decoders and the
 * archive decoders. Each reads into a {@link BoundedSink} and records corruption or limits there; none throws.
 */
final class Decompressors {
    private static final int CHUNK = 64 * 1024;

    private Decompressors() {
    }

    /** Result of one deflate stream: input bytes used, and whether the stream reached its end marker. */
    record Inflated(int consumed, boolean finished) {
    }

    /** Inflates {@code d[off, off+len)} with {@code inf} (raw or zlib) into the sink. */
    static Inflated inflate(Inflater inf, byte[] d, int off, int len, BoundedSink sink) {
        inf.setInput(d, off, len);
        try {
            while (!inf.finished()) {
                if (sink.room() == 0) {
                    if (inf.inflate(new byte[1]) > 0) {
                        sink.markExceeded();
                    } else if (!inf.finished()) {
                        stalled(inf, sink);
                    }
                    break;
                }
                int space = sink.reserve(CHUNK);
                int k = inf.inflate(sink.buffer(), sink.size(), space);
                sink.advance(k);
                if (k == 0 && !inf.finished()) {
                    stalled(inf, sink);
                    break;
                }
            }
        } catch (DataFormatException e) {
            sink.corrupt("invalid deflate data (" + e.getMessage() + ")");
        }
        int consumed = (int) Math.min(len, len - inf.getRemaining());
        return new Inflated(consumed, inf.finished());
    }

    private static void stalled(Inflater inf, BoundedSink sink) {
        if (inf.needsDictionary()) {
            sink.corrupt("deflate stream needs a preset dictionary");
        } else if (inf.needsInput()) {
            sink.corrupt("deflate stream ends early (truncated)");
        }
    }

    static boolean isGzip(byte[] d, int off, int len) {
        return len >= 3 && (d[off] & 0xff) == 0x1f && (d[off + 1] & 0xff) == 0x8b && d[off + 2] == 8;
    }

    /** A valid RFC 1950 header: deflate method, window <= 32K, check bits, no preset dictionary. */
    static boolean isZlib(byte[] d, int off, int len) {
        if (len < 2) {
            return false;
        }
        int cmf = d[off] & 0xff;
        int flg = d[off + 1] & 0xff;
        return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0 && (flg & 0x20) == 0;
    }

    /**
     * Decodes gzip data, following concatenated members (RFC 1952 allows them; "gzip a b > c" makes them).
     * Returns the original file name of the first member when its header carries one.
     */
    static String gunzip(byte[] d, int off, int len, BoundedSink sink, int maxMembers) {
        String firstName = null;
        int pos = 0;
        int members = 0;
        Inflater inf = new Inflater(true);
        try {
            while (pos < len) {
                String[] name = new String[1];
                int h = gzipHeaderLength(d, off + pos, len - pos, name);
                if (h < 0) {
                    if (members == 0 || h == -2) {
                        sink.corrupt(h == -2 ? "gzip header truncated" : "not a gzip header");
                    } else if (!allZero(d, off + pos, len - pos)) {
                        sink.corrupt((len - pos) + " bytes of trailing data after gzip member " + members);
                    }
                    break;
                }
                if (members == maxMembers) {
                    sink.limit("more than " + maxMembers + " gzip members, rest not decoded");
                    break;
                }
                if (members == 0) {
                    firstName = name[0];
                }
                int before = sink.size();
                inf.reset();
                Inflated r = inflate(inf, d, off + pos + h, len - pos - h, sink);
                members++;
                if (!r.finished()) {
                    break;
                }
                int trailer = off + pos + h + r.consumed();
                if (trailer + 8 > off + len) {
                    sink.corrupt("gzip trailer missing (truncated)");
                    break;
                }
                CRC32 crc = new CRC32();
                crc.update(sink.buffer(), before, sink.size() - before);
                if ((int) crc.getValue() != le32(d, trailer)) {
                    sink.corrupt("gzip member " + members + " CRC mismatch");
                } else if (le32(d, trailer + 4) != sink.size() - before) {
                    sink.corrupt("gzip member " + members + " length mismatch");
                }
                pos += h + r.consumed() + 8;
            }
        } finally {
            inf.end();
        }
        return firstName;
    }

    /** Length of the gzip member header at {@code off}; -1 when it is not one, -2 when it is cut short. */
    static int gzipHeaderLength(byte[] d, int off, int len, String[] nameOut) {
        if (len < 3 || !isGzip(d, off, len)) {
            return -1;
        }
        if (len < 10) {
            return -2;
        }
        int flg = d[off + 3] & 0xff;
        if ((flg & 0xE0) != 0) {
            return -1;
        }
        int p = 10;
        if ((flg & 4) != 0) {
            if (p + 2 > len) {
                return -2;
            }
            p += 2 + ((d[off + p] & 0xff) | (d[off + p + 1] & 0xff) << 8);
        }
        for (int bit : new int[] {8, 16}) {
            if ((flg & bit) != 0) {
                int start = p;
                while (p < len && d[off + p] != 0) {
                    p++;
                }
                if (p >= len) {
                    return -2;
                }
                if (bit == 8 && nameOut != null && p > start) {
                    nameOut[0] = new String(d, off + start, Math.min(p - start, 1024), StandardCharsets.ISO_8859_1);
                }
                p++;
            }
        }
        if ((flg & 2) != 0) {
            p += 2;
        }
        return p > len ? -2 : p;
    }

    /** HTTP "deflate" is meant to be zlib but servers send raw deflate too; gzip data is accepted as well. */
    static void inflateAuto(byte[] d, int off, int len, BoundedSink sink, int maxMembers) {
        if (isGzip(d, off, len)) {
            gunzip(d, off, len, sink, maxMembers);
            return;
        }
        if (isZlib(d, off, len)) {
            Inflater zlib = new Inflater(false);
            try {
                inflate(zlib, d, off, len, sink);
                if (sink.size() > 0 || sink.corruption() == null) {
                    return;
                }
            } finally {
                zlib.end();
            }
            // A raw stream whose first two bytes happen to pass the zlib check: retry as raw.
            sink.clearCorruption();
        }
        Inflater raw = new Inflater(true);
        try {
            inflate(raw, d, off, len, sink);
        } finally {
            raw.end();
        }
    }

    static void zlib(byte[] d, int off, int len, BoundedSink sink) {
        Inflater inf = new Inflater(false);
        try {
            Inflated r = inflate(inf, d, off, len, sink);
            if (r.finished() && r.consumed() < len && !allZero(d, off + r.consumed(), len - r.consumed())) {
                sink.corrupt((len - r.consumed()) + " bytes of trailing data after the zlib stream");
            }
        } finally {
            inf.end();
        }
    }

    /** An input stream over the compressed bytes; may throw on a bad header. */
    interface StreamOpener {
        InputStream open(InputStream compressed) throws IOException;
    }

    static void brotli(byte[] d, int off, int len, BoundedSink sink) {
        drain(d, off, len, BrotliInputStream::new, sink);
    }

    static void zstd(byte[] d, int off, int len, BoundedSink sink) {
        drain(d, off, len, ZstdInputStream::new, sink);
    }

    static void bzip2(byte[] d, int off, int len, BoundedSink sink) {
        drain(d, off, len, in -> new BZip2CompressorInputStream(in, true), sink);
    }

    static void xz(byte[] d, int off, int len, BoundedSink sink, int memoryLimitKiB) {
        drain(d, off, len, in -> new XZInputStream(in, memoryLimitKiB), sink);
    }

    /** Unix compress (LZW), HTTP "compress". */
    static void lzw(byte[] d, int off, int len, BoundedSink sink) {
        drain(d, off, len, in -> new ZCompressorInputStream(in, 1 << 20), sink);
    }

    /** Memory a decompressor may allocate for its dictionary: twice the object limit, 32..256 MiB. */
    static int memoryLimitKiB(DecodeLimits limits) {
        long bytes = Math.max(32L << 20, Math.min(256L << 20, 2L * limits.maxObjectBytes()));
        return (int) (bytes >> 10);
    }

    /** Reads a decompressing stream into the sink until its end, an error, or the sink's cap. */
    static void drain(byte[] d, int off, int len, StreamOpener opener, BoundedSink sink) {
        try (InputStream in = opener.open(new ByteArrayInputStream(d, off, len))) {
            drain(in, sink);
        } catch (IOException | RuntimeException e) {
            classify(e, sink);
        }
    }

    static void drain(InputStream in, BoundedSink sink) {
        try {
            int zeroReads = 0;
            while (true) {
                if (sink.room() == 0) {
                    if (in.read() >= 0) {
                        sink.markExceeded();
                    }
                    return;
                }
                int space = sink.reserve(CHUNK);
                int k = in.read(sink.buffer(), sink.size(), space);
                if (k < 0) {
                    return;
                }
                if (k == 0 && ++zeroReads > 16) {
                    sink.corrupt("decompressor makes no progress");
                    return;
                }
                sink.advance(k);
            }
        } catch (IOException | RuntimeException e) {
            classify(e, sink);
        }
    }

    private static void classify(Exception e, BoundedSink sink) {
        if (e instanceof org.apache.commons.compress.PasswordRequiredException) {
            sink.markEncrypted();
        } else if (e instanceof org.tukaani.xz.MemoryLimitException m) {
            sink.limit("needs " + m.getMemoryNeeded() + " KiB of memory, limit " + m.getMemoryLimit() + " KiB");
        } else if (e instanceof org.apache.commons.compress.MemoryLimitException m) {
            sink.limit(String.valueOf(m.getMessage()));
        } else if (e instanceof EOFException) {
            sink.corrupt("data ends early (truncated)");
        } else {
            String msg = e.getMessage();
            sink.corrupt(e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg));
        }
    }

    static boolean allZero(byte[] d, int off, int len) {
        for (int i = 0; i < len; i++) {
            if (d[off + i] != 0) {
                return false;
            }
        }
        return true;
    }

    static int le32(byte[] d, int p) {
        return (d[p] & 0xff) | (d[p + 1] & 0xff) << 8 | (d[p + 2] & 0xff) << 16 | (d[p + 3] & 0xff) << 24;
    }
}
