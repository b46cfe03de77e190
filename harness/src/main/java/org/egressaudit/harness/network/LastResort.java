package org.egressaudit.harness.network;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Last handler of every TCP connection: an exception nobody handled is logged and ends that connection only.
 * Socket errors (reset by peer) are ordinary endings, recorded as the close reason rather than as errors.
 */
@ChannelHandler.Sharable
final class LastResort extends ChannelInboundHandlerAdapter {
    static final LastResort INSTANCE = new LastResort();

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionTracker tracker = ConnectionTracker.of(ctx.channel());
        String what = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (tracker != null) {
            if (cause instanceof IOException) {
                tracker.closeReason("I/O error: " + cause.getMessage());
            } else {
                tracker.closeReason("error: " + what);
                Map<String, String> a = new LinkedHashMap<>();
                a.put("exception", cause.getClass().getName());
                a.put("message", String.valueOf(cause.getMessage()));
                tracker.recorder().emit(ServiceEvent.Kind.ERROR, "connection failed: " + what, a);
            }
        }
        ctx.close();
    }
}
