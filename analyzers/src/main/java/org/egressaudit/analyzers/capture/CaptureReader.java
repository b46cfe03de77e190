package org.egressaudit.analyzers.capture;

import java.io.IOException;
import java.util.List;

/**
 * Sequential reader over a capture file. Implementations must not allocate per packet.
 * A truncated or damaged tail is not an exception: reading stops and a warning is recorded.
 */
public interface CaptureReader extends AutoCloseable {

    /** Fills {@code into} with the next packet; returns false at the end of the capture. */
    boolean next(PacketRecord into) throws IOException;

    /** Problems met so far (truncated record, bad block, unknown link type), in file order. */
    List<String> warnings();

    /** Capture format, e.g. "pcap (microseconds, little-endian)" or "pcapng". */
    String formatDescription();

    /** Bytes of the file consumed so far. */
    long bytesRead();

    @Override
    void close() throws IOException;
}
