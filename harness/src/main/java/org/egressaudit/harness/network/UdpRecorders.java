package org.egressaudit.harness.network;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@link FlowRecorder} per UDP client address:port, so a flow's original destination is looked up once, not
 * per datagram. Least recently used flows are forgotten beyond the capacity (a returning flow is looked up again).
 */
final class UdpRecorders {
    static final int DEFAULT_CAPACITY = 4096;

    private final ServiceContext context;
    private final ServiceEvent.Service service;
    private final Map<InetSocketAddress, FlowRecorder> recorders;

    UdpRecorders(ServiceContext context, ServiceEvent.Service service, int capacity) {
        this.context = context;
        this.service = service;
        this.recorders = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, FlowRecorder> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized FlowRecorder forClient(InetSocketAddress client, InetSocketAddress local) {
        return recorders.computeIfAbsent(client, c -> new FlowRecorder(context.log(), service, c,
                context.destinations().resolve(OriginalDestinationLookup.Protocol.UDP, c,
                        local == null ? 0 : local.getPort())));
    }

    /** Logs a failure of the shared socket itself (no client to blame). */
    void error(String what, Throwable cause) {
        context.log().record(new ServiceEvent(Instant.now(), service, null, null, ServiceEvent.Kind.ERROR,
                what + " error: " + cause, Map.of("exception", cause.getClass().getName())));
    }
}
