package org.egressaudit.harness.network;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;

/**
 * The seam for TLS interception. When the catch-all sees a ClientHello it asks this factory for a handler that
 * terminates TLS (typically an SslHandler with a certificate minted for the server name). The decrypted stream is
 * then sniffed again (HTTP or raw). Without a factory, or when it returns null, TLS connections go to a raw sink.
 */
@FunctionalInterface
public interface TlsHandlerFactory {

    /**
     * @param channel    the client connection
     * @param serverName the SNI host name from the ClientHello, or null if the client sent none
     * @return the TLS-terminating handler, or null to leave this connection undecrypted
     */
    ChannelHandler newHandler(Channel channel, String serverName);
}
