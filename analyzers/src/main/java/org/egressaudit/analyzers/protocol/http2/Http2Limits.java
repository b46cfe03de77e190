package org.egressaudit.analyzers.protocol.http2;

/**
 * Limits on everything an HTTP/2 peer controls. Passing one is noted and the rest of that direction of the
 * connection is analysed as a raw object, so a limit never loses bytes, only HTTP/2 structure.
 *
 * @param maxFrameSize          largest frame length accepted (default 16 MiB, i.e. any 24-bit length); a frame
 *                              above the size the receiver announced but within this limit is only noted
 * @param maxHeaderListSize     decoded header list of one header block in RFC 7541 units (name + value + 32 per
 *                              field), and the compressed header block across its CONTINUATION frames (default
 *                              256 KiB)
 * @param maxConcurrentStreams  streams with an open message tracked per direction (default 10,000)
 * @param maxHpackTableSize     largest HPACK dynamic table size update accepted (default 64 KiB)
 * @param maxControlFrameSize   payload of a SETTINGS, GOAWAY or other buffered control frame (default 64 KiB)
 */
public record Http2Limits(int maxFrameSize, int maxHeaderListSize, int maxConcurrentStreams, int maxHpackTableSize,
                          int maxControlFrameSize) {

    public static final Http2Limits DEFAULTS = new Http2Limits(16 * 1024 * 1024, 256 * 1024, 10_000, 64 * 1024,
            64 * 1024);

    public Http2Limits {
        if (maxFrameSize < 16 || maxHeaderListSize < 64 || maxConcurrentStreams < 1 || maxHpackTableSize < 0
                || maxControlFrameSize < 16) {
            throw new IllegalArgumentException("HTTP/2 limits too small: " + maxFrameSize + "/" + maxHeaderListSize
                    + "/" + maxConcurrentStreams + "/" + maxHpackTableSize + "/" + maxControlFrameSize);
        }
    }
}
