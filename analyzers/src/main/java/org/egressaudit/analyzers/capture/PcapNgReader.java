package org.egressaudit.analyzers.capture;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * pcapng reader. Understands Section Header Blocks (byte order per section, several sections), Interface
 * Description Blocks (link type, snap length, if_tsresol in both the power-of-10 and power-of-2 form,
 * if_tsoffset), Enhanced, Simple and obsolete Packet Blocks, and keeps Decryption Secrets Blocks; every other
 * block (name resolution, statistics, custom...) is skipped by its length. The file is memory-mapped in
 * windows and packets point into the mapping: nothing is allocated per packet.
 * <p>
 * Damage policy: a block length that is not a multiple of 4, below 12, above the maximum, or whose trailing
 * copy disagrees, is corruption; a block running past the end of the file is a truncated tail. Both stop
 * reading with a warning naming the file offset. A packet block that is inconsistent on its own (unknown
 * interface, captured length beyond the block) is skipped with a warning, since the block framing is intact.
 * A Simple Packet Block has no timestamp: it gets the timestamp of the previous packet.
 */
public final class PcapNgReader implements CaptureReader {
    static final int BT_SHB = 0x0A0D0D0A;
    static final int BT_IDB = 1;
    static final int BT_PACKET = 2;
    static final int BT_SPB = 3;
    static final int BT_EPB = 6;
    static final int BT_DSB = 0x0000000A;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int MAX_INTERFACES = 65536;
    private static final long MAX_SECRETS_BYTES = 64L << 20;

    private final String name;
    private final CaptureReaderConfig config;
    private final MappedWindow window;
    private final ReaderWarnings warnings;
    private final List<byte[]> secrets = new ArrayList<>();
    private final List<Integer> secretTypes = new ArrayList<>();
    private final String description;
    private long secretsBytes;

    private boolean swap;
    private int sections;
    // Per-interface state of the current section, grown when an IDB arrives (never per packet).
    private int interfaceCount;
    private int[] ifLinkType = new int[4];
    private int[] ifSnaplen = new int[4];
    private long[] ifMultiplier = new long[4]; // ns per unit when > 0
    private long[] ifDivisor = new long[4];    // units per ns-divisor when multiplier == 0 (power of 10)
    private int[] ifShift = new int[4];        // power-of-2 resolution, -1 when unused
    private long[] ifOffsetNanos = new long[4];

    private long pos;
    private long index;
    private long lastTimestamp;
    private boolean done;

    public PcapNgReader(Path path) throws IOException {
        this(path, CaptureReaderConfig.defaults());
    }

    public PcapNgReader(Path path, CaptureReaderConfig config) throws IOException {
        this.name = String.valueOf(path);
        this.config = config;
        this.warnings = new ReaderWarnings(config.maxWarnings());
        this.window = new MappedWindow(path, config.windowBytes());
        try {
            long size = window.fileSize();
            if (size == 0) {
                throw new CaptureFormatException(name + ": empty file");
            }
            if (size < 28) {
                throw new CaptureFormatException(name + ": pcapng section header truncated (" + size + " of at least 28 bytes)");
            }
            window.ensure(0, 12);
            if (window.buffer().getInt(0) != BT_SHB) {
                throw new CaptureFormatException(name + ": not a pcapng file (first block is not a section header)");
            }
            int bom = window.buffer().getInt(8);
            if (bom != BYTE_ORDER_MAGIC && bom != Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
                throw new CaptureFormatException(name + ": pcapng section header has an invalid byte-order magic "
                        + String.format("%08x", bom));
            }
            description = "pcapng (" + (bom == BYTE_ORDER_MAGIC ? "big-endian" : "little-endian") + ")";
        } catch (IOException | RuntimeException e) {
            window.close();
            throw e;
        }
    }

