package org.egressaudit.harness.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsServerProtocol;
import org.egressaudit.harness.network.ServiceEvent;
import org.egressaudit.harness.network.TlsConnection;

/**
 * Terminates one intercepted TLS connection with BouncyCastle's non-blocking {@link TlsServerProtocol}: ciphertext
 * in from the client, plaintext on to the handlers behind (the sniffer), plaintext written back encrypted. Picks
 * the certificate before the first byte is fed: by SNI, or, without SNI, by the original destination (waiting for
 * its lookup). Reports the outcome once: TLS_INTERCEPTED (and the session's key log lines) when the handshake
 * completes, TLS_REFUSED when the client rejects the certificate or gives up.
 */
final class TlsTerminator extends ChannelDuplexHandler {
    /** Client bytes held while the certificate is not chosen yet (a ClientHello is at most 64 KiB, Netty-checked). */
    static final int MAX_EARLY_INPUT = 256 * 1024;

    private final TlsConnection connection;
    private final TlsInterception owner;
    private ByteBuf early;
    private InterceptingTlsServer server;
    private TlsServerProtocol protocol;
    private boolean handshakeDone;
    private boolean finished; // an outcome was reported, or the connection failed
    private long cipherIn;
    private long cipherOut;
    private long plainIn;

    TlsTerminator(TlsConnection connection, TlsInterception owner) {
        this.connection = connection;
        this.owner = owner;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        early = ctx.alloc().buffer();
        String sni = connection.serverName();
        if (sni != null && LeafCertificates.isValidServerName(sni)) {
            start(ctx, owner.leaves().forServerName(sni));
            return;
        }
        // No usable SNI: name the address the client dialled, which the conntrack lookup may still be finding.
        connection.originalDestination().whenComplete((dest, e) -> ctx.executor().execute(() -> {
            if (!ctx.isRemoved() && ctx.channel().isActive()) {
                InetSocketAddress a = dest != null ? dest : connection.localAddress();
                InetAddress address = a.getAddress();
                try {
                    start(ctx, owner.leaves().forAddress(address));
                } catch (RuntimeException ex) {
                    ctx.fireExceptionCaught(ex);
                }
            }
        }));
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (early != null) {
            early.release();
            early = null;
        }
    }

    private void start(ChannelHandlerContext ctx, LeafCertificates.Leaf leaf) {
        server = new InterceptingTlsServer(owner.crypto(), leaf);
        protocol = new TlsServerProtocol();
        try {
            protocol.accept(server);
        } catch (IOException e) {
            fail(ctx, e);
            return;
        }
        if (early.isReadable()) {
            ByteBuf held = early;
            early = ctx.alloc().buffer(0);
            feed(ctx, held);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf b)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        cipherIn += b.readableBytes();
        if (protocol == null) {
            if (early.readableBytes() + b.readableBytes() > MAX_EARLY_INPUT) {
                b.release();
                connection.closeReason("TLS: more than " + MAX_EARLY_INPUT + " bytes before the certificate was chosen");
                ctx.close();
                return;
            }
            early.writeBytes(b);
            b.release();
            return;
        }
        feed(ctx, b);
    }

