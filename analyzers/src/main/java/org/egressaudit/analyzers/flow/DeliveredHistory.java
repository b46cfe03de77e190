package org.egressaudit.analyzers.flow;

import java.nio.ByteBuffer;

/**
 * The last bytes delivered on one TCP direction, so that a later copy of already delivered bytes can be
 * compared with what was delivered (first copy wins, a disagreeing copy is an overlap conflict). Delivery
 * itself stays zero-copy; this ring is the only copy of in-order data. The ring grows on demand (powers of two,
 * from {@value #INITIAL_CAPACITY} bytes) up to the per-direction limit while the shared budget allows.
 * It covers the contiguous range {@code [start(), end())}; a gap restarts it.
 */
final class DeliveredHistory {
    static final int INITIAL_CAPACITY = 4096;

    private final int maxCapacity;
    private final ReassemblyBudget budget;
    private byte[] ring;
    private long end;
    private int filled;

    DeliveredHistory(int maxCapacity, ReassemblyBudget budget) {
        this.maxCapacity = maxCapacity <= 0 ? 0 : Integer.highestOneBit(maxCapacity);
        this.budget = budget;
    }

    /** Forgets the kept bytes: the next delivered byte is at {@code offset}. */
    void restartAt(long offset) {
        end = offset;
        filled = 0;
    }

    long start() {
        return end - filled;
    }

    long end() {
        return end;
    }

    /** Keeps a copy of {@code len} bytes delivered at {@link #end()}. */
    void record(ByteBuffer buf, int off, int len) {
        grow(filled + (long) len);
        if (ring == null) {
            end += len;
            return;
        }
        int cap = ring.length;
        int skip = Math.max(0, len - cap);
        long at = end + skip;
        int remaining = len - skip;
        int src = off + skip;
        while (remaining > 0) {
            int pos = (int) (at & (cap - 1));
            int n = Math.min(remaining, cap - pos);
            buf.get(src, ring, pos, n);
            src += n;
            at += n;
            remaining -= n;
        }
        end += len;
        filled = (int) Math.min(cap, filled + (long) len);
    }

    /**
     * Index (0-based, relative to {@code offset}) of the first byte of {@code buf[off, off+len)} that differs
     * from the kept bytes at {@code offset}, or -1 when all are equal. The range must lie within
     * {@code [start(), end())}.
     */
    int mismatch(long offset, ByteBuffer buf, int off, int len) {
        int mask = ring.length - 1;
        for (int i = 0; i < len; i++) {
            if (ring[(int) ((offset + i) & mask)] != buf.get(off + i)) {
                return i;
            }
        }
        return -1;
    }

    byte[] copy(long offset, int len) {
        byte[] out = new byte[len];
        int mask = ring.length - 1;
        for (int i = 0; i < len; i++) {
            out[i] = ring[(int) ((offset + i) & mask)];
        }
        return out;
    }

    /** Returns the ring's memory to the budget; nothing more is kept. */
    void release() {
        if (ring != null) {
            budget.release(ring.length);
            ring = null;
        }
        filled = 0;
    }

    private void grow(long wanted) {
        int current = ring == null ? 0 : ring.length;
        if (current >= maxCapacity || wanted <= current) {
            return;
        }
        int target = Math.max(INITIAL_CAPACITY, current);
        while (target < wanted && target < maxCapacity) {
            target <<= 1;
        }
        target = Math.min(target, maxCapacity);
        if (!budget.tryReserve(target - current)) {
            return;
        }
        byte[] bigger = new byte[target];
        if (ring != null) {
            int oldMask = current - 1;
            int newMask = target - 1;
            for (long o = end - filled; o < end; o++) {
                bigger[(int) (o & newMask)] = ring[(int) (o & oldMask)];
            }
        }
        ring = bigger;
    }
}
