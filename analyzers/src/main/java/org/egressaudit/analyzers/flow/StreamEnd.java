package org.egressaudit.analyzers.flow;

/** Why a stream direction ended. */
public enum StreamEnd {
    FIN,
    RST,
    /** The capture ended while the stream was still open. */
    END_OF_CAPTURE,
    /** Reassembly stopped buffering this stream (per-flow or global memory cap); recorded as truncation. */
    TRUNCATED
}
