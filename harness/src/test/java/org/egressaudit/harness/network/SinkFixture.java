package org.egressaudit.harness.network;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/** Services on loopback, ephemeral ports, with an in-memory log; closes both. */
final class SinkFixture implements AutoCloseable {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    final ServiceEventLog log = new ServiceEventLog(10_000);
    final SinkServices services;

    SinkFixture(SinkConfig config, HttpResponder responder, TlsHandlerFactory tls, OriginalDestinationLookup lookup)
            throws IOException {
        services = SinkServices.start(LOOPBACK, config, responder, log, tls, lookup);
    }

    /** Test defaults: short detection wait so tests of silent clients stay quick, no conntrack. */
    static SinkConfig config() {
        return SinkConfig.defaults().withProtocolDetectionWait(Duration.ofMillis(300))
                .withLookupOriginalDestination(false);
    }

    static SinkFixture start() throws IOException {
        return new SinkFixture(config(), HttpResponder.DEFAULT, null, null);
    }

    InetSocketAddress tcp() {
        return new InetSocketAddress(LOOPBACK, services.tcpPort());
    }

    ServiceEvent await(Predicate<ServiceEvent> test, String what) throws InterruptedException {
        Optional<ServiceEvent> e = log.await(test, Duration.ofSeconds(10));
        if (e.isEmpty()) {
            throw new AssertionError("no event " + what + " within 10 s; events: " + log.events());
        }
        return e.get();
    }

    static Predicate<ServiceEvent> kind(ServiceEvent.Kind kind) {
        return e -> e.kind() == kind;
    }

    @Override
    public void close() {
        services.close();
        log.close();
    }
}
