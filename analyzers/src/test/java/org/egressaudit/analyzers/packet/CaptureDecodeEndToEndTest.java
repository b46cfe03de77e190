package org.egressaudit.analyzers.packet;

import org.egressaudit.analyzers.capture.CaptureReader;
import org.egressaudit.analyzers.capture.CaptureReaderConfig;
import org.egressaudit.analyzers.capture.CaptureReaders;
import org.egressaudit.analyzers.capture.LinkType;
import org.egressaudit.analyzers.capture.PacketRecord;
import org.egressaudit.analyzers.testsupport.PcapNgWriter;
import org.egressaudit.analyzers.testsupport.PcapWriter;
import org.egressaudit.analyzers.testsupport.TcpSession;
import org.egressaudit.analyzers.testsupport.TimedFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptureDecodeEndToEndTest {
    @TempDir
    Path dir;

    private static final String REQUEST = "POST /upload HTTP/1.1\r\nHost: av.example\r\nContent-Length: 3000\r\n\r\n"
            + "x".repeat(3000);

    /** Concatenates client-to-server TCP payload in capture order. */
    private static String clientBytes(Path f, int window) throws IOException {
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        PacketDecoder decoder = new PacketDecoder();
        DecodedPacket p = new DecodedPacket();
        PacketRecord r = new PacketRecord();
        try (CaptureReader reader = CaptureReaders.open(f, CaptureReaderConfig.defaults().withWindowBytes(window))) {
            while (reader.next(r)) {
                if (decoder.decode(r, p) && p.isTcp() && p.dstPort == 80) {
                    byte[] b = new byte[p.payloadLength];
                    p.payloadBuffer.get(p.payloadOffset, b);
                    client.writeBytes(b);
                }
            }
            assertEquals(List.of(), reader.warnings());
        }
        assertEquals(0, decoder.stats().failureCounts().size(), decoder.stats().toString());
        return client.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void httpUploadSurvivesWriteReadDecode() throws IOException {
        List<TimedFrame> frames = TcpSession.of("10.0.0.2", 40000, "192.0.2.10", 80).clientIsn(0xFFFFFF00L).mss(536)
                .clientSends(REQUEST).serverSends("HTTP/1.1 200 OK\r\n\r\n").close().frames();
        Path f = dir.resolve("upload.pcap");
        PcapWriter.write(f, LinkType.ETHERNET, frames);
        assertEquals(REQUEST, clientBytes(f, CaptureReaderConfig.DEFAULT_WINDOW_BYTES));
        assertEquals(REQUEST, clientBytes(f, 256));
    }

    @Test
    void pcapngInterfacesWithDifferentLinkTypes() throws IOException {
        TcpSession v4 = TcpSession.of("10.0.0.2", 40000, "192.0.2.10", 80).linkType(LinkType.LINUX_SLL2).mss(1000);
        TcpSession v6 = TcpSession.of("2001:db8::2", 40001, "2001:db8::10", 8080).linkType(LinkType.RAW);
        List<TimedFrame> a = v4.clientSends(REQUEST).close().frames();
        List<TimedFrame> b = v6.clientSends("other").close().frames();
        Path f = dir.resolve("two.pcapng");
        try (PcapNgWriter w = new PcapNgWriter(f)) {
            int sll2 = w.addInterface(LinkType.LINUX_SLL2, 262144, 9, 0);
            int raw = w.addInterface(LinkType.RAW);
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                if (i < a.size()) {
                    w.writeEpb(sll2, a.get(i).tsNanos(), a.get(i).frame());
                }
                if (i < b.size()) {
                    w.writeEpb(raw, b.get(i).tsNanos(), b.get(i).frame());
                }
            }
        }
        String got = clientBytes(f, 200);
        assertEquals(REQUEST, got);
        assertTrue(got.startsWith("POST"));
    }
}
