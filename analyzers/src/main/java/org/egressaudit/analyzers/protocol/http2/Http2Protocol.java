package org.egressaudit.analyzers.protocol.http2;

import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.TcpProtocol;

/**
 * Cleartext HTTP/2, recognised by the client connection preface {@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n} (h2c with
 * prior knowledge; also the plaintext of a decrypted TLS connection that negotiated ALPN h2). Undecided while the
 * client has sent a proper prefix of the preface.
 */
public final class Http2Protocol implements TcpProtocol {

    private final Http2Limits limits;

    public Http2Protocol() {
        this(Http2Limits.DEFAULTS);
    }

    public Http2Protocol(Http2Limits limits) {
        this.limits = limits;
    }

    @Override
    public String name() {
        return "h2";
    }

    @Override
    public Recognition recognize(FlowKey key, byte[] prefix, int length) {
        byte[] preface = Http2FrameReader.PREFACE;
        int n = Math.min(Math.min(length, prefix.length), preface.length);
        for (int i = 0; i < n; i++) {
            if (prefix[i] != preface[i]) {
                return Recognition.NO;
            }
        }
        return n == preface.length ? Recognition.YES : Recognition.NEED_MORE;
    }

    @Override
    public TcpConnectionHandler create(FlowKey key, boolean handshakeSeen, long firstSeenNanos,
                                       ProtocolContext context) {
        return new Http2ConnectionHandler(key, context, limits);
    }
}
