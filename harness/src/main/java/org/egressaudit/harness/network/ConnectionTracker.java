package org.egressaudit.harness.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * First handler of every accepted TCP connection: applies the connection limit, starts the original-destination
 * lookup, counts bytes both ways, closes idle connections and logs one CONNECTION_CLOSED summary at the end.
 * Later handlers find it through {@link #of(Channel)} to log with the connection's {@link FlowRecorder}.
 */
final class ConnectionTracker extends ChannelDuplexHandler {
    private static final AttributeKey<ConnectionTracker> KEY = AttributeKey.valueOf(ConnectionTracker.class.getName());

    private final ServiceContext context;
    private final ServiceEvent.Service service;
    private final int listenerPort;
    private FlowRecorder recorder;
    private CompletableFuture<InetSocketAddress> destination = CompletableFuture.completedFuture(null);
    private boolean admitted;
    private boolean rejected;
    private String protocol = "undetected";
    private String closeReason;
    private long bytesIn;
    private long bytesOut;
    private Instant opened;

    ConnectionTracker(ServiceContext context, ServiceEvent.Service service, int listenerPort) {
        this.context = context;
        this.service = service;
        this.listenerPort = listenerPort;
    }

    /** The tracker of a connection; for an HTTP/2 stream channel, the tracker of its parent connection. */
    static ConnectionTracker of(Channel channel) {
        ConnectionTracker t = channel.attr(KEY).get();
        return t == null && channel.parent() != null ? channel.parent().attr(KEY).get() : t;
    }

    /** The original destination of this connection (null when unknown); never completes exceptionally. */
    CompletableFuture<InetSocketAddress> originalDestination() {
        return destination;
    }

    FlowRecorder recorder() {
        return recorder;
    }

    /** Records a protocol layer found on this connection; layers stack, e.g. "tls>http" or "http>tls". */
    void addProtocol(String layer) {
        protocol = protocol.equals("undetected") ? layer : protocol + ">" + layer;
    }

    /** The first reason given wins: it is the cause, later ones are consequences. */
    void closeReason(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        opened = Instant.now();
        InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
        ctx.channel().attr(KEY).set(this);
        admitted = context.limit().tryAcquire();
        if (!admitted) {
            rejected = true;
            // no conntrack lookup for refused connections: a flood must not turn into a process flood
            recorder = new FlowRecorder(context.log(), service, client, CompletableFuture.completedFuture(null));
            recorder.emit(ServiceEvent.Kind.REJECTED, "connection refused: " + context.limit().max()
                    + " connections already open", Map.of("limit", Integer.toString(context.limit().max())));
            ctx.close();
            return;
        }
        context.channels().add(ctx.channel());
        destination = context.destinations().resolve(OriginalDestinationLookup.Protocol.TCP, client, listenerPort);
        recorder = new FlowRecorder(context.log(), service, client, destination);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        bytesIn += size(msg);
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        bytesOut += size(msg);
        ctx.write(msg, promise);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            closeReason("idle for " + context.config().idleTimeout().toSeconds() + " s");
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (rejected) {
            return; // the rest of the pipeline never saw this connection start: it must not see it end
        }
        if (admitted) {
            admitted = false;
            context.limit().release();
            Map<String, String> a = new LinkedHashMap<>();
            a.put("protocol", protocol);
            a.put("bytesIn", Long.toString(bytesIn));
            a.put("bytesOut", Long.toString(bytesOut));
            a.put("durationMs", Long.toString(Duration.between(opened, Instant.now()).toMillis()));
            a.put("reason", closeReason == null ? "closed" : closeReason);
            recorder.emit(ServiceEvent.Kind.CONNECTION_CLOSED, protocol + " connection closed (" + a.get("reason")
                    + "): " + bytesIn + " bytes in, " + bytesOut + " bytes out", a);
        }
        ctx.fireChannelInactive();
    }

    private static long size(Object msg) {
        if (msg instanceof ByteBuf b) {
            return b.readableBytes();
        }
        if (msg instanceof ByteBufHolder h) {
            return h.content().readableBytes();
        }
        return 0;
    }
}
