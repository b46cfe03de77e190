package org.egressaudit.harness.network;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.Future;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Waits for the whole ClientHello (Netty's parser, bounded at 64 KiB), logs the server name, then hands the
 * connection to the {@link TlsHandlerFactory} if there is one (decrypted bytes are sniffed again), else to a raw
 * sink. The ClientHello bytes themselves are passed on, so the raw sink counts them too.
 */
final class TlsClientHelloInspector extends AbstractSniHandler<String> {
    private final CatchAllTcpServer.Routes routes;

    TlsClientHelloInspector(CatchAllTcpServer.Routes routes) {
        this.routes = routes;
    }

    @Override
    protected Future<String> lookup(ChannelHandlerContext ctx, String hostname) {
        return ctx.executor().newSucceededFuture(hostname);
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<String> future) {
        ConnectionTracker tracker = ConnectionTracker.of(ctx.channel());
        Map<String, String> a = new LinkedHashMap<>();
        a.put("sni", hostname);
        ChannelHandler terminator = routes.tlsFactory() == null ? null
                : routes.tlsFactory().newHandler(new TlsConnection(ctx.channel(), hostname, tracker));
        a.put("intercepted", Boolean.toString(terminator != null));
        tracker.recorder().emit(ServiceEvent.Kind.TLS_CLIENT_HELLO, "TLS ClientHello, server name "
                + (hostname == null ? "(none)" : hostname) + (terminator != null ? ", intercepted" : ", not decrypted"), a);
        String name = ctx.name();
        if (terminator != null) {
            ctx.pipeline().addAfter(name, "tls-terminator", terminator);
            ctx.pipeline().addAfter("tls-terminator", "sniffer-decrypted", ProtocolSniffer.afterHandshake(routes));
        } else {
            routes.raw(ctx.pipeline(), name, "tls");
        }
        ctx.pipeline().remove(this);
    }
}
