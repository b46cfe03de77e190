package org.egressaudit.analyzers.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowHandlerFactory;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.protocol.dns.DnsLimits;
import org.egressaudit.analyzers.protocol.dns.DnsMessage;
import org.egressaudit.analyzers.protocol.dns.DnsRecorder;
import org.egressaudit.analyzers.protocol.dns.DnsTcpProtocol;
import org.egressaudit.analyzers.protocol.raw.DatagramPayloadCollector;
import org.egressaudit.analyzers.protocol.raw.RawLimits;
import org.egressaudit.analyzers.protocol.raw.RawStreamHandler;
import org.egressaudit.analyzers.protocol.tls.TlsDecryption;
import org.egressaudit.analyzers.protocol.tls.TlsLimits;
import org.egressaudit.analyzers.protocol.tls.TlsProtocol;
import org.egressaudit.analyzers.protocol.tls.keylog.KeyLog;

/**
 * The application layer's entry point: chooses a handler for every TCP connection by content (the given
 * recognisers first, in order, then the built-in TLS and DNS-over-TCP ones, else raw, see
 * {@link RecognizingConnectionHandler}), sends UDP to DNS or to the raw datagram collector, ICMP to the raw
 * collector, and flushes DNS label assembly and datagram streams at the end of the capture.
 *
 * <p>UDP is DNS when either port is 53 (a malformed message there is still recorded as DNS, its bytes kept as
 * content), or when the client's datagram parses as a plausible standard query on any other port.
 */
public final class AppLayerDispatcher implements FlowHandlerFactory {
    private final ProtocolContext context;
    private final List<TcpProtocol> recognisers;
    private final DnsRecorder dns;
    private final DatagramPayloadCollector datagrams;
    private final RawLimits rawLimits;
    private final DispatchLimits limits;
    private boolean ended;

    /**
     * @param tcpProtocols recognisers asked before the built-in ones (e.g. HTTP), in order
     * @param dns          DNS recording and label assembly (shared by UDP and TCP)
     * @param datagrams    raw UDP/ICMP payload collection
     */
    public AppLayerDispatcher(ProtocolContext context, List<TcpProtocol> tcpProtocols, DnsRecorder dns,
                              DatagramPayloadCollector datagrams, DispatchLimits limits, TlsLimits tlsLimits,
                              RawLimits rawLimits) {
        this(context, tcpProtocols, dns, datagrams, limits, tlsLimits, rawLimits, KeyLog::empty);
    }

    /**
     * As above, with TLS decrypted where {@code tlsKeys} has the session's secrets; the plaintext is recognised
     * among the same protocols (TLS excluded) and analysed like a plain TCP stream.
     */
    public AppLayerDispatcher(ProtocolContext context, List<TcpProtocol> tcpProtocols, DnsRecorder dns,
                              DatagramPayloadCollector datagrams, DispatchLimits limits, TlsLimits tlsLimits,
                              RawLimits rawLimits, Supplier<KeyLog> tlsKeys) {
        this.context = context;
        this.dns = dns;
        this.datagrams = datagrams;
        this.rawLimits = rawLimits;
        this.limits = limits;
        List<TcpProtocol> all = new ArrayList<>(tcpProtocols);
        all.add(new TlsProtocol(tlsLimits, rawLimits,
                new TlsDecryption(tlsKeys, this::recognisers, this::newNestedConnection)));
        all.add(new DnsTcpProtocol(dns, rawLimits));
        this.recognisers = List.copyOf(all);
    }

    /** A dispatcher with default limits everywhere. */
    public static AppLayerDispatcher create(ProtocolContext context, List<TcpProtocol> tcpProtocols) {
        return new AppLayerDispatcher(context, tcpProtocols, new DnsRecorder(context, DnsLimits.DEFAULTS),
                new DatagramPayloadCollector(context, RawLimits.DEFAULTS), DispatchLimits.DEFAULTS,
                TlsLimits.DEFAULTS, RawLimits.DEFAULTS);
    }

    /** A dispatcher with default limits that decrypts TLS with the secrets {@code tlsKeys} supplies. */
    public static AppLayerDispatcher create(ProtocolContext context, List<TcpProtocol> tcpProtocols,
                                            Supplier<KeyLog> tlsKeys) {
        return new AppLayerDispatcher(context, tcpProtocols, new DnsRecorder(context, DnsLimits.DEFAULTS),
                new DatagramPayloadCollector(context, RawLimits.DEFAULTS), DispatchLimits.DEFAULTS,
                TlsLimits.DEFAULTS, RawLimits.DEFAULTS, tlsKeys);
    }

    /**
     * A handler for a stream carried inside another protocol (decrypted TLS): its protocol is recognised by
     * content among {@code protocols} as for a new connection, else it is analysed raw. The context may differ
     * from the dispatcher's (e.g. a sink that marks the transmissions).
     */
    public TcpConnectionHandler newNestedConnection(FlowKey key, long firstSeenNanos, ProtocolContext nestedContext,
                                                    List<TcpProtocol> protocols) {
        return new RecognizingConnectionHandler(key, true, firstSeenNanos, nestedContext, protocols,
                () -> new RawStreamHandler(key, nestedContext, rawLimits), limits);
    }

    /** Recognisers in the order they are asked (the given ones, then TLS, then DNS over TCP). */
    public List<TcpProtocol> recognisers() {
        return recognisers;
    }

    public DnsRecorder dns() {
        return dns;
    }

    @Override
    public TcpConnectionHandler newTcpConnection(FlowKey key, long firstSeenNanos, boolean handshakeSeen) {
        context.sink().event(key, Direction.CLIENT_TO_SERVER, "connection",
                key + (handshakeSeen ? " (handshake seen)" : " (picked up mid-stream, orientation guessed)"),
                firstSeenNanos);
        return new RecognizingConnectionHandler(key, handshakeSeen, firstSeenNanos, context, recognisers,
                () -> new RawStreamHandler(key, context, rawLimits), limits);
    }

    @Override
    public void onUdpDatagram(FlowKey key, Direction direction, ByteBuffer buffer, int offset, int length,
                              long timestampNanos) {
        if (ended) {
            return;
        }
        if (length > 0) {
            boolean port53 = key.serverPort() == 53 || key.clientPort() == 53;
            byte[] bytes = new byte[length];
            buffer.get(offset, bytes, 0, length);
            if (port53) {
                dns.record(key, direction, "udp", bytes, 0, length, -1, timestampNanos);
                return;
            }
            if (direction == Direction.CLIENT_TO_SERVER) {
                DnsMessage msg = dns.parser().parse(bytes, 0, length);
                if (msg.isPlausibleQuery()) {
                    dns.record(key, direction, "udp", msg, bytes, 0, length, -1, timestampNanos);
                    return;
                }
            }
        }
        datagrams.onUdp(key, direction, buffer, offset, length, timestampNanos);
    }

    @Override
    public void onIcmp(FlowKey key, Direction direction, int type, int code, ByteBuffer buffer, int offset,
                       int length, long timestampNanos) {
        if (ended) {
            return;
        }
        datagrams.onIcmp(key, direction, type, code, buffer, offset, length, timestampNanos);
    }

    @Override
    public void onCaptureEnd(long lastTimestampNanos) {
        if (ended) {
            return;
        }
        ended = true;
        dns.finish(lastTimestampNanos);
        datagrams.finish(lastTimestampNanos);
    }
}
