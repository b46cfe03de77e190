package org.egressaudit.analyzers.protocol.raw;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.flow.StreamListener;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.flow.TcpFlowStats;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.Transmission;

/**
 * A TCP connection whose protocol is not recognised (or whose parser gave up): the client's bytes are analysed
 * as they are, in "tcp-stream" pieces (see {@link StreamPieceCollector}); the server's bytes are counted and
 * summarised at close with a small sample, never buffered whole.
 *
 * <p>Also used as a fallback in the middle of a stream: feed it the remaining bytes with their real stream
 * offsets and it starts its first piece there.
 */
public final class RawStreamHandler implements TcpConnectionHandler {
    private final FlowKey key;
    private final ProtocolContext context;
    private final RawLimits limits;
    private final StreamPieceCollector client;
    private final String endpoint;

    private long serverBytes;
    private long serverMissing;
    private long serverFirstNanos = -1;
    private long serverLastNanos;
    private byte[] serverSample = new byte[0];
    private int serverSampleLength;
    private StreamEnd clientEnd;
    private StreamEnd serverEnd;
    private boolean closed;

    public RawStreamHandler(FlowKey key, ProtocolContext context, RawLimits limits) {
        this.key = key;
        this.context = context;
        this.limits = limits;
        this.endpoint = endpoint(key);
        this.client = new StreamPieceCollector(context, key, Direction.CLIENT_TO_SERVER, "tcp", key.serverAddress(),
                "tcp stream to " + endpoint, "tcp-stream");
    }

    /** Note attached to the next client piece (e.g. why a protocol parser handed the stream over). */
    public void addNote(String note) {
        client.addNote(note);
    }

    private final StreamListener clientListener = new StreamListener() {
        @Override
        public void onData(ByteBuffer buffer, int offset, int length, long streamOffset, long timestampNanos) {
            client.append(buffer, offset, length, streamOffset, timestampNanos);
        }

        @Override
        public void onGap(long streamOffset, long length, long timestampNanos) {
            client.gap(streamOffset, length, timestampNanos);
        }

        @Override
        public void onEnd(StreamEnd end, long timestampNanos) {
            clientEnd = end;
        }
    };

    private final StreamListener serverListener = new StreamListener() {
        @Override
        public void onData(ByteBuffer buffer, int offset, int length, long streamOffset, long timestampNanos) {
            if (serverFirstNanos < 0) {
                serverFirstNanos = timestampNanos;
            }
            serverLastNanos = timestampNanos;
            serverBytes += length;
            int room = limits.serverSampleBytes() - serverSampleLength;
            if (room > 0 && serverMissing == 0) {
                int n = Math.min(room, length);
                if (serverSample.length < serverSampleLength + n) {
                    serverSample = java.util.Arrays.copyOf(serverSample,
                            Math.min(limits.serverSampleBytes(), Math.max(serverSampleLength + n, 512)));
                }
                buffer.get(offset, serverSample, serverSampleLength, n);
                serverSampleLength += n;
            }
        }

        @Override
        public void onGap(long streamOffset, long length, long timestampNanos) {
            serverMissing += length;
        }

        @Override
        public void onEnd(StreamEnd end, long timestampNanos) {
            serverEnd = end;
        }
    };

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
        client.putAttribute("client-bytes", Long.toString(client.totalBytes()));
        client.putAttribute("server-bytes", Long.toString(serverBytes));
        if (clientEnd != null) {
            client.putAttribute("client-end", clientEnd.name());
        }
        client.finish();
        if (serverBytes > 0) {
            emitServerSummary();
        }
    }

    private void emitServerSummary() {
        List<ContentObject> roots = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long reserved = 0;
        if (serverSampleLength > 0) {
            if (context.budget() == null || context.budget().tryReserve(serverSampleLength)) {
                reserved = context.budget() == null ? 0 : serverSampleLength;
                roots.add(new ContentObject(null, "tcp-stream", null, serverSample, 0, serverSampleLength, -1,
                        serverBytes, serverBytes > serverSampleLength, Map.of()));
            } else {
                notes.add("server sample not analysed: memory budget exhausted");
            }
        }
        if (serverMissing > 0) {
            notes.add(serverMissing + " server bytes missing");
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("server-bytes", Long.toString(serverBytes));
        attrs.put("sample-bytes", Integer.toString(serverSampleLength));
        if (serverEnd != null) {
            attrs.put("server-end", serverEnd.name());
        }
        context.sink().accept(new Transmission(context.sink().nextId(), key, Direction.SERVER_TO_CLIENT, "tcp",
                key.serverAddress(), "tcp stream from " + endpoint + " (" + serverBytes + " bytes)",
                serverFirstNanos, serverLastNanos, 0, attrs, roots, 0, notes, reserved));
    }

    public long clientBytes() {
        return client.totalBytes();
    }

    public long serverBytes() {
        return serverBytes;
    }

    static String endpoint(FlowKey key) {
        String a = key.serverAddress();
        return (key.ipVersion() == 6 ? "[" + a + "]" : a) + ":" + key.serverPort();
    }
}
