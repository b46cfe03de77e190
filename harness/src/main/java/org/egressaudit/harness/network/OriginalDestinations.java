package org.egressaudit.harness.network;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs original-destination lookups off the event loops (they spawn a process) on a small pool with a bounded
 * queue: under a flood of new flows, lookups that do not fit are answered "unknown" at once instead of piling up.
 */
final class OriginalDestinations implements AutoCloseable {
    static final int QUEUE = 1024;

    private final OriginalDestinationLookup lookup;
    private final ThreadPoolExecutor pool;
    private final Set<CompletableFuture<InetSocketAddress>> outstanding = ConcurrentHashMap.newKeySet();

    /** @param lookup the lookup, or null when original destinations are not looked up */
    OriginalDestinations(OriginalDestinationLookup lookup) {
        this.lookup = lookup;
        if (lookup == null) {
            this.pool = null;
        } else {
            this.pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
                Thread t = new Thread(r, "original-destination-lookup");
                t.setDaemon(true);
                return t;
            });
            this.pool.allowCoreThreadTimeOut(true);
        }
    }

    boolean enabled() {
        return lookup != null;
    }

    /** The original destination of a flow, completing with null when unknown. Never completes exceptionally. */
    CompletableFuture<InetSocketAddress> resolve(OriginalDestinationLookup.Protocol protocol, InetSocketAddress client,
                                                 int listenerPort) {
        if (lookup == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<InetSocketAddress> f = new CompletableFuture<>();
        outstanding.add(f);
        f.whenComplete((a, e) -> outstanding.remove(f));
        try {
            pool.execute(() -> {
                InetSocketAddress a = null;
                try {
                    a = lookup.lookup(protocol, client, listenerPort);
                } catch (RuntimeException e) {
                    // a lookup must not throw; if one does, the destination is simply unknown
                }
                f.complete(a);
            });
        } catch (RejectedExecutionException e) {
            f.complete(null);
        }
        return f;
    }

    /** Stops the pool; lookups still waiting complete as unknown so their events are still logged. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (CompletableFuture<InetSocketAddress> f : Set.copyOf(outstanding)) {
            f.complete(null);
        }
    }
}
