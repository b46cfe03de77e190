package org.egressaudit.benchmarks.support;

import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowHandlerFactory;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.flow.StreamListener;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.flow.TcpFlowStats;

import java.nio.ByteBuffer;

/** Flow handlers that only count what reassembly delivers, so a benchmark measures reassembly alone. */
public final class CountingFlows implements FlowHandlerFactory {
    public long streamBytes;
    public long gapBytes;
    public long connections;
    public long datagrams;

    private final StreamListener listener = new StreamListener() {
        @Override
        public void onData(ByteBuffer buffer, int offset, int length, long streamOffset, long timestampNanos) {
            streamBytes += length;
        }

        @Override
        public void onGap(long streamOffset, long length, long timestampNanos) {
            gapBytes += length;
        }

        @Override
        public void onEnd(StreamEnd end, long timestampNanos) {
        }
    };

    private final TcpConnectionHandler handler = new TcpConnectionHandler() {
        @Override
        public StreamListener clientToServer() {
            return listener;
        }

        @Override
        public StreamListener serverToClient() {
            return listener;
        }

        @Override
        public void onClose(TcpFlowStats stats) {
        }
    };

    @Override
    public TcpConnectionHandler newTcpConnection(FlowKey key, long firstSeenNanos, boolean handshakeSeen) {
        connections++;
        return handler;
    }

    @Override
    public void onUdpDatagram(FlowKey key, Direction direction, ByteBuffer buffer, int offset, int length,
                              long timestampNanos) {
        datagrams++;
    }

    @Override
    public void onIcmp(FlowKey key, Direction direction, int type, int code, ByteBuffer buffer, int offset, int length,
                       long timestampNanos) {
    }

    @Override
    public void onCaptureEnd(long lastTimestampNanos) {
    }
}
