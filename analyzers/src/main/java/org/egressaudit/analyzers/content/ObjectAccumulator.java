package org.egressaudit.analyzers.content;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Collects the bytes of one object (an HTTP body, a raw stream) as they arrive, within limits.
 * An object larger than {@code pieceSize} is handed on in pieces: each piece is emitted as soon as it is
 * full and the next one starts with the last {@code overlap} bytes of it, so that a fragment match of at
 * most {@code overlap} bytes is never cut in two. Memory is taken from a shared {@link MemoryBudget};
 * when the budget is exhausted the bytes are counted as truncated, never silently dropped.
 */
public final class ObjectAccumulator {

    /** A finished piece: bytes [0, length) of {@code data}; {@code startOffset} is its position in the object. */
    public record Piece(byte[] data, int length, long startOffset, int pieceIndex, boolean last,
                        long truncatedBytes, long reservedBytes) {
    }

    private final int pieceSize;
    private final int overlap;
    private final MemoryBudget budget;
    private final Consumer<Piece> out;

    private byte[] buf = new byte[0];
    private int len;
    private long reserved;
    private long startOffset;
    private long total;
    private long truncated;
    private int pieceIndex;
    private boolean finished;

    public ObjectAccumulator(int pieceSize, int overlap, MemoryBudget budget, Consumer<Piece> out) {
        if (pieceSize <= 0 || overlap < 0 || overlap >= pieceSize) {
            throw new IllegalArgumentException("need 0 <= overlap < pieceSize, got " + overlap + "/" + pieceSize);
        }
        this.pieceSize = pieceSize;
        this.overlap = overlap;
        this.budget = budget;
        this.out = out;
    }

    public void append(ByteBuffer src, int offset, int length) {
        int done = 0;
        while (done < length) {
            if (len == pieceSize) {
                emit(false, true);
            }
            int n = Math.min(length - done, pieceSize - len);
            if (!ensureCapacity(len + n)) {
                // Budget exhausted: count, do not buffer, and end the piece before the hole so that the bytes
                // after it are never glued to the bytes before it.
                truncated += length - done;
                total += length - done;
                if (len > 0) {
                    emit(false, false);
                }
                startOffset = total;
                return;
            }
            src.get(offset + done, buf, len, n);
            len += n;
            done += n;
            total += n;
        }
    }

    public void append(byte[] src, int offset, int length) {
        append(ByteBuffer.wrap(src), offset, length);
    }

    /** Bytes offered so far, including truncated ones. */
    public long totalBytes() {
        return total;
    }

    public long truncatedBytes() {
        return truncated;
    }

    public boolean isEmpty() {
        return total == 0;
    }

    /** Emits the final piece (possibly empty when nothing arrived and no piece was emitted). */
    public void finish() {
        if (finished) {
            return;
        }
        finished = true;
        emit(true, false);
    }

    private void emit(boolean last, boolean carryOverlap) {
        byte[] data = buf;
        int n = len;
        long res = reserved;
        out.accept(new Piece(data, n, startOffset, pieceIndex++, last, truncated, res));
        truncated = 0;
        // The piece's memory now belongs to its consumer (which releases reservedBytes when done).
        buf = new byte[0];
        reserved = 0;
        len = 0;
        if (!last && carryOverlap && overlap > 0) {
            int keep = Math.min(overlap, n);
            if (ensureCapacity(keep)) {
                System.arraycopy(data, n - keep, buf, 0, keep);
                len = keep;
                startOffset = startOffset + n - keep;
                return;
            }
        }
        startOffset += n;
    }

    private boolean ensureCapacity(int needed) {
        if (needed <= buf.length) {
            return true;
        }
        int newCap = Math.min(pieceSize, Math.max(needed, Math.max(4096, buf.length * 2)));
        if (newCap < needed) {
            return false;
        }
        long extra = newCap - buf.length;
        if (budget != null && !budget.tryReserve(extra)) {
            return false;
        }
        reserved += extra;
        buf = Arrays.copyOf(buf, newCap);
        return true;
    }
}
