package org.egressaudit.harness.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Answers HTTP/1.x requests from the {@link HttpResponder}. The body is streamed, never held: its size and SHA-256
 * are logged (the bytes themselves are in the capture), so a body of any size is read, discarded and answered
 * without memory growing. Keep-alive follows the request; "Expect: 100-continue" is answered by the
 * HttpServerExpectContinueHandler in front of this handler. A CONNECT answered 2xx turns the connection into a
 * tunnel whose contents are sniffed again (TLS through a proxy is still seen as TLS).
 */
final class HttpExchangeHandler extends ChannelInboundHandlerAdapter {
    private final CatchAllTcpServer.Routes routes;
    private HttpRequest request;
    private long bodyBytes;
    private MessageDigest digest;
    private boolean discarding;

    HttpExchangeHandler(CatchAllTcpServer.Routes routes) {
        this.routes = routes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (discarding) {
                return; // after a bad request: the connection is closing, ignore what is still in flight
            }
            if (msg instanceof HttpRequest r) {
                if (r.decoderResult().isFailure()) {
                    badRequest(ctx, r.decoderResult());
                    return;
                }
                request = r;
                bodyBytes = 0;
                digest = sha256();
            }
            if (msg instanceof HttpContent c) {
                if (c.decoderResult().isFailure()) {
                    badRequest(ctx, c.decoderResult());
                    return;
                }
                if (request == null) {
                    return;
                }
                ByteBuf content = c.content();
                bodyBytes += content.readableBytes();
                digest.update(content.nioBuffer());
                if (c instanceof LastHttpContent) {
                    answer(ctx);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void answer(ChannelHandlerContext ctx) {
        HttpRequest r = request;
        request = null;
        String host = host(r);
        String method = r.method().name();
        String path = r.uri();
        HttpAnswer answer;
        String failure = null;
        try {
            answer = routes.responder().answer(host, method, path, r.headers());
            if (answer == null) {
                failure = "responder returned no answer";
            }
        } catch (RuntimeException e) {
            answer = null;
            failure = "responder failed: " + e;
        }
        if (failure != null) {
            answer = HttpAnswer.json(500, "{\"error\":\"sink responder failed\"}");
        }
        boolean head = r.method().equals(HttpMethod.HEAD);
        byte[] body = answer.body();
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()), head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        HttpHeaders h = response.headers();
        for (Map.Entry<String, List<String>> e : answer.headers().entrySet()) {
            String n = e.getKey().toLowerCase(Locale.ROOT);
            if (!n.equals("content-length") && !n.equals("transfer-encoding") && !n.equals("connection")) {
                h.add(e.getKey(), e.getValue());
            }
        }
        h.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        // no tunnels inside HTTP/2 streams (extended CONNECT is not offered): the answer is all there is
        boolean tunnel = r.method().equals(HttpMethod.CONNECT) && answer.status() / 100 == 2
                && !(ctx.channel() instanceof Http2StreamChannel);
        boolean keepAlive = HttpUtil.isKeepAlive(r) || tunnel;
        HttpUtil.setKeepAlive(response, keepAlive);

        Map<String, String> a = new LinkedHashMap<>();
        a.put("method", method);
        a.put("host", host);
        a.put("path", path);
        boolean h2 = ctx.channel() instanceof Http2StreamChannel;
        a.put("version", h2 ? "HTTP/2" : r.protocolVersion().text());
        a.put("bodyBytes", Long.toString(bodyBytes));
        a.put("bodySha256", HexFormat.of().formatHex(digest.digest()));
        a.put("userAgent", r.headers().get(HttpHeaderNames.USER_AGENT));
        a.put("contentType", r.headers().get(HttpHeaderNames.CONTENT_TYPE));
        a.put("status", Integer.toString(answer.status()));
        if (failure != null) {
            a.put("responderFailure", failure);
        }
        ConnectionTracker tracker = ConnectionTracker.of(ctx.channel());
        tracker.recorder().emit(ServiceEvent.Kind.HTTP_REQUEST, method + " " + host + " " + path + " -> "
                + answer.status() + " (" + bodyBytes + " body bytes)", a);

        if (tunnel) {
            // encode the answer while the codec is still in place, then let the sniffer take over the bytes
            ctx.writeAndFlush(response);
            routes.tunnel(ctx.pipeline(), ctx.name());
        } else if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            tracker.closeReason("answered, no keep-alive");
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void badRequest(ChannelHandlerContext ctx, DecoderResult result) {
        discarding = true;
        request = null;
        String why = String.valueOf(result.cause());
        ConnectionTracker tracker = ConnectionTracker.of(ctx.channel());
        tracker.closeReason("bad HTTP request");
        tracker.recorder().emit(ServiceEvent.Kind.MALFORMED, "bad HTTP request, answered 400: " + why,
                Map.of("cause", why));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
                Unpooled.copiedBuffer("bad request\n", StandardCharsets.US_ASCII));
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        HttpUtil.setKeepAlive(response, false);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** Host header (or the authority of an absolute-form target) without port; "" when there is none. */
    static String host(HttpRequest r) {
        String host = r.headers().get(HttpHeaderNames.HOST);
        if (host == null || host.isBlank()) {
            try {
                URI u = new URI(r.uri());
                host = u.getHost() != null ? u.getHost() : r.method().equals(HttpMethod.CONNECT) ? r.uri() : "";
            } catch (Exception e) {
                host = r.method().equals(HttpMethod.CONNECT) ? r.uri() : "";
            }
        }
        host = host.trim();
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0 ? host.substring(1, end) : host;
        }
        int colon = host.lastIndexOf(':');
        return colon >= 0 && host.indexOf(':') == colon ? host.substring(0, colon) : host;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
