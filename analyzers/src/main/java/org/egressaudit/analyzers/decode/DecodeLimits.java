package org.egressaudit.analyzers.decode;

/**
 * Limits on nested decoding, everything an attacker controls. A limit that is reached produces a note on
 * the object (and a finding), never an exception or an OutOfMemoryError.
 *
 * @param maxDepth              deepest decode layer below a transmission's root
 * @param maxObjectBytes        largest single decoded object kept (more is counted as truncated)
 * @param maxTotalBytes         decoded bytes per transmission, all layers together
 * @param maxExpansionRatio     decompressed/compressed ratio above which output is a bomb (for output > 1 MiB)
 * @param maxArchiveEntries     members read from one archive
 * @param minEmbeddedRun        shortest base64/base32/hex run inside text that is decoded
 */
public record DecodeLimits(int maxDepth, int maxObjectBytes, long maxTotalBytes, int maxExpansionRatio,
                           int maxArchiveEntries, int minEmbeddedRun) {

    public static final DecodeLimits DEFAULTS = new DecodeLimits(12, 64 << 20, 512L << 20, 1000, 10_000, 24);

    public DecodeLimits {
        if (maxDepth < 1 || maxObjectBytes < 1024 || maxTotalBytes < maxObjectBytes || maxExpansionRatio < 2
                || maxArchiveEntries < 1 || minEmbeddedRun < 4) {
            throw new IllegalArgumentException("decode limits out of range: " + this);
        }
    }
}