    @Override
    public boolean next(PacketRecord into) throws IOException {
        while (!done) {
            long size = window.fileSize();
            if (pos >= size) {
                done = true;
                return false;
            }
            if (!window.ensure(pos, 12)) {
                return stop("truncated block header at offset " + pos + " (" + (size - pos) + " bytes left)");
            }
            int h = window.index(pos);
            int type = window.buffer().getInt(h);
            if (type == BT_SHB) {
                int bom = window.buffer().getInt(h + 8);
                if (bom == BYTE_ORDER_MAGIC) {
                    swap = false;
                } else if (bom == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
                    swap = true;
                } else {
                    return stop("corrupt section header at offset " + pos + ": byte-order magic " + String.format("%08x", bom));
                }
            } else {
                type = u32(h);
            }
            int length = u32(h + 4);
            if (length < 12 || (length & 3) != 0 || length > config.maxBlockBytes()) {
                return stop("corrupt block at offset " + pos + ": block length " + Integer.toUnsignedString(length)
                        + (length >= 12 && (length & 3) != 0 ? " is not a multiple of 4" : " is out of range"));
            }
            if (pos + length > size) {
                return stop("truncated block at offset " + pos + ": length " + length + " but only " + (size - pos)
                        + " bytes left in the file");
            }
            if (!window.ensure(pos, length)) {
                return stop("truncated block at offset " + pos);
            }
            h = window.index(pos);
            if (u32(h + length - 4) != length) {
                return stop("corrupt block at offset " + pos + ": trailing length " + Integer.toUnsignedString(u32(h + length - 4))
                        + " differs from leading length " + length);
            }
            long blockPos = pos;
            pos += length;
            boolean packet = switch (type) {
                case BT_SHB -> sectionHeader(blockPos, h, length);
                case BT_IDB -> interfaceDescription(blockPos, h, length);
                case BT_EPB -> enhancedPacket(into, blockPos, h, length);
                case BT_SPB -> simplePacket(into, blockPos, h, length);
                case BT_PACKET -> obsoletePacket(into, blockPos, h, length);
                case BT_DSB -> decryptionSecrets(blockPos, h, length);
                default -> false;
            };
            if (done) {
                pos = blockPos;
                return false;
            }
            if (packet) {
                return true;
            }
        }
        return false;
    }

    private boolean sectionHeader(long blockPos, int h, int length) {
        if (length < 28) {
            stop("corrupt section header at offset " + blockPos + ": length " + length);
            return false;
        }
        int major = u16(h + 12);
        if (major != 1) {
            stop("section header at offset " + blockPos + " has unsupported version " + major);
            return false;
        }
        sections++;
        interfaceCount = 0;
        return false;
    }

    private boolean interfaceDescription(long blockPos, int h, int length) {
        if (length < 20) {
            warn("interface description at offset " + blockPos + " is too short (" + length + " bytes); ignored");
            return false;
        }
        if (interfaceCount >= MAX_INTERFACES) {
            warn("interface description at offset " + blockPos + " exceeds " + MAX_INTERFACES + " interfaces; ignored");
            return false;
        }
        int id = interfaceCount;
        if (id == ifLinkType.length) {
            int n = id * 2;
            ifLinkType = Arrays.copyOf(ifLinkType, n);
            ifSnaplen = Arrays.copyOf(ifSnaplen, n);
            ifMultiplier = Arrays.copyOf(ifMultiplier, n);
            ifDivisor = Arrays.copyOf(ifDivisor, n);
            ifShift = Arrays.copyOf(ifShift, n);
            ifOffsetNanos = Arrays.copyOf(ifOffsetNanos, n);
        }
        ifLinkType[id] = u16(h + 8);
        ifSnaplen[id] = u32(h + 12);
        int tsresol = 6;
        long tsoffset = 0;
        int o = h + 16;
        int end = h + length - 4;
        while (o + 4 <= end) {
            int code = u16(o);
            int len = u16(o + 2);
            if (code == 0) {
                break;
            }
            if (o + 4 + len > end) {
                warn("interface description at offset " + blockPos + ": option " + code + " runs past the block");
                break;
            }
            if (code == 9 && len >= 1) {
                tsresol = window.buffer().get(o + 4) & 0xFF;
            } else if (code == 14 && len >= 8) {
                tsoffset = swap ? Long.reverseBytes(window.buffer().getLong(o + 4)) : window.buffer().getLong(o + 4);
            }
            o += 4 + ((len + 3) & ~3);
        }
        setResolution(id, tsresol, blockPos);
        if (tsoffset > 9_000_000_000L || tsoffset < -9_000_000_000L) {
            warn("interface " + id + " at offset " + blockPos + ": if_tsoffset " + tsoffset + " s is out of range; ignored");
            tsoffset = 0;
        }
        ifOffsetNanos[id] = tsoffset * 1_000_000_000L;
        warnings.checkLinkType(name + " interface " + id + " (offset " + blockPos + ")", ifLinkType[id]);
        interfaceCount++;
        return false;
    }

