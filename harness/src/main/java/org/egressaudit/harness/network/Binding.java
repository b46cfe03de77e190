package org.egressaudit.harness.network;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.io.IOException;
import java.net.InetAddress;

/** Waits for a bind and turns its failure into an IOException that names the service and the address. */
final class Binding {
    private Binding() {
    }

    static Channel bind(ChannelFuture future, String service, InetAddress address, int port) throws IOException {
        future.awaitUninterruptibly();
        if (!future.isSuccess()) {
            future.channel().close();
            throw new IOException("cannot start " + service + " on " + address.getHostAddress() + ":" + port
                    + ": " + future.cause().getMessage(), future.cause());
        }
        return future.channel();
    }
}
