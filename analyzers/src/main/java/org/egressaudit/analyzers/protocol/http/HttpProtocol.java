package org.egressaudit.analyzers.protocol.http;

import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.TcpProtocol;

/**
 * HTTP/1.x, recognised by content on any port: the client's stream must start with a request line
 * ({@code token SP request-target SP HTTP/1.x}); see {@link RequestLineRecognizer} for how early it decides.
 */
public final class HttpProtocol implements TcpProtocol {

    private final HttpLimits limits;

    public HttpProtocol() {
        this(HttpLimits.DEFAULTS);
    }

    public HttpProtocol(HttpLimits limits) {
        this.limits = limits;
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public Recognition recognize(FlowKey key, byte[] prefix, int length) {
        return RequestLineRecognizer.recognize(prefix, 0, Math.min(length, prefix.length));
    }

    @Override
    public TcpConnectionHandler create(FlowKey key, boolean handshakeSeen, long firstSeenNanos,
                                       ProtocolContext context) {
        return new HttpConnectionHandler(key, context, limits);
    }
}
