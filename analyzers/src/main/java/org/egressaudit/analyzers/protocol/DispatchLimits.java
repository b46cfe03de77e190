package org.egressaudit.analyzers.protocol;

/**
 * Limits of protocol recognition on TCP connections.
 *
 * @param maxRecognitionBytes client bytes shown to the recognisers at most (default 64); when they still cannot
 *                            tell, the first that said YES wins, else the connection is analysed raw
 * @param maxHeldServerBytes  server bytes held back while the client's bytes are being recognised (default 64 KiB);
 *                            more forces the decision
 * @param maxHeldEvents       gaps, ends and data calls held back in total (default 256); more forces the decision
 */
public record DispatchLimits(int maxRecognitionBytes, int maxHeldServerBytes, int maxHeldEvents) {

    public static final DispatchLimits DEFAULTS = new DispatchLimits(64, 64 << 10, 256);

    public DispatchLimits {
        if (maxRecognitionBytes < 16 || maxHeldServerBytes < 0 || maxHeldEvents < 4) {
            throw new IllegalArgumentException("dispatch limits out of range: " + this);
        }
    }
}
