package org.egressaudit.analyzers.protocol.http;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Collects the lines of a message head (or of a chunk-size line, or a trailer section) across input calls: the
 * lines stay in the buffer one after the other so the raw head can be kept, and each line is bounded when it is
 * read, so a peer that never sends LF costs at most the limit.
 */
final class LineBuffer {

    enum Status {
        /** No LF yet: call again with more input. */
        INCOMPLETE,
        /** A line ended; it is {@code [lineStart(), lineEnd())}, without CR LF. */
        COMPLETE,
        /** The line is longer than allowed. */
        TOO_LONG
    }

    private static final int INITIAL_CAPACITY = 256;
    /** Capacity kept between messages; a larger buffer is dropped so idle connections stay small. */
    private static final int RETAINED_CAPACITY = 4096;

    private byte[] buf = new byte[INITIAL_CAPACITY];
    private int length;
    private int lineStart;
    private int lineEnd;
    private Status status = Status.INCOMPLETE;

    /**
     * Copies input up to and including the next LF into the current line.
     *
     * @param maxContent longest line allowed, without its CR LF
     * @return the position after the consumed input
     */
    int readLine(ByteBuffer src, int pos, int end, int maxContent) {
        int current = length - lineStart;
        long allowed = (long) maxContent + 2 - current; // the line end may add CR LF
        if (allowed <= 0) {
            status = Status.TOO_LONG;
            return pos;
        }
        int limit = (int) Math.min(end, pos + allowed);
        int lf = -1;
        for (int i = pos; i < limit; i++) {
            if (src.get(i) == HttpText.LF) {
                lf = i;
                break;
            }
        }
        int take = (lf >= 0 ? lf + 1 : limit) - pos;
        ensureCapacity(length + take);
        src.get(pos, buf, length, take);
        length += take;
        if (lf >= 0) {
            lineEnd = length - 1;
            if (lineEnd > lineStart && buf[lineEnd - 1] == HttpText.CR) {
                lineEnd--;
            }
            status = lineEnd - lineStart > maxContent ? Status.TOO_LONG : Status.COMPLETE;
        } else {
            status = length - lineStart >= (long) maxContent + 2 ? Status.TOO_LONG : Status.INCOMPLETE;
        }
        return pos + take;
    }

    Status status() {
        return status;
    }

    /** Starts the next line after the completed one; the completed lines stay in the buffer. */
    void nextLine() {
        lineStart = length;
        lineEnd = length;
        status = Status.INCOMPLETE;
    }

    /** Forgets everything. */
    void clear() {
        length = 0;
        lineStart = 0;
        lineEnd = 0;
        status = Status.INCOMPLETE;
        if (buf.length > RETAINED_CAPACITY) {
            buf = new byte[INITIAL_CAPACITY];
        }
    }

    boolean isEmpty() {
        return length == 0;
    }

    byte[] array() {
        return buf;
    }

    int lineStart() {
        return lineStart;
    }

    /** End of the completed line's content (before CR LF). */
    int lineEnd() {
        return lineEnd;
    }

    int lineLength() {
        return lineEnd - lineStart;
    }

    /** Bytes of the current line so far including its line end. */
    int currentLineBytes() {
        return length - lineStart;
    }

    /** All buffered bytes. */
    int length() {
        return length;
    }

    /** A copy of all buffered bytes (they are reused, content objects must not see them change). */
    byte[] copy() {
        return Arrays.copyOf(buf, length);
    }

    private void ensureCapacity(int needed) {
        if (needed > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(needed, buf.length * 2));
        }
    }
}
