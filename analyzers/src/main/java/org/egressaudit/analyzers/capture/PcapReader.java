package org.egressaudit.analyzers.capture;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Classic pcap reader: both byte orders, microsecond (a1b2c3d4) and nanosecond (a1b23c4d) timestamps, and
 * the Kuznetzov "modified pcap" (a1b2cd34, 24-byte record headers). The file is memory-mapped in windows and
 * each {@link PacketRecord} points into the mapping: nothing is allocated per packet.
 * <p>
 * Damage policy: a record whose captured length exceeds {@link CaptureReaderConfig#maxRecordBytes()} is
 * corruption, and a record running past the end of the file is a truncated tail; both stop reading with a
 * warning naming the file offset, keeping every packet before it.
 */
public final class PcapReader implements CaptureReader {
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    static final int MAGIC_MODIFIED = 0xa1b2cd34;
    private static final int GLOBAL_HEADER = 24;

    private final String name;
    private final CaptureReaderConfig config;
    private final MappedWindow window;
    private final ReaderWarnings warnings;
    private final boolean swap;
    private final boolean nanos;
    private final int recordHeader;
    private final int linkType;
    private final int snaplen;
    private final String description;
    private long pos = GLOBAL_HEADER;
    private long index;
    private boolean done;

    public PcapReader(Path path) throws IOException {
        this(path, CaptureReaderConfig.defaults());
    }

    public PcapReader(Path path, CaptureReaderConfig config) throws IOException {
        this.name = String.valueOf(path);
        this.config = config;
        this.warnings = new ReaderWarnings(config.maxWarnings());
        this.window = new MappedWindow(path, config.windowBytes());
        try {
            long size = window.fileSize();
            if (size == 0) {
                throw new CaptureFormatException(name + ": empty file");
            }
            if (size < GLOBAL_HEADER) {
                throw new CaptureFormatException(name + ": pcap header truncated (" + size + " of 24 bytes)");
            }
            window.ensure(0, GLOBAL_HEADER);
            int rawMagic = window.buffer().getInt(0);
            int magic;
            if (rawMagic == MAGIC_MICROS || rawMagic == MAGIC_NANOS || rawMagic == MAGIC_MODIFIED) {
                swap = false;
                magic = rawMagic;
            } else {
                magic = Integer.reverseBytes(rawMagic);
                if (magic != MAGIC_MICROS && magic != MAGIC_NANOS && magic != MAGIC_MODIFIED) {
                    throw new CaptureFormatException(name + ": not a pcap file (magic " + String.format("%08x", rawMagic) + ")");
                }
                swap = true;
            }
            nanos = magic == MAGIC_NANOS;
            recordHeader = magic == MAGIC_MODIFIED ? 24 : 16;
            int major = u16(4);
            int minor = u16(6);
            snaplen = u32(16);
            // Upper bits carry FCS information (pcap spec "LinkType and additional information").
            linkType = u32(20) & 0xFFFF;
            if (major != 2) {
                warnings.add(name + ": unusual pcap version " + major + "." + minor + ", reading as 2.4");
            }
            warnings.checkLinkType(name, linkType);
            description = "pcap (" + (nanos ? "nanoseconds" : "microseconds") + ", "
                    + (swapIsLittleEndian() ? "little-endian" : "big-endian")
                    + (recordHeader == 24 ? ", modified" : "") + ", " + LinkType.name(linkType) + ", snaplen " + snaplen + ")";
        } catch (IOException | RuntimeException e) {
            window.close();
            throw e;
        }
    }

    @Override
    public boolean next(PacketRecord into) throws IOException {
        if (done) {
            return false;
        }
        long size = window.fileSize();
        if (pos >= size) {
            done = true;
            return false;
        }
        if (!window.ensure(pos, recordHeader)) {
            return stop("truncated record header at offset " + pos + " (" + (size - pos) + " of " + recordHeader + " bytes)");
        }
        int h = window.index(pos);
        long sec = u32(h) & 0xFFFFFFFFL;
        long frac = u32(h + 4) & 0xFFFFFFFFL;
        int capLen = u32(h + 8);
        int origLen = u32(h + 12);
        if (capLen < 0 || capLen > config.maxRecordBytes()) {
            return stop("corrupt record at offset " + pos + ": captured length " + Integer.toUnsignedString(capLen)
                    + " exceeds the maximum " + config.maxRecordBytes());
        }
        long dataPos = pos + recordHeader;
        if (dataPos + capLen > size) {
            return stop("truncated record at offset " + pos + ": captured length " + capLen + " but only "
                    + (size - dataPos) + " bytes left in the file");
        }
        if (!window.ensure(pos, recordHeader + capLen)) {
            return stop("truncated record at offset " + pos);
        }
        into.buffer = window.buffer();
        into.offset = window.index(dataPos);
        into.capturedLength = capLen;
        // Some writers store 0 or less than the captured length; the frame was at least as long as captured.
        into.originalLength = Integer.compareUnsigned(origLen, capLen) < 0 ? capLen : (origLen < 0 ? Integer.MAX_VALUE : origLen);
        into.timestampNanos = sec * 1_000_000_000L + (nanos ? frac : frac * 1000L);
        into.linkType = linkType;
        into.interfaceId = 0;
        into.index = index++;
        into.fileOffset = pos;
        pos = dataPos + capLen;
        return true;
    }

    private boolean stop(String warning) {
        warnings.add(name + ": " + warning + "; reading stopped");
        done = true;
        return false;
    }

    private boolean swapIsLittleEndian() {
        return swap; // the mapping is big-endian, so a swapped file is little-endian
    }

    private int u32(int i) {
        int v = window.buffer().getInt(i);
        return swap ? Integer.reverseBytes(v) : v;
    }

    private int u16(int i) {
        short v = window.buffer().getShort(i);
        return (swap ? Short.reverseBytes(v) : v) & 0xFFFF;
    }

    public int linkType() {
        return linkType;
    }

    public int snaplen() {
        return snaplen;
    }

    @Override
    public List<String> warnings() {
        return warnings.list();
    }

    @Override
    public long warningCount() {
        return warnings.count();
    }

    @Override
    public String formatDescription() {
        return description;
    }

    @Override
    public long bytesRead() {
        return pos;
    }

    @Override
    public void close() throws IOException {
        window.close();
    }
}
