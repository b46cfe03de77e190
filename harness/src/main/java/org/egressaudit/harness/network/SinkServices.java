package org.egressaudit.harness.network;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The harness's network services on one address: DNS sinkhole (UDP+TCP, one port), catch-all TCP and UDP sink,
 * sharing one event loop group and one {@link ServiceEventLog}. Closing releases every port; a failure to start
 * any one service closes the ones already started.
 */
public final class SinkServices implements AutoCloseable {
    private final InetAddress bind;
    private final Inet4Address dnsAnswer;
    private final Transport transport;
    private final EventLoopGroup group;
    private final ChannelGroup channels;
    private final OriginalDestinations destinations;
    private final ConnectionLimit limit;
    private final DnsSinkhole dns;
    private final CatchAllTcpServer tcp;
    private final UdpSink udp;
    private boolean closed;

    private SinkServices(InetAddress bind, Inet4Address dnsAnswer, Transport transport, EventLoopGroup group,
                         ChannelGroup channels, OriginalDestinations destinations, ConnectionLimit limit,
                         DnsSinkhole dns, CatchAllTcpServer tcp, UdpSink udp) {
        this.bind = bind;
        this.dnsAnswer = dnsAnswer;
        this.transport = transport;
        this.group = group;
        this.channels = channels;
        this.destinations = destinations;
        this.limit = limit;
        this.dns = dns;
        this.tcp = tcp;
        this.udp = udp;
    }

    /**
     * Starts every service on {@code bind}. Original destinations come from conntrack when
     * {@link SinkConfig#lookupOriginalDestination()} is set and conntrack is installed; TLS is not intercepted.
     */
    public static SinkServices start(InetAddress bind, SinkConfig config, HttpResponder responder,
                                     ServiceEventLog log) throws IOException {
        OriginalDestinationLookup lookup = config.lookupOriginalDestination()
                ? ConntrackLookup.ifAvailable(config.originalDestinationTimeout()).orElse(null) : null;
        return start(bind, config, responder, log, null, lookup);
    }

    /**
     * Starts every service on {@code bind}.
     *
     * @param tls    TLS interception hook, or null to leave TLS undecrypted (raw sink)
     * @param lookup original-destination lookup, or null to record none
     * @throws IOException naming the service and address that could not be bound
     */
    public static SinkServices start(InetAddress bind, SinkConfig config, HttpResponder responder,
                                     ServiceEventLog log, TlsHandlerFactory tls, OriginalDestinationLookup lookup)
            throws IOException {
        Objects.requireNonNull(bind, "bind address");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(responder, "responder");
        Objects.requireNonNull(log, "log");
        Inet4Address answer = config.dnsAnswerAddress();
        if (answer == null) {
            if (!(bind instanceof Inet4Address v4) || bind.isAnyLocalAddress()) {
                throw new IllegalArgumentException("no DNS answer address: bind address " + bind.getHostAddress()
                        + " is not a specific IPv4 address, so SinkConfig.dnsAnswerAddress must be set");
            }
            answer = v4;
        }
        Transport transport = Transport.detect();
        EventLoopGroup group = transport.newGroup(config.eventLoopThreads());
        ChannelGroup channels = new DefaultChannelGroup("sink-services", GlobalEventExecutor.INSTANCE);
        OriginalDestinations destinations = new OriginalDestinations(lookup);
        ConnectionLimit limit = new ConnectionLimit(config.maxConnections());
        ServiceContext context = new ServiceContext(config, log, destinations, limit, channels);
        DnsSinkhole dns = null;
        CatchAllTcpServer tcp = null;
        UdpSink udp = null;
        try {
            dns = DnsSinkhole.bind(transport, group, bind, config.dnsPort(), context,
                    new DnsAnswers(answer, config.dnsTtlSeconds()));
            tcp = CatchAllTcpServer.bind(transport, group, bind, config.tcpPort(), context, responder, tls);
            udp = UdpSink.bind(transport, group, bind, config.udpPort(), context);
            return new SinkServices(bind, answer, transport, group, channels, destinations, limit, dns, tcp, udp);
        } catch (IOException | RuntimeException | Error e) {
            shutdown(group, channels, destinations);
            throw e;
        }
    }

    public InetAddress bindAddress() {
        return bind;
    }

    /** The address every A query is answered with. */
    public Inet4Address dnsAnswerAddress() {
        return dnsAnswer;
    }

    /** DNS port (UDP and TCP). */
    public int dnsPort() {
        return dns.port();
    }

    /** The catch-all TCP port (the REDIRECT target for TCP). */
    public int tcpPort() {
        return tcp.port();
    }

    /** The UDP sink port (the REDIRECT target for non-DNS UDP). */
    public int udpPort() {
        return udp.port();
    }

    /** "epoll" or "nio". */
    public String transport() {
        return transport.name();
    }

    /** TCP connections currently open (DNS/TCP and catch-all). */
    public int activeConnections() {
        return limit.active();
    }

    /** Per-flow totals of the UDP sink, oldest first. */
    public List<UdpFlow> udpFlows() {
        return udp.flows();
    }

    /**
     * Closes every listener and connection (their closing events are still logged), stops the event loops, and
     * finishes pending destination lookups. The shared {@link ServiceEventLog} stays open: it belongs to the caller.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        shutdown(group, channels, destinations);
    }

    private static void shutdown(EventLoopGroup group, ChannelGroup channels, OriginalDestinations destinations) {
        channels.close().awaitUninterruptibly();
        // quiet period 0: nothing new can arrive once every channel is closed; the loops still run queued tasks
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
        destinations.close();
    }
}
