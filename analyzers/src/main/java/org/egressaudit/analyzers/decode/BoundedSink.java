package org.egressaudit.analyzers.decode;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;

/**
 * Output buffer of one decompression, capped by everything an attacker controls: the bytes the transmission
 * may still decode, the per-object limit and the expansion ratio (for outputs over 1 MiB, against the stream's
 * own input and, for archive members, against the whole archive). When a cap is reached the output so far is
 * kept and the sink remembers why it stopped, so that the caller can note it and mark the child truncated.
 */
final class BoundedSink {
    /** Outputs up to this size are never called bombs, whatever their ratio. */
    static final int RATIO_FLOOR = 1 << 20;
    private static final int CHUNK = 64 * 1024;

    private enum Bound { BUDGET, OBJECT, RATIO, ARCHIVE_RATIO }

    private final DecodeContext ctx;
    private final long inputLength;
    private final long archiveLength;
    private final int cap;
    private final Bound bound;
    private byte[] buf;
    private int size;
    private boolean exceeded;
    private String limitReason;
    private String corruption;
    private boolean encrypted;

    /** A sink for a stream decoded from {@code inputLength} bytes. */
    BoundedSink(DecodeContext ctx, long inputLength) {
        this(ctx, inputLength, -1, 0);
    }

    /**
     * A sink for one archive member: {@code archiveLength} is the whole archive's size and
     * {@code archiveProduced} what its earlier members already decoded to.
     */
    BoundedSink(DecodeContext ctx, long inputLength, long archiveLength, long archiveProduced) {
        this.ctx = ctx;
        this.inputLength = inputLength;
        this.archiveLength = archiveLength;
        long ratio = ctx.limits().maxExpansionRatio();
        int remaining = ctx.remainingObjectBytes();
        long best = remaining;
        Bound why = remaining < ctx.limits().maxObjectBytes() ? Bound.BUDGET : Bound.OBJECT;
        long ratioCap = Math.max(RATIO_FLOOR, saturatedMul(Math.max(0, inputLength), ratio));
        if (ratioCap < best) {
            best = ratioCap;
            why = Bound.RATIO;
        }
        if (archiveLength >= 0) {
            long archiveCap = Math.max(RATIO_FLOOR, saturatedMul(archiveLength, ratio)) - archiveProduced;
            if (archiveCap < best) {
                best = Math.max(0, archiveCap);
                why = Bound.ARCHIVE_RATIO;
            }
        }
        this.cap = (int) best;
        this.bound = why;
        this.buf = new byte[(int) Math.min(cap, Math.max(4096, Math.min(CHUNK * 4L, saturatedMul(inputLength, 4))))];
    }

    private static long saturatedMul(long a, long b) {
        long r = a * b;
        return (a != 0 && (r / a != b || r < 0)) ? Long.MAX_VALUE : r;
    }

    /** Bytes that may still be written. */
    int room() {
        return cap - size;
    }

    int size() {
        return size;
    }

    byte[] buffer() {
        return buf;
    }

    /** Makes room for up to {@code want} more bytes in {@link #buffer()} at {@link #size()}; returns how many. */
    int reserve(int want) {
        int n = Math.min(want, room());
        if (size + n > buf.length) {
            long grown = Math.max((long) size + n, Math.min((long) buf.length * 2, cap));
            buf = Arrays.copyOf(buf, (int) Math.min(grown, cap));
        }
        return n;
    }

    /** Records {@code n} bytes written directly into {@link #buffer()}. */
    void advance(int n) {
        size += n;
    }

    /** Appends; returns false (and marks the output exceeded) when not everything fitted. */
    boolean write(byte[] b, int off, int len) {
        int n = reserve(len);
        System.arraycopy(b, off, buf, size, n);
        size += n;
        if (n < len) {
            exceeded = true;
            return false;
        }
        return true;
    }

    /** The decoder found more output past the cap. */
    void markExceeded() {
        exceeded = true;
    }

    /** A limit of the decompressor itself (memory, entries) stopped decoding. */
    void limit(String reason) {
        if (limitReason == null) {
            limitReason = reason;
        }
    }

    /** The data is encrypted and no key is known. */
    void markEncrypted() {
        encrypted = true;
    }

    boolean isEncrypted() {
        return encrypted;
    }

    void corrupt(String reason) {
        if (corruption == null) {
            corruption = reason;
        }
    }

    /** Forgets a corruption found by an attempt that is being retried another way (zlib, then raw). */
    void clearCorruption() {
        corruption = null;
        size = 0;
        exceeded = false;
    }

    boolean exceeded() {
        return exceeded;
    }

    String corruption() {
        return corruption;
    }

    /** True when the output is not the whole of what the input holds. */
    boolean truncated() {
        return exceeded || corruption != null || limitReason != null || encrypted;
    }

    /** Copy of the output (tests, checksums). */
    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    String limitNote(String layer) {
        return switch (bound) {
            case RATIO -> "decode-limit: " + layer + " output exceeds " + ctx.limits().maxExpansionRatio() + "x its "
                    + human(inputLength) + " input (decompression bomb)";
            case ARCHIVE_RATIO -> "decode-limit: " + layer + " output exceeds " + ctx.limits().maxExpansionRatio()
                    + "x the archive's " + human(archiveLength) + " (decompression bomb)";
            case OBJECT -> "decode-limit: " + layer + " output exceeds the " + human(ctx.limits().maxObjectBytes())
                    + " object limit";
            case BUDGET -> "decode-limit: " + layer + " output exceeds the " + human(cap)
                    + " left of the transmission's decode budget";
        };
    }

    /**
     * Notes why decoding stopped early on {@code parent} and attaches the output as a child (truncated if it is
     * not complete). Returns null when nothing was decoded or the context refused the child.
     */
    ContentObject emit(ContentObject parent, String layer, String name, long declaredLength,
                       Map<String, String> hints) {
        notes(parent, layer, name);
        if (size == 0) {
            return null;
        }
        // Keep the array tight when growth left much slack: it lives as long as the decode tree.
        byte[] out = buf.length - size > Math.max(4096, size / 8) ? Arrays.copyOf(buf, size) : buf;
        return ctx.child(parent, layer, name, out, 0, size, -1, Math.max(declaredLength, size), truncated(), hints);
    }

    /** Adds the notes explaining an early stop, without a child. */
    void notes(ContentObject parent, String layer, String name) {
        String what = name == null ? layer : layer + " member " + name;
        if (exceeded) {
            parent.addNote(limitNote(what));
        }
        if (limitReason != null) {
            parent.addNote("decode-limit: " + what + ": " + limitReason);
        }
        if (encrypted) {
            parent.addNote("encrypted member " + (name == null ? layer : name) + " not inspectable (" + layer + ")");
        }
        if (corruption != null) {
            parent.addNote("corrupt: " + what + ": " + corruption + " (kept " + size + " decoded bytes)");
        }
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.1f GB", bytes / (1024.0 * 1024 * 1024));
    }
}
