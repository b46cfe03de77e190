package org.egressaudit.analyzers.protocol.http;

/**
 * Limits on everything an HTTP peer controls. A message that violates one is noted and the rest of its stream is
 * analysed as a raw object, so exceeding a limit never loses bytes, it only loses HTTP structure.
 *
 * @param maxStartLineLength     request line or status line, without its CRLF (default 16 KiB)
 * @param maxHeaderBlockSize     header field lines including their line ends (default 64 KiB);
 *                               the same limit applies to the trailer section and to the chunk extensions of one
 *                               message
 * @param maxHeaderCount         header fields per message, and trailer fields per message (default 256)
 * @param maxChunkSizeLineLength chunk-size line with its extensions, without its CRLF (default 1 KiB)
 * @param maxPendingRequests     requests waiting for their response on one connection (pipelining depth, default
 *                               1024); beyond it responses are framed without knowing their request
 */
public record HttpLimits(int maxStartLineLength, int maxHeaderBlockSize, int maxHeaderCount,
                         int maxChunkSizeLineLength, int maxPendingRequests) {

    public static final HttpLimits DEFAULTS = new HttpLimits(16 * 1024, 64 * 1024, 256, 1024, 1024);

    public HttpLimits {
        if (maxStartLineLength < 16 || maxHeaderBlockSize < 2 || maxHeaderCount < 1 || maxChunkSizeLineLength < 1
                || maxPendingRequests < 1) {
            throw new IllegalArgumentException("HTTP limits too small: " + maxStartLineLength + "/"
                    + maxHeaderBlockSize + "/" + maxHeaderCount + "/" + maxChunkSizeLineLength + "/"
                    + maxPendingRequests);
        }
    }
}
