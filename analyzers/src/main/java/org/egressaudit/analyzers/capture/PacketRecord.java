package org.egressaudit.analyzers.capture;

import java.nio.ByteBuffer;

/**
 * One captured frame, as a view into the reader's buffer. A reader fills the same instance for every
 * packet so the hot path allocates nothing; the bytes are valid only until the next call to
 * {@link CaptureReader#next(PacketRecord)}. Read bytes with absolute gets on {@link #buffer}.
 */
public final class PacketRecord {
    /** Buffer holding the frame; never modify its position or limit. */
    public ByteBuffer buffer;
    /** Absolute index of the first frame byte in {@link #buffer}. */
    public int offset;
    /** Bytes of the frame present in the capture. */
    public int capturedLength;
    /** Length of the frame on the wire (may exceed {@link #capturedLength} with a snap length). */
    public int originalLength;
    /** Capture time, nanoseconds since the Unix epoch. */
    public long timestampNanos;
    /** LINKTYPE_* value of the interface the frame was captured on, see {@link LinkType}. */
    public int linkType;
    /** pcapng interface index (0 for classic pcap). */
    public int interfaceId;
    /** Ordinal of the packet in the capture, starting at 0. */
    public long index;
    /** Byte offset of the record in the capture file, for evidence. */
    public long fileOffset;
}
