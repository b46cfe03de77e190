package org.egressaudit.analyzers.protocol.raw;

/**
 * Limits of the raw (unrecognised protocol) handlers.
 *
 * @param serverSampleBytes     server-to-client bytes of a raw TCP stream kept for the report (default 4 KiB);
 *                              the rest is only counted (downloads are never leaks)
 * @param maxOpenDatagramFlows  UDP/ICMP flows accumulating payload at once (default 4096); when more are open,
 *                              the least recently active one is flushed as a transmission (nothing is dropped)
 */
public record RawLimits(int serverSampleBytes, int maxOpenDatagramFlows) {

    public static final RawLimits DEFAULTS = new RawLimits(4096, 4096);

    public RawLimits {
        if (serverSampleBytes < 0 || maxOpenDatagramFlows < 1) {
            throw new IllegalArgumentException("raw limits out of range: " + this);
        }
    }
}
