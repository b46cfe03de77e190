package org.egressaudit.harness.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Port unification: looks at a client's first bytes and hands the connection to HTTP, TLS or a raw sink, then
 * removes itself (the bytes it looked at are passed on to the chosen handlers). Waits at most the configured
 * detection time for client-first protocols; a client silent until then goes to the raw sink.
 */
final class ProtocolSniffer extends ByteToMessageDecoder {
    /** Longest method token accepted as HTTP (WebDAV has the long ones, e.g. VERSION-CONTROL). */
    static final int MAX_METHOD = 20;

    /** What the first bytes look like. */
    enum Guess { HTTP, TLS, HTTP2_PREFACE, OTHER }

    private final CatchAllTcpServer.Routes routes;
    private final boolean tlsAllowed;
    /** Behind a TLS terminator: nothing to sniff until its handshake is done. */
    private final boolean afterHandshake;
    private boolean handshakeDone;
    private ScheduledFuture<?> timer;
    private boolean decided;

    /** @param tlsAllowed false inside an already decrypted stream: TLS in TLS is left raw */
    ProtocolSniffer(CatchAllTcpServer.Routes routes, boolean tlsAllowed) {
        this(routes, tlsAllowed, false);
    }

    private ProtocolSniffer(CatchAllTcpServer.Routes routes, boolean tlsAllowed, boolean afterHandshake) {
        this.routes = routes;
        this.tlsAllowed = tlsAllowed;
        this.afterHandshake = afterHandshake;
    }

    /**
     * The sniffer behind a TLS terminator: its wait starts when the handshake succeeds (the terminator may wait for
     * the original destination before it can even answer), TLS inside is left raw, HTTP/2 is answered, and a
     * client that never finished the handshake is not reported again as a raw connection (the terminator did).
     */
    static ProtocolSniffer afterHandshake(CatchAllTcpServer.Routes routes) {
        return new ProtocolSniffer(routes, false, true);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (!afterHandshake) {
            startTimer(ctx);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent h && h.isSuccess() && !decided) {
            handshakeDone = true;
            startTimer(ctx); // the wait is for the first application bytes, not for the handshake
        }
        super.userEventTriggered(ctx, evt);
    }

    private void startTimer(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
        timer = ctx.executor().schedule(() -> {
            if (!decided && !ctx.isRemoved()) {
                boolean silent = internalBuffer().readableBytes() == 0;
                route(ctx, Guess.OTHER, silent ? "silent" : "incomplete");
            }
        }, routes.config().protocolDetectionWait().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (decided) {
            return;
        }
        Guess g = classify(in, tlsAllowed);
        if (g != null) {
            route(ctx, g, g == Guess.HTTP2_PREFACE ? "http2-preface" : "unrecognised");
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        // the client closed before we could tell: what it sent still goes to (and is counted by) a raw sink
        if (!decided && (!afterHandshake || handshakeDone)) {
            route(ctx, Guess.OTHER, in.isReadable() ? "incomplete" : "silent");
        }
    }

    private void route(ChannelHandlerContext ctx, Guess g, String rawReason) {
        decided = true;
        String name = ctx.name();
        switch (g) {
            case HTTP -> routes.http(ctx.pipeline(), name);
            case TLS -> routes.tls(ctx.pipeline(), name);
            case HTTP2_PREFACE -> {
                if (afterHandshake) {
                    routes.http2(ctx.pipeline(), name);
                } else {
                    routes.raw(ctx.pipeline(), name, rawReason); // cleartext h2c stays raw, as before
                }
            }
            default -> routes.raw(ctx.pipeline(), name, rawReason);
        }
        // removal hands the bytes looked at so far to the handlers just added
        ctx.pipeline().remove(this);
    }

    static final java.util.Set<String> KNOWN_METHODS = java.util.Set.of("GET", "HEAD", "POST", "PUT", "DELETE",
            "CONNECT", "OPTIONS", "TRACE", "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK",
            "UNLOCK", "REPORT", "SEARCH", "MKCALENDAR", "VERSION-CONTROL", "CHECKOUT", "CHECKIN", "UNCHECKOUT",
            "MKWORKSPACE", "UPDATE", "LABEL", "MERGE", "BASELINE-CONTROL", "MKACTIVITY", "ORDERPATCH", "ACL",
            "BIND", "UNBIND", "REBIND", "LINK", "UNLINK", "PURGE");
    /** Longest first line looked at for an unregistered method. */
    static final int MAX_REQUEST_LINE = 8192;

    /** HTTP when the first line ends in " HTTP/1.x", OTHER when it does not, null while it is incomplete. */
    private static Guess requestLine(ByteBuf in, int start, int n) {
        int limit = Math.min(n, MAX_REQUEST_LINE);
        for (int i = 0; i < limit; i++) {
            if (in.getUnsignedByte(start + i) == '\n') {
                int end = i > 0 && in.getUnsignedByte(start + i - 1) == '\r' ? i - 1 : i;
                String line = in.toString(start, end, java.nio.charset.StandardCharsets.ISO_8859_1);
                return line.matches("\\S+ \\S+ HTTP/1\\.[0-9]") ? Guess.HTTP : Guess.OTHER;
            }
        }
        return n >= MAX_REQUEST_LINE ? Guess.OTHER : null;
    }

    /** The protocol the first bytes show, or null while there are too few to tell. */
    static Guess classify(ByteBuf in, boolean tlsAllowed) {
        int n = in.readableBytes();
        if (n == 0) {
            return null;
        }
        int start = in.readerIndex();
        int b0 = in.getUnsignedByte(start);
        if (b0 == 0x16) { // TLS record type "handshake", then major version 3
            if (!tlsAllowed) {
                return Guess.OTHER;
            }
            return n < 2 ? null : in.getUnsignedByte(start + 1) == 3 ? Guess.TLS : Guess.OTHER;
        }
        if (b0 < 'A' || b0 > 'Z') {
            return Guess.OTHER;
        }
        for (int i = 0; i < n; i++) {
            int c = in.getUnsignedByte(start + i);
            if (c == ' ') {
                boolean pri = i == 3 && in.getUnsignedByte(start) == 'P' && in.getUnsignedByte(start + 1) == 'R'
                        && in.getUnsignedByte(start + 2) == 'I';
                if (pri) {
                    return Guess.HTTP2_PREFACE;
                }
                // A registered method is enough; any other upper-case word ("HELLO agent=42") must show a whole
                // request line ending in HTTP/1.x, or a raw protocol would be answered 400 and never recorded raw.
                String method = in.toString(start, i, java.nio.charset.StandardCharsets.US_ASCII);
                return KNOWN_METHODS.contains(method) ? Guess.HTTP : requestLine(in, start, n);
            }
            if (!((c >= 'A' && c <= 'Z') || c == '-' || c == '_') || i >= MAX_METHOD) {
                return Guess.OTHER;
            }
        }
        return null;
    }
}
