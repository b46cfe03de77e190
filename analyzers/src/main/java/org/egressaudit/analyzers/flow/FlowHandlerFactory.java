package org.egressaudit.analyzers.flow;

import java.nio.ByteBuffer;

/** How the flow layer hands traffic to the application layer. Buffers are valid only during the call. */
public interface FlowHandlerFactory {

    /**
     * A new TCP connection. {@code handshakeSeen} is false for a mid-stream pickup, where
     * {@code key}'s client/server orientation was guessed (see {@link FlowKey}).
     */
    TcpConnectionHandler newTcpConnection(FlowKey key, long firstSeenNanos, boolean handshakeSeen);

    /** One UDP datagram; {@code key} is oriented so that the first sender (or the non-service port) is the client. */
    void onUdpDatagram(FlowKey key, Direction direction, ByteBuffer buffer, int offset, int length, long timestampNanos);

    /** One ICMP/ICMPv6 message's payload after the 4-byte ICMP header (echo id/seq included). */
    void onIcmp(FlowKey key, Direction direction, int type, int code, ByteBuffer buffer, int offset, int length,
                long timestampNanos);

    /** The capture is finished: flush anything still pending (e.g. DNS label streams). */
    void onCaptureEnd(long lastTimestampNanos);
}
