package org.egressaudit.analyzers.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opens a capture file as pcap or pcapng, chosen by its magic number, not its name. */
public final class CaptureReaders {

    private CaptureReaders() {
    }

    public static CaptureReader open(Path path) throws IOException {
        return open(path, CaptureReaderConfig.defaults());
    }

    /**
     * @throws CaptureFormatException when the file is empty, too short for a header, or not a pcap/pcapng
     *                                capture; the message names the file and what was found instead
     */
    public static CaptureReader open(Path path, CaptureReaderConfig config) throws IOException {
        byte[] head = new byte[4];
        int n;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.wrap(head);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // read until 4 bytes or end of file
            }
            n = b.position();
        }
        if (n == 0) {
            throw new CaptureFormatException(path + ": empty file");
        }
        if (n < 4) {
            throw new CaptureFormatException(path + ": too short to be a capture (" + n + " bytes)");
        }
        int magic = ByteBuffer.wrap(head).getInt();
        if (magic == PcapNgReader.BT_SHB) {
            return new PcapNgReader(path, config);
        }
        int swapped = Integer.reverseBytes(magic);
        if (isPcapMagic(magic) || isPcapMagic(swapped)) {
            return new PcapReader(path, config);
        }
        throw new CaptureFormatException(path + ": not a pcap/pcapng capture (first bytes " + hex(head) + ")" + hint(head));
    }

    private static boolean isPcapMagic(int m) {
        return m == PcapReader.MAGIC_MICROS || m == PcapReader.MAGIC_NANOS || m == PcapReader.MAGIC_MODIFIED;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02x", b[i] & 0xFF));
        }
        return sb.toString();
    }

    /** Names the usual wrappers so the user knows to unpack the capture first. */
    private static String hint(byte[] h) {
        int b0 = h[0] & 0xFF;
        int b1 = h[1] & 0xFF;
        if (b0 == 0x1f && b1 == 0x8b) {
            return "; it looks gzip-compressed, decompress it first";
        }
        if (b0 == 0x28 && b1 == 0xb5 && (h[2] & 0xFF) == 0x2f && (h[3] & 0xFF) == 0xfd) {
            return "; it looks zstd-compressed, decompress it first";
        }
        if (b0 == 0xfd && b1 == '7' && h[2] == 'z' && h[3] == 'X') {
            return "; it looks xz-compressed, decompress it first";
        }
        if (b0 == 'P' && b1 == 'K') {
            return "; it looks like a zip archive";
        }
        if (b0 == 0xd4 && b1 == 0xc3 && (h[2] & 0xFF) == 0xb2) {
            return "; the pcap magic is damaged";
        }
        return "";
    }
}