    /** Precomputes the unit-to-nanosecond conversion so packets need only a multiply, divide or shift. */
    private void setResolution(int id, int tsresol, long blockPos) {
        ifShift[id] = -1;
        ifMultiplier[id] = 0;
        ifDivisor[id] = 0;
        int exp = tsresol & 0x7F;
        if ((tsresol & 0x80) != 0) {
            if (exp > 62) {
                warn("interface " + id + " at offset " + blockPos + ": if_tsresol 2^-" + exp + " is unusable; using microseconds");
                ifMultiplier[id] = 1000;
            } else {
                ifShift[id] = exp;
            }
        } else if (exp <= 9) {
            ifMultiplier[id] = POW10[9 - exp];
        } else if (exp <= 18) {
            ifDivisor[id] = POW10[exp - 9];
        } else {
            warn("interface " + id + " at offset " + blockPos + ": if_tsresol 10^-" + exp + " is unusable; using microseconds");
            ifMultiplier[id] = 1000;
        }
    }

    private static final long[] POW10 = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
            100_000_000L, 1_000_000_000L, 10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L,
            10_000_000_000_000L, 100_000_000_000_000L, 1_000_000_000_000_000L};

    private long toNanos(int id, long units) {
        long ns;
        if (ifMultiplier[id] > 0) {
            ns = units * ifMultiplier[id];
        } else if (ifDivisor[id] > 0) {
            ns = Long.divideUnsigned(units, ifDivisor[id]);
        } else {
            int shift = ifShift[id];
            long whole = units >>> shift;
            long frac = shift == 0 ? 0 : units & ((1L << shift) - 1);
            // Scale the fraction to at most 30 bits first so frac * 1e9 cannot overflow.
            int drop = Math.max(0, shift - 30);
            ns = whole * 1_000_000_000L + (((frac >>> drop) * 1_000_000_000L) >>> (shift - drop));
        }
        return ns + ifOffsetNanos[id];
    }

    private boolean enhancedPacket(PacketRecord into, long blockPos, int h, int length) {
        if (length < 32) {
            warn("enhanced packet block at offset " + blockPos + " is too short (" + length + " bytes); skipped");
            return false;
        }
        int id = u32(h + 8);
        if (id < 0 || id >= interfaceCount) {
            warn("enhanced packet block at offset " + blockPos + " names undefined interface " + Integer.toUnsignedString(id) + "; skipped");
            return false;
        }
        long units = ((u32(h + 12) & 0xFFFFFFFFL) << 32) | (u32(h + 16) & 0xFFFFFFFFL);
        int capLen = u32(h + 20);
        int origLen = u32(h + 24);
        if (capLen < 0 || capLen > config.maxRecordBytes() || 28 + capLen > length - 4) {
            warn("enhanced packet block at offset " + blockPos + ": captured length " + Integer.toUnsignedString(capLen)
                    + " does not fit the block of " + length + " bytes; skipped");
            return false;
        }
        fill(into, blockPos, h + 28, capLen, origLen, toNanos(id, units), id);
        return true;
    }

    private boolean simplePacket(PacketRecord into, long blockPos, int h, int length) {
        if (length < 16) {
            warn("simple packet block at offset " + blockPos + " is too short (" + length + " bytes); skipped");
            return false;
        }
        if (interfaceCount == 0) {
            warn("simple packet block at offset " + blockPos + " before any interface description; skipped");
            return false;
        }
        int origLen = u32(h + 8);
        int room = length - 16;
        // Captured length is implied: the original length cut by the snap length and the block size.
        long cap = origLen & 0xFFFFFFFFL;
        if (ifSnaplen[0] > 0) {
            cap = Math.min(cap, ifSnaplen[0] & 0xFFFFFFFFL);
        }
        cap = Math.min(cap, room);
        if (cap > config.maxRecordBytes()) {
            warn("simple packet block at offset " + blockPos + ": length " + cap + " exceeds the maximum; skipped");
            return false;
        }
        fill(into, blockPos, h + 12, (int) cap, origLen, lastTimestamp, 0);
        return true;
    }

    private boolean obsoletePacket(PacketRecord into, long blockPos, int h, int length) {
        if (length < 32) {
            warn("packet block at offset " + blockPos + " is too short (" + length + " bytes); skipped");
            return false;
        }
        int id = u16(h + 8);
        if (id >= interfaceCount) {
            warn("packet block at offset " + blockPos + " names undefined interface " + id + "; skipped");
            return false;
        }
        long units = ((u32(h + 12) & 0xFFFFFFFFL) << 32) | (u32(h + 16) & 0xFFFFFFFFL);
        int capLen = u32(h + 20);
        int origLen = u32(h + 24);
        if (capLen < 0 || capLen > config.maxRecordBytes() || 28 + capLen > length - 4) {
            warn("packet block at offset " + blockPos + ": captured length " + Integer.toUnsignedString(capLen)
                    + " does not fit the block of " + length + " bytes; skipped");
            return false;
        }
        fill(into, blockPos, h + 28, capLen, origLen, toNanos(id, units), id);
        return true;
    }

    private boolean decryptionSecrets(long blockPos, int h, int length) {
        if (length < 20) {
            warn("decryption secrets block at offset " + blockPos + " is too short; ignored");
            return false;
        }
        int secretsType = u32(h + 8);
        int len = u32(h + 12);
        if (len < 0 || 16 + len > length - 4) {
            warn("decryption secrets block at offset " + blockPos + ": secrets length " + Integer.toUnsignedString(len)
                    + " does not fit the block; ignored");
            return false;
        }
        if (secretsBytes + len > MAX_SECRETS_BYTES) {
            warn("decryption secrets block at offset " + blockPos + " exceeds the " + (MAX_SECRETS_BYTES >> 20) + " MiB limit; ignored");
            return false;
        }
        byte[] data = new byte[len];
        window.buffer().get(h + 16, data, 0, len);
        secrets.add(data);
        secretTypes.add(secretsType);
        secretsBytes += len;
        return false;
    }

    private void fill(PacketRecord into, long blockPos, int dataIndex, int capLen, int origLen, long ts, int id) {
        into.buffer = window.buffer();
        into.offset = dataIndex;
        into.capturedLength = capLen;
        into.originalLength = Integer.compareUnsigned(origLen, capLen) < 0 ? capLen : (origLen < 0 ? Integer.MAX_VALUE : origLen);
        into.timestampNanos = ts;
        into.linkType = ifLinkType[id];
        into.interfaceId = id;
        into.index = index++;
        into.fileOffset = blockPos;
        lastTimestamp = ts;
    }

    private void warn(String text) {
        warnings.add(name + ": " + text);
    }

    private boolean stop(String warning) {
        warnings.add(name + ": " + warning + "; reading stopped");
        done = true;
        return false;
    }

    private int u32(int i) {
        int v = window.buffer().getInt(i);
        return swap ? Integer.reverseBytes(v) : v;
    }

    private int u16(int i) {
        short v = window.buffer().getShort(i);
        return (swap ? Short.reverseBytes(v) : v) & 0xFFFF;
    }

    /** Number of section header blocks read so far. */
    public int sections() {
        return sections;
    }

    /** Secrets types (e.g. 0x544c534b TLS key log) parallel to {@link #decryptionSecrets()}. */
    public List<Integer> decryptionSecretTypes() {
        return Collections.unmodifiableList(secretTypes);
    }

    @Override
    public int decryptionSecretCount() {
        return secrets.size();
    }

    @Override
    public List<byte[]> decryptionSecrets() {
        return Collections.unmodifiableList(secrets);
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
