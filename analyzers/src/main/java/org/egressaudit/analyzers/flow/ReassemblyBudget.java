package org.egressaudit.analyzers.flow;

/** A byte budget shared by all flows of one {@link FlowTable} (single-threaded, like the table). */
final class ReassemblyBudget {
    private final long capacity;
    private long used;
    private long peak;

    ReassemblyBudget(long capacity) {
        this.capacity = capacity;
    }

    boolean tryReserve(long bytes) {
        if (bytes > capacity - used) {
            return false;
        }
        used += bytes;
        peak = Math.max(peak, used);
        return true;
    }

    void release(long bytes) {
        used -= bytes;
        if (used < 0) {
            throw new IllegalStateException("budget released more than reserved");
        }
    }

    long used() {
        return used;
    }

    long peak() {
        return peak;
    }
}
