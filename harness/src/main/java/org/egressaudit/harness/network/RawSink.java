package org.egressaudit.harness.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and discards everything until the client closes (or the idle timeout does), never answers, and logs the
 * byte count with a short preview of the first bytes when the connection ends.
 */
final class RawSink extends ChannelInboundHandlerAdapter {
    static final int PREVIEW = 64;

    private final String reason;
    private final byte[] preview = new byte[PREVIEW];
    private int previewLength;
    private long bytes;

    /** @param reason why this connection is raw: "silent", "unrecognised", "tls", ... */
    RawSink(String reason) {
        this.reason = reason;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof ByteBuf b) {
                int n = Math.min(b.readableBytes(), PREVIEW - previewLength);
                b.getBytes(b.readerIndex(), preview, previewLength, n);
                previewLength += n;
                bytes += b.readableBytes();
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ConnectionTracker tracker = ConnectionTracker.of(ctx.channel());
        if (tracker != null) {
            Map<String, String> a = new LinkedHashMap<>();
            a.put("reason", reason);
            a.put("bytes", Long.toString(bytes));
            a.put("previewHex", ByteBufUtil.hexDump(preview, 0, previewLength));
            a.put("previewText", printable(preview, previewLength));
            tracker.recorder().emit(ServiceEvent.Kind.RAW_DATA,
                    "raw sink (" + reason + "): " + bytes + " bytes read and discarded", a);
        }
        ctx.fireChannelInactive();
    }

    /** The preview with non-printable bytes shown as '.', like a hex dump's text column. */
    static String printable(byte[] b, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int c = b[i] & 0xff;
            s.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
        }
        return s.toString();
    }
}
