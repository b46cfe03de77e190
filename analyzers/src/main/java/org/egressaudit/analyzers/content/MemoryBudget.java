package org.egressaudit.analyzers.content;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Global cap on bytes buffered for analysis, shared by every producer, so that a capture of any size
 * analyses in bounded heap. Producers reserve before buffering and release when the object is analysed.
 */
public final class MemoryBudget {
    private final long capacity;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    public MemoryBudget(long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("memory budget must be positive: " + capacity);
        }
        this.capacity = capacity;
    }

    /** Reserves {@code bytes}; returns false (and counts the refusal) when that would pass the cap. */
    public boolean tryReserve(long bytes) {
        while (true) {
            long u = used.get();
            if (u + bytes > capacity) {
                refused.addAndGet(bytes);
                return false;
            }
            if (used.compareAndSet(u, u + bytes)) {
                return true;
            }
        }
    }

    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }

    public long capacity() {
        return capacity;
    }

    /** Bytes that could not be buffered because the cap was reached (recorded as truncation). */
    public long refusedBytes() {
        return refused.get();
    }
}
