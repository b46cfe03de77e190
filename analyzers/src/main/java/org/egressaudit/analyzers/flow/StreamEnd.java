package org.egressaudit.analyzers.flow;

/** Why a stream direction ended. */
public enum StreamEnd {
    FIN,
    RST,
    /** The capture ended while the stream was still open. */
    END_OF_CAPTURE,
    /** Reassembly stopped buffering this stream (per-flow or global memory cap); recorded as truncation. */
    TRUNCATED,
    /** No packet for the configured idle timeout (in capture time); the flow layer ended the stream. */
    IDLE_TIMEOUT,
    /**
     * The flow layer ended the stream early: the flow table was full and this was the least recently
     * active flow, or a new connection (SYN with a new initial sequence number) took over its addresses and ports.
     */
    EVICTED
}
