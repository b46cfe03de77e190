package org.egressaudit.harness.network;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What a {@link TlsHandlerFactory} learns about one intercepted connection, and how its handler reports: events go
 * to the connection's flow (stamped with its original destination) like every other event of the catch-all.
 */
public final class TlsConnection {
    private final Channel channel;
    private final String serverName;
    private final ConnectionTracker tracker;

    TlsConnection(Channel channel, String serverName, ConnectionTracker tracker) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.serverName = serverName;
        this.tracker = Objects.requireNonNull(tracker, "tracker");
    }

    /** The client connection. */
    public Channel channel() {
        return channel;
    }

    /** The SNI host name from the ClientHello (as Netty parsed it, lower case), or null when the client sent none. */
    public String serverName() {
        return serverName;
    }

    /** The sandbox-side address and port. */
    public InetSocketAddress client() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    /** The address the connection landed on (the REDIRECT target: the harness listener). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /**
     * Where the client meant to go before the REDIRECT; completes with null when that is unknown (no lookup, or it
     * failed or timed out). Never completes exceptionally. May complete on any thread.
     */
    public CompletableFuture<InetSocketAddress> originalDestination() {
        return tracker.originalDestination();
    }

    /** Logs an event of this connection's flow. */
    public void record(ServiceEvent.Kind kind, String detail, Map<String, String> attributes) {
        tracker.recorder().emit(kind, detail, attributes);
    }

    /** Why the connection ends, for its CONNECTION_CLOSED summary (the first reason given wins). */
    public void closeReason(String reason) {
        tracker.closeReason(reason);
    }
}
