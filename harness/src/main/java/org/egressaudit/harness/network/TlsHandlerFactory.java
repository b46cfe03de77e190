package org.egressaudit.harness.network;

import io.netty.channel.ChannelHandler;

/**
 * The seam for TLS interception. When the catch-all sees a whole ClientHello it asks this factory for a handler
 * that terminates TLS. The handler receives the raw TLS bytes (ClientHello included), passes decrypted bytes on and
 * fires Netty's {@link io.netty.handler.ssl.SslHandshakeCompletionEvent} once the handshake is done; the decrypted
 * stream is then sniffed again (HTTP/1.x, HTTP/2 or raw). Without a factory, or when it returns null, TLS
 * connections go to a raw sink.
 */
@FunctionalInterface
public interface TlsHandlerFactory {

    /**
     * @param connection the client connection, its server name and its event log
     * @return the TLS-terminating handler, or null to leave this connection undecrypted
     */
    ChannelHandler newHandler(TlsConnection connection);
}
