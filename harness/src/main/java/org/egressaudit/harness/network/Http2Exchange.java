package org.egressaudit.harness.network;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * HTTP/2 inside an intercepted TLS connection (ALPN h2). Each stream becomes a child channel whose frames are turned
 * into HTTP/1 objects and answered by the same {@link HttpExchangeHandler} (same responder, same events), so an
 * upload over h2 is logged exactly like one over HTTP/1.1.
 */
final class Http2Exchange {
    /** Streams one client may have open at once: bounds the child channels an agent can make us hold. */
    static final int MAX_CONCURRENT_STREAMS = 100;

    private Http2Exchange() {
    }

    /** The connection-level handlers, in pipeline order. */
    static ChannelHandler[] handlers(CatchAllTcpServer.Routes routes) {
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                .maxHeaderListSize(routes.config().maxHttpHeaderBytes());
        ChannelHandler codec = Http2FrameCodecBuilder.forServer().initialSettings(settings).build();
        ChannelHandler multiplex = new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
                stream.pipeline()
                        .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                        .addLast(new HttpServerExpectContinueHandler())
                        .addLast(new HttpExchangeHandler(routes));
            }
        });
        return new ChannelHandler[] {codec, multiplex};
    }
}
