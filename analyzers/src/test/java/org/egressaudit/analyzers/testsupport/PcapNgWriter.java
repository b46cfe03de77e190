package org.egressaudit.analyzers.testsupport;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes pcapng (draft-ietf-opsawg-pcapng): Section Header Blocks in either byte order, Interface
 * Description Blocks with their own link type, snap length, if_tsresol and if_tsoffset, Enhanced and
 * Simple Packet Blocks, the obsolete Packet Block, Decryption Secrets Blocks and arbitrary blocks.
 * Interface ids restart at 0 in each new section, as the format requires.
 */
public final class PcapNgWriter implements AutoCloseable {
    public static final int BT_SHB = 0x0A0D0D0A;
    public static final int BT_IDB = 1;
    public static final int BT_PACKET_OBSOLETE = 2;
    public static final int BT_SPB = 3;
    public static final int BT_NRB = 4;
    public static final int BT_ISB = 5;
    public static final int BT_EPB = 6;
    public static final int BT_DSB = 0x0000000A;
    public static final int BT_CUSTOM = 0x00000BAD;
    public static final int SECRETS_TLS_KEYLOG = 0x544c534b;

    /** if_tsresol as written in the IDB: 6 = microseconds (also the default when absent), 9 = ns. */
    public record Interface(int linkType, int snaplen, int tsresol, long tsoffsetSeconds) {
    }

    private final OutputStream out;
    private ByteOrder order;
    private final List<Interface> interfaces = new ArrayList<>();

    /** Little-endian file starting with one section. */
    public PcapNgWriter(Path path) throws IOException {
        this(path, ByteOrder.LITTLE_ENDIAN);
    }

    public PcapNgWriter(Path path, ByteOrder order) throws IOException {
        this(Files.newOutputStream(path), order);
    }

    public PcapNgWriter(OutputStream target, ByteOrder order) throws IOException {
        this.out = new BufferedOutputStream(target, 1 << 20);
        section(order);
    }

    /** Starts a new section (interfaces of the previous section are forgotten). */
    public PcapNgWriter section(ByteOrder newOrder) throws IOException {
        this.order = newOrder;
        interfaces.clear();
        ByteBuffer b = body(16);
        b.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L);
        writeBlock(BT_SHB, b.array(), options(2, "egress-audit test".getBytes(StandardCharsets.UTF_8)));
        return this;
    }

    /** Interface with default microsecond resolution and no offset; returns its id. */
    public int addInterface(int linkType) throws IOException {
        return addInterface(linkType, 262144, -1, 0);
    }

    /**
     * @param tsresol raw if_tsresol byte (e.g. 9 for ns, 0x80|20 for 2^-20 s) or -1 to omit the option
     * @param tsoffsetSeconds if_tsoffset, 0 to omit
     */
    public int addInterface(int linkType, int snaplen, int tsresol, long tsoffsetSeconds) throws IOException {
        ByteBuffer b = body(8);
        b.putShort((short) linkType).putShort((short) 0).putInt(snaplen);
        ByteArrayOutputStream opts = new ByteArrayOutputStream();
        if (tsresol >= 0) {
            opts.write(option(9, new byte[] {(byte) tsresol}));
        }
        if (tsoffsetSeconds != 0) {
            opts.write(option(14, body(8).putLong(tsoffsetSeconds).array()));
        }
        if (opts.size() > 0) {
            opts.write(option(0, new byte[0]));
        }
        writeBlock(BT_IDB, b.array(), opts.toByteArray());
        interfaces.add(new Interface(linkType, snaplen, tsresol < 0 ? 6 : tsresol, tsoffsetSeconds));
        return interfaces.size() - 1;
    }

    public void writeEpb(int interfaceId, long tsNanos, byte[] frame) throws IOException {
        int snap = interfaces.get(interfaceId).snaplen();
        int len = snap > 0 ? Math.min(snap, frame.length) : frame.length;
        writeEpb(interfaceId, tsNanos, frame, 0, len, frame.length);
    }

    public void writeEpb(int interfaceId, long tsNanos, byte[] frame, int off, int len, int origLen) throws IOException {
        long units = toUnits(interfaces.get(interfaceId), tsNanos);
        ByteBuffer b = body(20);
        b.putInt(interfaceId).putInt((int) (units >>> 32)).putInt((int) units).putInt(len).putInt(origLen);
        writeBlock(BT_EPB, concat(b.array(), frame, off, len), new byte[0]);
    }

    /** Simple Packet Block: interface 0, no timestamp; captured length = min(snaplen of if 0, origLen). */
    public void writeSpb(byte[] frame, int origLen) throws IOException {
        ByteBuffer b = body(4);
        b.putInt(origLen);
        writeBlock(BT_SPB, concat(b.array(), frame, 0, frame.length), new byte[0]);
    }

    /** Obsolete Packet Block (type 2). */
    public void writeObsoletePacket(int interfaceId, long tsNanos, byte[] frame) throws IOException {
        long units = toUnits(interfaces.get(interfaceId), tsNanos);
        ByteBuffer b = body(20);
        b.putShort((short) interfaceId).putShort((short) 0).putInt((int) (units >>> 32)).putInt((int) units)
                .putInt(frame.length).putInt(frame.length);
        writeBlock(BT_PACKET_OBSOLETE, concat(b.array(), frame, 0, frame.length), new byte[0]);
    }

    public void writeDecryptionSecrets(int secretsType, byte[] secrets) throws IOException {
        ByteBuffer b = body(8);
        b.putInt(secretsType).putInt(secrets.length);
        writeBlock(BT_DSB, concat(b.array(), secrets, 0, secrets.length), new byte[0]);
    }

    /** Any block: body is padded to 4 bytes, then options follow, lengths are filled in. */
    public void writeBlock(int type, byte[] body, byte[] options) throws IOException {
        int padded = (body.length + 3) & ~3;
        int total = 12 + padded + options.length;
        ByteBuffer h = body(8);
        h.putInt(type).putInt(total);
        out.write(h.array());
        out.write(body);
        out.write(new byte[padded - body.length]);
        out.write(options);
        out.write(body(4).putInt(total).array());
    }

    public void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    public ByteOrder order() {
        return order;
    }

    /** Encodes options in the current section's byte order; each value padded to 4 bytes. */
    public byte[] option(int code, byte[] value) {
        int padded = (value.length + 3) & ~3;
        ByteBuffer b = body(4 + padded);
        b.putShort((short) code).putShort((short) value.length).put(value);
        return b.array();
    }

    private byte[] options(int code, byte[] value) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(option(code, value));
        o.write(option(0, new byte[0]));
        return o.toByteArray();
    }

    /** Timestamp in the interface's units, after removing its offset. */
    static long toUnits(Interface itf, long tsNanos) {
        BigInteger ns = BigInteger.valueOf(tsNanos).subtract(BigInteger.valueOf(itf.tsoffsetSeconds()).multiply(BigInteger.valueOf(1_000_000_000L)));
        int r = itf.tsresol();
        BigInteger unitsPerSecond = (r & 0x80) != 0 ? BigInteger.ONE.shiftLeft(r & 0x7f) : BigInteger.TEN.pow(r & 0x7f);
        return ns.multiply(unitsPerSecond).divide(BigInteger.valueOf(1_000_000_000L)).longValue();
    }

    private ByteBuffer body(int n) {
        return ByteBuffer.allocate(n).order(order);
    }

    private static byte[] concat(byte[] head, byte[] data, int off, int len) {
        byte[] r = new byte[head.length + len];
        System.arraycopy(head, 0, r, 0, head.length);
        System.arraycopy(data, off, r, head.length, len);
        return r;
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
