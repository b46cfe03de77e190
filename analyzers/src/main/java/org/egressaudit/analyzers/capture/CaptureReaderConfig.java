package org.egressaudit.analyzers.capture;

/**
 * Limits of the capture readers.
 *
 * @param windowBytes    size of each read-only memory mapping of the file (default 512 MiB); a record that
 *                       straddles the end of a window causes a new window starting at that record
 * @param maxRecordBytes largest captured length of one packet (default 16 MiB); larger is treated as corruption
 * @param maxWarnings    warning texts kept (default 100); further warnings are only counted
 */
public record CaptureReaderConfig(int windowBytes, int maxRecordBytes, int maxWarnings) {
    public static final int DEFAULT_WINDOW_BYTES = 512 << 20;
    public static final int DEFAULT_MAX_RECORD_BYTES = 16 << 20;
    public static final int DEFAULT_MAX_WARNINGS = 100;

    public CaptureReaderConfig {
        if (windowBytes < 64) {
            throw new IllegalArgumentException("windowBytes must be >= 64: " + windowBytes);
        }
        if (maxRecordBytes < 64) {
            throw new IllegalArgumentException("maxRecordBytes must be >= 64: " + maxRecordBytes);
        }
        if (maxWarnings < 0) {
            throw new IllegalArgumentException("maxWarnings must be >= 0");
        }
    }

    public static CaptureReaderConfig defaults() {
        return new CaptureReaderConfig(DEFAULT_WINDOW_BYTES, DEFAULT_MAX_RECORD_BYTES, DEFAULT_MAX_WARNINGS);
    }

    public CaptureReaderConfig withWindowBytes(int bytes) {
        return new CaptureReaderConfig(bytes, maxRecordBytes, maxWarnings);
    }

    /** Largest pcapng block accepted: a maximal packet plus room for its header and options. */
    int maxBlockBytes() {
        return maxRecordBytes + 65536;
    }
}
