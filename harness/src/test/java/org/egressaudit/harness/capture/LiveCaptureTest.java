package org.egressaudit.harness.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;

import org.egressaudit.analyzers.capture.CaptureReader;
import org.egressaudit.analyzers.capture.CaptureReaders;
import org.egressaudit.analyzers.capture.PacketRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveCaptureTest {

    @Test
    void missingInterfaceIsNamed(@TempDir Path tmp) {
        CaptureException e = assertThrows(CaptureException.class,
                () -> LiveCapture.start("eanosuchif0", tmp.resolve("x.pcap")));
        assertTrue(e.getMessage().contains("no such network interface: eanosuchif0"), e.getMessage());
    }

    @Test
    void missingFolderIsNamed(@TempDir Path tmp) {
        CaptureException e = assertThrows(CaptureException.class,
                () -> LiveCapture.start("lo", tmp.resolve("no/such/dir/x.pcap")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void recordsLoopbackTrafficUntilClosed(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("lo.pcap");
        LiveCapture capture = LiveCapture.start("lo", file);
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] payload = "egress-audit-capture-probe".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int i = 0; i < 20; i++) {
                s.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), s.getLocalPort()));
            }
        }
        capture.close();
        capture.close(); // idempotent
        CaptureStats stats = capture.stats();
        assertEquals(0, stats.dropped(), stats.toString());
        int probes = 0;
        try (CaptureReader r = CaptureReaders.open(file)) {
            PacketRecord p = new PacketRecord();
            while (r.next(p)) {
                byte[] frame = new byte[p.capturedLength];
                p.buffer.get(p.offset, frame);
                if (new String(frame, java.nio.charset.StandardCharsets.ISO_8859_1).contains("egress-audit-capture-probe")) {
                    probes++;
                }
            }
        }
        assertEquals(20, probes);
        assertTrue(stats.received() >= 20, stats.toString());
    }
}
