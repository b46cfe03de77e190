package org.egressaudit.analyzers.protocol.dns;

import java.nio.ByteBuffer;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.flow.StreamListener;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.flow.TcpFlowStats;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.raw.RawLimits;
import org.egressaudit.analyzers.protocol.raw.RawStreamHandler;

/**
 * A DNS-over-TCP connection: every framed message goes to the {@link DnsRecorder}. After a gap in the client's
 * stream the framing is lost, so the rest of it is analysed raw; an unfinished last message is recorded as a
 * (malformed) message so its bytes are still analysed.
 */
public final class DnsTcpHandler implements TcpConnectionHandler {
    private final FlowKey key;
    private final ProtocolContext context;
    private final DnsRecorder recorder;
    private final RawLimits rawLimits;
    private final DnsTcpStreamDecoder client;
    private final DnsTcpStreamDecoder server;
    private RawStreamHandler raw;
    private long serverUnframedBytes;
    private long lastClientNanos;
    private long lastServerNanos;
    private boolean clientEnded;
    private boolean closed;

    public DnsTcpHandler(FlowKey key, ProtocolContext context, DnsRecorder recorder, RawLimits rawLimits) {
        this.key = key;
        this.context = context;
        this.recorder = recorder;
        this.rawLimits = rawLimits;
        this.client = new DnsTcpStreamDecoder((m, len, off, ts) ->
                recorder.record(key, Direction.CLIENT_TO_SERVER, "tcp", m, 0, len, off, ts));
        this.server = new DnsTcpStreamDecoder((m, len, off, ts) ->
                recorder.record(key, Direction.SERVER_TO_CLIENT, "tcp", m, 0, len, off, ts));
    }

    private final StreamListener clientListener = new StreamListener() {
        @Override
        public void onData(ByteBuffer buffer, int offset, int length, long streamOffset, long timestampNanos) {
            lastClientNanos = timestampNanos;
            if (raw != null) {
                raw.clientToServer().onData(buffer, offset, length, streamOffset, timestampNanos);
            } else {
                client.onData(buffer, offset, length, streamOffset, timestampNanos);
            }
        }

        @Override
        public void onGap(long streamOffset, long length, long timestampNanos) {
            if (raw == null) {
                flushPending(client, Direction.CLIENT_TO_SERVER, timestampNanos);
                client.onGap();
                context.sink().event(key, Direction.CLIENT_TO_SERVER, "dns-tcp-desync", length
                        + " bytes missing at stream offset " + streamOffset + "; rest analysed as raw", timestampNanos);
                raw = new RawStreamHandler(key, context, rawLimits);
                raw.addNote("DNS-over-TCP framing lost: " + length + " bytes missing at stream offset " + streamOffset);
            }
            raw.clientToServer().onGap(streamOffset, length, timestampNanos);
        }

        @Override
        public void onEnd(StreamEnd end, long timestampNanos) {
            clientEnded = true;
            if (raw == null) {
                flushPending(client, Direction.CLIENT_TO_SERVER, timestampNanos);
            } else {
                raw.clientToServer().onEnd(end, timestampNanos);
            }
        }
    };

    private final StreamListener serverListener = new StreamListener() {
        @Override
        public void onData(ByteBuffer buffer, int offset, int length, long streamOffset, long timestampNanos) {
            lastServerNanos = timestampNanos;
            if (server.desynchronised()) {
                serverUnframedBytes += length;
            } else {
                server.onData(buffer, offset, length, streamOffset, timestampNanos);
            }
        }

        @Override
        public void onGap(long streamOffset, long length, long timestampNanos) {
            server.onGap();
        }

        @Override
        public void onEnd(StreamEnd end, long timestampNanos) {
            // Server messages are complete or not: nothing to flush on this side.
        }
    };

    /** An unfinished message at a gap or the end: record its bytes as a (truncated) message. */
    private void flushPending(DnsTcpStreamDecoder d, Direction dir, long ts) {
        if (d.desynchronised() || d.pendingBytes() == 0) {
            return;
        }
        byte[] body = d.pendingBody();
        context.sink().event(key, dir, "dns-tcp-incomplete", "message of " + d.pendingDeclaredLength()
                + " bytes ended after " + body.length, ts);
        if (body.length > 0) {
            recorder.record(key, dir, "tcp", body, 0, body.length, d.pendingOffset(), ts);
        }
        d.onGap(); // nothing more can be framed after this point
    }

    @Override
    public StreamListener clientToServer() {
        return clientListener;
    }

    @Override
    public StreamListener serverToClient() {
        return serverListener;
    }

    @Override
    public void onClose(TcpFlowStats stats) {
        if (closed) {
            return;
        }
        closed = true;
        if (!clientEnded && raw == null) {
            flushPending(client, Direction.CLIENT_TO_SERVER, lastClientNanos);
        }
        if (raw != null) {
            raw.onClose(stats);
        }
        if (serverUnframedBytes > 0) {
            context.sink().event(key, Direction.SERVER_TO_CLIENT, "dns-tcp-desync",
                    serverUnframedBytes + " server bytes after lost framing not parsed", lastServerNanos);
        }
    }

    public long clientMessages() {
        return client.messages();
    }
}