    private void feed(ChannelHandlerContext ctx, ByteBuf b) {
        byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
        if (protocol.isClosed() || (finished && !handshakeDone)) {
            return; // after close_notify or a failed handshake: nothing more is read
        }
        try {
            protocol.offerInput(bytes);
        } catch (IOException e) {
            flushOutput(ctx);
            fail(ctx, e);
            return;
        }
        flushOutput(ctx);
        if (!handshakeDone && server.complete()) {
            handshakeDone = true;
            intercepted();
            ctx.fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);
        }
        int n;
        while ((n = protocol.getAvailableInputBytes()) > 0) {
            byte[] plain = new byte[n];
            protocol.readInput(plain, 0, n);
            plainIn += n;
            ctx.fireChannelRead(ctx.alloc().buffer(n).writeBytes(plain));
        }
        if (protocol.isClosed()) {
            connection.closeReason("client ended TLS (close_notify)");
            ctx.close();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf b)) {
            ctx.write(msg, promise);
            return;
        }
        try {
            if (!handshakeDone || protocol.isClosed()) {
                promise.setFailure(new IllegalStateException("TLS: no open session to write to"));
                return;
            }
            byte[] plain = ByteBufUtil.getBytes(b);
            protocol.writeApplicationData(plain, 0, plain.length);
            ByteBuf out = output(ctx);
            ctx.write(out != null ? out : ctx.alloc().buffer(0), promise);
        } catch (IOException e) {
            promise.setFailure(e);
            ctx.fireExceptionCaught(e);
        } finally {
            b.release();
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (protocol != null && handshakeDone && !protocol.isClosed()) {
            try {
                protocol.close(); // queues close_notify
            } catch (IOException e) {
                // closing anyway
            }
            flushOutput(ctx);
        }
        ctx.close(promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!finished && !handshakeDone) {
            refused(server == null ? null : server.alertReceived(), "client closed the connection during the handshake",
                    "handshake");
        } else if (handshakeDone && plainIn == 0 && !finished) {
            // Checked only now: e.g. curl --pinnedpubkey completes the handshake, then drops the connection unused.
            refused(server.alertReceived(), "client closed after the handshake without sending a byte (certificate "
                    + "pinning or a check after the handshake)", "after-handshake");
        }
        ctx.fireChannelInactive();
    }

    private ByteBuf output(ChannelHandlerContext ctx) {
        int n = protocol.getAvailableOutputBytes();
        if (n == 0) {
            return null;
        }
        byte[] out = new byte[n];
        protocol.readOutput(out, 0, n);
        cipherOut += n;
        return ctx.alloc().buffer(n).writeBytes(out);
    }

    private void flushOutput(ChannelHandlerContext ctx) {
        ByteBuf out = output(ctx);
        if (out != null) {
            ctx.writeAndFlush(out);
        }
    }

    private void fail(ChannelHandlerContext ctx, IOException e) {
        if (!handshakeDone) {
            String alert = null;
            String by = "client";
            if (e instanceof TlsFatalAlertReceived r) {
                alert = AlertDescription.getText(r.getAlertDescription());
            } else if (e instanceof TlsFatalAlert a) {
                alert = AlertDescription.getText(a.getAlertDescription());
                by = "harness";
            }
            String why = by.equals("client") ? "client rejected the handshake" + (alert == null ? "" : ": " + alert)
                    : "handshake failed on the harness side: " + alert + " (" + e.getMessage() + ")";
            refusedBy(alert, why, "handshake", by);
        } else {
            finished = true;
            Map<String, String> a = new LinkedHashMap<>();
            a.put("error", e.toString());
            connection.record(ServiceEvent.Kind.MALFORMED, "TLS error after the handshake: " + e.getMessage(), a);
            connection.closeReason("TLS error: " + e.getMessage());
        }
        ctx.close();
    }

    private void refused(String alert, String why, String stage) {
        refusedBy(alert, why, stage, "client");
    }

    private void refusedBy(String alert, String why, String stage, String by) {
        finished = true;
        Map<String, String> a = new LinkedHashMap<>();
        a.put("sni", connection.serverName());
        a.put("alpnOffered", server == null ? "" : String.join(",", server.offeredAlpn()));
        a.put("stage", stage);
        a.put("by", by);
        a.put("alert", alert);
        a.put("version", server == null ? null : server.version());
        if (server != null) {
            a.put("certificateSubject", server.leaf().subject());
            a.put("certificateSha256", server.leaf().sha256());
        }
        a.put("bytesIn", Long.toString(cipherIn));
        a.put("bytesOut", Long.toString(cipherOut));
        connection.record(ServiceEvent.Kind.TLS_REFUSED, "TLS refused for " + name() + ": " + why + " ("
                + cipherIn + " bytes in, " + cipherOut + " bytes out): the connection stays opaque", a);
        connection.closeReason("TLS refused: " + why);
    }

    private void intercepted() {
        boolean logged = false;
        if (!server.secrets().isEmpty()) {
            logged = owner.keyLog().session(server.clientRandom(), server.secrets());
        }
        Map<String, String> a = new LinkedHashMap<>();
        a.put("sni", connection.serverName());
        a.put("version", server.version());
        a.put("cipherSuite", server.cipherSuite());
        a.put("alpn", server.applicationProtocol());
        a.put("alpnOffered", String.join(",", server.offeredAlpn()));
        a.put("certificateSubject", server.leaf().subject());
        a.put("certificateSha256", server.leaf().sha256());
        a.put("keyLogged", Boolean.toString(logged));
        if (!logged) {
            a.put("keyLogProblem", server.keyFailure() != null ? server.keyFailure() : "key log full or failing");
        }
        connection.record(ServiceEvent.Kind.TLS_INTERCEPTED, server.version() + " intercepted for " + name() + " ("
                + server.cipherSuite() + (server.applicationProtocol() == null ? "" : ", ALPN "
                + server.applicationProtocol()) + ")" + (logged ? ", keys logged" : ", keys NOT logged"), a);
    }

    private String name() {
        return connection.serverName() != null ? connection.serverName()
                : server != null ? server.leaf().name() + " (no SNI)" : "(no SNI)";
    }
}
