package org.egressaudit.analyzers.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowHandlerFactory;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.OverlapConflict;
import org.egressaudit.analyzers.flow.StreamListener;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.flow.TcpFlowStats;
import org.egressaudit.analyzers.protocol.Transmission;
import org.egressaudit.analyzers.protocol.TransmissionSink;

/**
 * Sits between the flow layer and the protocol dispatcher: records every connection and flow for the report,
 * and turns TCP overlap conflicts into evidence. The bytes a conflicting segment carried are analysed as a
 * transmission of their own, so content hidden in the copy the reassembler did not keep is still found.
 */
final class ConnectionRecorder implements FlowHandlerFactory {
    private final FlowHandlerFactory delegate;
    private final TransmissionSink sink;
    private final List<AnalysisResult.ConnectionRecord> connections = new ArrayList<>();
    private final List<Conflict> conflicts = new ArrayList<>();
    private final Map<FlowKey, long[]> datagramFlows = new LinkedHashMap<>();

    /** A conflict with the transmission id its alternate bytes were analysed under. */
    record Conflict(FlowKey flow, OverlapConflict conflict, long alternateTransmissionId) {
    }

    ConnectionRecorder(FlowHandlerFactory delegate, TransmissionSink sink) {
        this.delegate = delegate;
        this.sink = sink;
    }

    @Override
    public TcpConnectionHandler newTcpConnection(FlowKey key, long firstSeenNanos, boolean handshakeSeen) {
        TcpConnectionHandler inner = delegate.newTcpConnection(key, firstSeenNanos, handshakeSeen);
        return new TcpConnectionHandler() {
            @Override
            public StreamListener clientToServer() {
                return inner.clientToServer();
            }

            @Override
            public StreamListener serverToClient() {
                return inner.serverToClient();
            }

            @Override
            public void onClose(TcpFlowStats stats) {
                try {
                    inner.onClose(stats);
                } finally {
                    record(stats);
                }
            }
        };
    }

    private void record(TcpFlowStats s) {
        FlowKey k = s.key();
        connections.add(new AnalysisResult.ConnectionRecord(k.toString(), "tcp", endpoint(k, true), endpoint(k, false),
                null, s.firstNanos(), s.lastNanos(), s.bytes()[0], s.bytes()[1],
                s.missingBytes()[0] + s.missingBytes()[1], s.truncatedBytes()[0] + s.truncatedBytes()[1],
                s.handshakeSeen()));
        for (OverlapConflict c : s.overlapConflicts()) {
            long id = -1;
            if (c.direction() == Direction.CLIENT_TO_SERVER && c.alternateBytes().length > 0) {
                id = sink.nextId();
                ContentObject root = ContentObject.root("tcp-overlap-alternate", null, c.alternateBytes(), null);
                sink.accept(new Transmission(id, k, Direction.CLIENT_TO_SERVER, "tcp", k.serverAddress(),
                        "alternate bytes of conflicting TCP segments at stream offset " + c.streamOffset(),
                        c.timestampNanos(), c.timestampNanos(), c.streamOffset(), Map.of(), List.of(root), 0,
                        List.of("bytes a receiver with another overlap policy would have read"), 0));
            }
            conflicts.add(new Conflict(k, c, id));
        }
    }

    @Override
    public void onUdpDatagram(FlowKey key, Direction direction, ByteBuffer buffer, int offset, int length,
                              long timestampNanos) {
        count(key, direction, length, timestampNanos);
        delegate.onUdpDatagram(key, direction, buffer, offset, length, timestampNanos);
    }

    @Override
    public void onIcmp(FlowKey key, Direction direction, int type, int code, ByteBuffer buffer, int offset, int length,
                       long timestampNanos) {
        count(key, direction, length, timestampNanos);
        delegate.onIcmp(key, direction, type, code, buffer, offset, length, timestampNanos);
    }

    private void count(FlowKey key, Direction d, int length, long ts) {
        long[] c = datagramFlows.computeIfAbsent(key, k -> new long[] {ts, ts, 0, 0});
        c[1] = ts;
        c[d == Direction.CLIENT_TO_SERVER ? 2 : 3] += length;
    }

    @Override
    public void onCaptureEnd(long lastTimestampNanos) {
        delegate.onCaptureEnd(lastTimestampNanos);
        for (Map.Entry<FlowKey, long[]> e : datagramFlows.entrySet()) {
            FlowKey k = e.getKey();
            long[] c = e.getValue();
            connections.add(new AnalysisResult.ConnectionRecord(k.toString(), k.transportName(), endpoint(k, true),
                    endpoint(k, false), null, c[0], c[1], c[2], c[3], 0, 0, false));
        }
    }

    private static String endpoint(FlowKey k, boolean client) {
        String a = client ? k.clientAddress() : k.serverAddress();
        int port = client ? k.clientPort() : k.serverPort();
        String addr = k.ipVersion() == 6 ? "[" + a + "]" : a;
        return k.protocol() == 6 || k.protocol() == 17 ? addr + ":" + port : addr;
    }

    List<AnalysisResult.ConnectionRecord> connections() {
        List<AnalysisResult.ConnectionRecord> out = new ArrayList<>(connections);
        out.sort((a, b) -> Long.compare(a.firstNanos(), b.firstNanos()));
        return out;
    }

    List<Conflict> conflicts() {
        return conflicts;
    }
}
