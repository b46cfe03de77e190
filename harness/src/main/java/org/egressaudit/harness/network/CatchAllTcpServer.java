package org.egressaudit.harness.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The one TCP listener every redirected connection lands on. Each connection is sniffed
 * ({@link ProtocolSniffer}) and handed to HTTP, TLS inspection or a raw sink; nothing ever leaves the host.
 */
final class CatchAllTcpServer implements AutoCloseable {
    /** Longest HTTP chunk handed on at once; bodies are streamed in pieces of at most this size. */
    static final int HTTP_CHUNK = 64 * 1024;

    private final Channel channel;

    private CatchAllTcpServer(Channel channel) {
        this.channel = channel;
    }

    static CatchAllTcpServer bind(Transport transport, EventLoopGroup group, InetAddress address, int port,
                                  ServiceContext context, HttpResponder responder, TlsHandlerFactory tls)
            throws IOException {
        Routes routes = new Routes(context.config(), responder, tls);
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        int listenerPort = ((InetSocketAddress) ch.parent().localAddress()).getPort();
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0,
                                        context.config().idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                                .addLast("tracker", new ConnectionTracker(context, ServiceEvent.Service.TCP,
                                        listenerPort))
                                .addLast("sniffer", new ProtocolSniffer(routes, true))
                                .addLast("last-resort", LastResort.INSTANCE);
                    }
                });
        Channel ch = Binding.bind(b.bind(address, port), "catch-all TCP", address, port);
        context.channels().add(ch);
        return new CatchAllTcpServer(ch);
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
    }

    /** Builds the handlers the sniffers hand connections to. Handlers are inserted right after the caller. */
    record Routes(SinkConfig config, HttpResponder responder, TlsHandlerFactory tlsFactory) {

        void http(ChannelPipeline p, String after) {
            ConnectionTracker.of(p.channel()).addProtocol("http");
            // inserted in reverse: each goes directly after 'after'
            p.addAfter(after, null, new HttpExchangeHandler(this));
            p.addAfter(after, null, new HttpServerExpectContinueHandler());
            p.addAfter(after, null, new HttpServerCodec(config.maxHttpInitialLineBytes(), config.maxHttpHeaderBytes(),
                    HTTP_CHUNK));
        }

        /** HTTP/2 (after its connection preface), only ever inside intercepted TLS. */
        void http2(ChannelPipeline p, String after) {
            ConnectionTracker.of(p.channel()).addProtocol("http2");
            // in order: the multiplexer looks for the frame codec in front of it when it is added
            String previous = after;
            for (ChannelHandler h : Http2Exchange.handlers(this)) {
                p.addAfter(previous, null, h);
                previous = p.context(h).name();
            }
        }

        void tls(ChannelPipeline p, String after) {
            ConnectionTracker.of(p.channel()).addProtocol("tls");
            p.addAfter(after, null, new TlsClientHelloInspector(this));
        }

        void raw(ChannelPipeline p, String after, String reason) {
            if (!reason.equals("tls")) {
                ConnectionTracker.of(p.channel()).addProtocol("raw");
            }
            p.addAfter(after, null, new RawSink(reason));
        }

        /** After a CONNECT answered 2xx: drop the HTTP handlers and sniff what comes through the tunnel. */
        void tunnel(ChannelPipeline p, String exchangeName) {
            ChannelHandlerContext codec = p.context(HttpServerCodec.class);
            p.addAfter(codec.name(), null, new ProtocolSniffer(this, true));
            p.remove(exchangeName);
            p.remove(HttpServerExpectContinueHandler.class);
            p.remove(codec.name()); // hands bytes already received after the CONNECT to the new sniffer
        }
    }
}
