package org.egressaudit.harness.network;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts concurrent TCP connections across the TCP services against one maximum. */
final class ConnectionLimit {
    private final int max;
    private final AtomicInteger active = new AtomicInteger();

    ConnectionLimit(int max) {
        this.max = max;
    }

    boolean tryAcquire() {
        while (true) {
            int now = active.get();
            if (now >= max) {
                return false;
            }
            if (active.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void release() {
        active.decrementAndGet();
    }

    int active() {
        return active.get();
    }

    int max() {
        return max;
    }
}
