package org.egressaudit.analyzers.testsupport;

import org.egressaudit.analyzers.capture.LinkType;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a classic pcap file (tcpdump format). Buffered with 1 MiB so tests can generate GB-sized
 * captures quickly. {@link #write(long, byte[])} truncates frames longer than the snap length exactly as a
 * capturing tool would; the five-argument form writes whatever lengths it is given, so tests can also
 * produce records that lie about their sizes.
 */
public final class PcapWriter implements AutoCloseable {
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    public static final int MAGIC_NANOS = 0xa1b23c4d;
    public static final int DEFAULT_SNAPLEN = 262144;

    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(24);
    private final ByteOrder order;
    private final boolean nanos;
    private final int linkType;
    private final int snaplen;
    private long packets;

    /** Little-endian, microsecond, Ethernet, snaplen 262144. */
    public PcapWriter(Path path) throws IOException {
        this(path, LinkType.ETHERNET);
    }

    public PcapWriter(Path path, int linkType) throws IOException {
        this(path, ByteOrder.LITTLE_ENDIAN, false, linkType, DEFAULT_SNAPLEN);
    }

    public PcapWriter(Path path, ByteOrder order, boolean nanos, int linkType, int snaplen) throws IOException {
        this(Files.newOutputStream(path), order, nanos, linkType, snaplen);
    }

    public PcapWriter(OutputStream target, ByteOrder order, boolean nanos, int linkType, int snaplen) throws IOException {
        this.out = new BufferedOutputStream(target, 1 << 20);
        this.order = order;
        this.nanos = nanos;
        this.linkType = linkType;
        this.snaplen = snaplen;
        header.order(order);
        header.clear();
        header.putInt(nanos ? MAGIC_NANOS : MAGIC_MICROS);
        header.putShort((short) 2).putShort((short) 4);
        header.putInt(0).putInt(0);
        header.putInt(snaplen).putInt(linkType);
        out.write(header.array(), 0, 24);
    }

    /** Writes a whole capture in one call. */
    public static void write(Path path, int linkType, List<TimedFrame> frames) {
        try (PcapWriter w = new PcapWriter(path, linkType)) {
            w.writeAll(frames);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void writeAll(List<TimedFrame> frames) throws IOException {
        for (TimedFrame f : frames) {
            write(f.tsNanos(), f.frame());
        }
    }

    /** Writes a frame, cut to the snap length (original length stays the full frame length). */
    public void write(long tsNanos, byte[] frame) throws IOException {
        write(tsNanos, frame, 0, Math.min(frame.length, snaplen), frame.length);
    }

    /** Writes {@code len} bytes of {@code frame} and declares {@code origLen} as the on-wire length. */
    public void write(long tsNanos, byte[] frame, int off, int len, int origLen) throws IOException {
        writeRecordHeader(tsNanos, len, origLen);
        out.write(frame, off, len);
        packets++;
    }

    /** Writes a record header only; pair with {@link #writeRaw} to build damaged records. */
    public void writeRecordHeader(long tsNanos, int capLen, int origLen) throws IOException {
        long sec = Math.floorDiv(tsNanos, 1_000_000_000L);
        long frac = Math.floorMod(tsNanos, 1_000_000_000L);
        header.clear();
        header.putInt((int) sec);
        header.putInt((int) (nanos ? frac : frac / 1000));
        header.putInt(capLen);
        header.putInt(origLen);
        out.write(header.array(), 0, 16);
    }

    /** Appends raw bytes (e.g. a truncated record or garbage). */
    public void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    public long packetsWritten() {
        return packets;
    }

    public ByteOrder order() {
        return order;
    }

    public int linkType() {
        return linkType;
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
