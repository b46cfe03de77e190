package org.egressaudit.analyzers.testsupport;

/** One frame to be written to a capture, with its capture time in nanoseconds since the epoch. */
public record TimedFrame(long tsNanos, byte[] frame) {

    /** Same frame at another time, for tests that reorder or delay packets. */
    public TimedFrame at(long newTsNanos) {
        return new TimedFrame(newTsNanos, frame);
    }
}
