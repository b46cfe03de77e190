package org.egressaudit.benchmarks.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Streams Ethernet/IPv4 TCP and UDP frames into a classic pcap file (little-endian, microseconds) without
 * building a frame object per packet: headers and payload go straight into one large direct buffer, so
 * multi-GB captures are written at disk speed. Checksums (IPv4 header, TCP, UDP) are correct so that
 * other tools (tshark, tcpflow) accept the capture as they would a real one.
 */
public final class FastPcapWriter implements AutoCloseable {
    public static final int SNAPLEN = 262144;
    private static final int ETH = 14;
    private static final int IP = 20;
    private static final byte[] CLIENT_MAC = {0x02, 0, 0, 0, 0, 0x02};
    private static final byte[] SERVER_MAC = {0x02, 0, 0, 0, 0, 0x01};

    private final FileChannel channel;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(8 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private long packets;
    private long bytes;
    private int ipId;

    public FastPcapWriter(Path path) throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        buf.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(SNAPLEN).putInt(1);
        bytes = 24;
    }

    /** Bytes written so far, including file and record headers. */
    public long bytesWritten() {
        return bytes;
    }

    public long packets() {
        return packets;
    }

    /**
     * One TCP segment. {@code fromClient} only picks the MAC addresses; {@code mssOption} adds an MSS option
     * (for SYN and SYN/ACK).
     */
    public void tcp(long tsNanos, boolean fromClient, int srcIp, int srcPort, int dstIp, int dstPort, long seq,
                    long ack, int flags, int window, int mssOption, byte[] data, int off, int len) throws IOException {
        int tcpHeader = mssOption > 0 ? 24 : 20;
        int ipLen = IP + tcpHeader + len;
        int frameLen = ETH + ipLen;
        int at = beginRecord(tsNanos, frameLen, fromClient);
        putIpv4(srcIp, dstIp, 6, ipLen);
        int tcpAt = buf.position();
        buf.order(ByteOrder.BIG_ENDIAN);
        buf.putShort((short) srcPort).putShort((short) dstPort).putInt((int) seq).putInt((int) ack);
        buf.put((byte) ((tcpHeader / 4) << 4)).put((byte) flags).putShort((short) window);
        buf.putShort((short) 0).putShort((short) 0);
        if (mssOption > 0) {
            buf.put((byte) 2).put((byte) 4).putShort((short) mssOption);
        }
        buf.put(data, off, len);
        long sum = pseudoHeader(srcIp, dstIp, 6, tcpHeader + len) + sumDirect(tcpAt, tcpHeader) + sum(data, off, len);
        buf.putShort(tcpAt + 16, (short) fold(sum));
        buf.order(ByteOrder.LITTLE_ENDIAN);
        endRecord(at, frameLen);
    }

    public void udp(long tsNanos, boolean fromClient, int srcIp, int srcPort, int dstIp, int dstPort, byte[] data,
                    int off, int len) throws IOException {
        int ipLen = IP + 8 + len;
        int frameLen = ETH + ipLen;
        int at = beginRecord(tsNanos, frameLen, fromClient);
        putIpv4(srcIp, dstIp, 17, ipLen);
        int udpAt = buf.position();
        buf.order(ByteOrder.BIG_ENDIAN);
        buf.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + len)).putShort((short) 0);
        buf.put(data, off, len);
        int c = fold(pseudoHeader(srcIp, dstIp, 17, 8 + len) + sumDirect(udpAt, 8) + sum(data, off, len));
        buf.putShort(udpAt + 6, (short) (c == 0 ? 0xFFFF : c));
        buf.order(ByteOrder.LITTLE_ENDIAN);
        endRecord(at, frameLen);
    }

    private int beginRecord(long tsNanos, int frameLen, boolean fromClient) throws IOException {
        if (buf.remaining() < 16 + frameLen) {
            flush();
        }
        int at = buf.position();
        long micros = tsNanos / 1000;
        buf.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(frameLen).putInt(frameLen);
        buf.put(fromClient ? SERVER_MAC : CLIENT_MAC).put(fromClient ? CLIENT_MAC : SERVER_MAC);
        buf.put((byte) 0x08).put((byte) 0x00);
        return at;
    }

    private void endRecord(int at, int frameLen) {
        packets++;
        bytes += 16 + frameLen;
    }

    private void putIpv4(int src, int dst, int proto, int totalLen) {
        int ipAt = buf.position();
        buf.order(ByteOrder.BIG_ENDIAN);
        buf.put((byte) 0x45).put((byte) 0).putShort((short) totalLen).putShort((short) ipId++)
                .putShort((short) 0x4000).put((byte) 64).put((byte) proto).putShort((short) 0)
                .putInt(src).putInt(dst);
        buf.putShort(ipAt + 10, (short) fold(sumDirect(ipAt, IP)));
        buf.order(ByteOrder.LITTLE_ENDIAN);
    }

    private long sumDirect(int from, int len) {
        long s = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            s += ((buf.get(from + i) & 0xFF) << 8) | (buf.get(from + i + 1) & 0xFF);
        }
        return s;
    }

    private static long pseudoHeader(int src, int dst, int proto, int len) {
        return (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + proto + len;
    }

    static long sum(byte[] d, int off, int len) {
        long s = 0;
        int end = off + (len & ~1);
        for (int i = off; i < end; i += 2) {
            s += ((d[i] & 0xFF) << 8) | (d[i + 1] & 0xFF);
        }
        if ((len & 1) != 0) {
            s += (d[off + len - 1] & 0xFF) << 8;
        }
        return s;
    }

    private static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) (~s & 0xFFFF);
    }

    private void flush() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        buf.clear();
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            channel.close();
        }
    }
}
