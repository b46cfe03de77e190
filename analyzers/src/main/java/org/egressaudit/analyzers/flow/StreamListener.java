package org.egressaudit.analyzers.flow;

import java.nio.ByteBuffer;

/**
 * Receives one direction of a TCP connection, in order, from the reassembler. Data arrives as a range
 * of a buffer that is only valid during the call (it may be the capture's mapped file): copy what you keep.
 */
public interface StreamListener {

    /**
     * In-order bytes. {@code streamOffset} counts bytes from the start of the direction's stream
     * (0 = first byte after the SYN, or the first byte seen on a mid-stream pickup).
     */
    void onData(ByteBuffer buffer, int offset, int length, long streamOffset, long timestampNanos);

    /** Bytes that were never captured; the next {@link #onData} starts after them. Never glued silently. */
    void onGap(long streamOffset, long length, long timestampNanos);

    /** End of this direction (FIN, RST, idle/end of capture, or a reassembly limit). Called exactly once. */
    void onEnd(StreamEnd end, long timestampNanos);
}
