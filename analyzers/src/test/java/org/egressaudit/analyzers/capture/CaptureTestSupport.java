package org.egressaudit.analyzers.capture;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads a whole capture into comparable values. */
final class CaptureTestSupport {

    record Packet(long ts, int linkType, int interfaceId, int capLen, int origLen, long index, long fileOffset, byte[] data) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Packet p && ts == p.ts && linkType == p.linkType && interfaceId == p.interfaceId
                    && capLen == p.capLen && origLen == p.origLen && index == p.index && fileOffset == p.fileOffset
                    && Arrays.equals(data, p.data);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(ts) * 31 + Arrays.hashCode(data);
        }
    }

    private CaptureTestSupport() {
    }

    static List<Packet> readAll(CaptureReader reader) throws IOException {
        List<Packet> out = new ArrayList<>();
        PacketRecord r = new PacketRecord();
        while (reader.next(r)) {
            byte[] data = new byte[r.capturedLength];
            r.buffer.get(r.offset, data);
            out.add(new Packet(r.timestampNanos, r.linkType, r.interfaceId, r.capturedLength, r.originalLength,
                    r.index, r.fileOffset, data));
        }
        assertFalseAgain(reader, r);
        return out;
    }

    /** A reader that said "end" must keep saying so. */
    private static void assertFalseAgain(CaptureReader reader, PacketRecord r) throws IOException {
        if (reader.next(r)) {
            throw new AssertionError("reader returned a packet after reporting the end");
        }
    }

    static List<Packet> readAll(Path file, int windowBytes) throws IOException {
        try (CaptureReader reader = CaptureReaders.open(file, CaptureReaderConfig.defaults().withWindowBytes(windowBytes))) {
            return readAll(reader);
        }
    }

    static byte[] frame(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + seed);
        }
        return b;
    }
}
