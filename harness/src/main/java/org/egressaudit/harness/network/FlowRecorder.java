package org.egressaudit.harness.network;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Logs the events of one flow (a TCP connection or a UDP client address:port) stamped with the flow's original
 * destination. Events that happen before the lookup finishes wait here (up to {@value #MAX_PENDING}) and are
 * logged, in order, once it does; their timestamps are the moments they happened.
 */
final class FlowRecorder {
    static final int MAX_PENDING = 1000;

    private final ServiceEventLog log;
    private final ServiceEvent.Service service;
    private final InetSocketAddress client;
    private final List<ServiceEvent> pending = new ArrayList<>();
    private boolean resolved;
    private InetSocketAddress destination;

    FlowRecorder(ServiceEventLog log, ServiceEvent.Service service, InetSocketAddress client,
                 CompletableFuture<InetSocketAddress> destination) {
        this.log = log;
        this.service = service;
        this.client = client;
        destination.whenComplete((a, e) -> resolve(a));
    }

    InetSocketAddress client() {
        return client;
    }

    void emit(ServiceEvent.Kind kind, String detail, Map<String, String> attributes) {
        ServiceEvent e = new ServiceEvent(Instant.now(), service, client, null, kind, detail, attributes);
        synchronized (this) {
            if (!resolved && pending.size() < MAX_PENDING) {
                pending.add(e);
                return;
            }
            e = e.withOriginalDestination(destination);
        }
        log.record(e);
    }

    private synchronized void resolve(InetSocketAddress a) {
        // logging under the lock keeps this flow's events in order against emit() calls racing with us
        destination = a;
        resolved = true;
        for (ServiceEvent e : pending) {
            log.record(e.withOriginalDestination(a));
        }
        pending.clear();
    }
}
