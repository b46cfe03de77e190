package org.egressaudit.analyzers.protocol.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TlsClientHelloParserTest {
    private static final String JA3_FORMAT = "\\d+,(\\d+(-\\d+)*)?,(\\d+(-\\d+)*)?,(\\d+(-\\d+)*)?,(\\d+(-\\d+)*)?";

    @Test
    void parsesTheJdkClientHello() throws Exception {
        byte[] records = TlsTestMessages.jdkClientHello("files.example", "h2", "http/1.1");
        TlsClientHello h = TlsClientHelloParser.parseRecords(records);
        assertTrue(h.ok(), h.error());
        assertEquals("files.example", h.sni());
        assertEquals(List.of("h2", "http/1.1"), h.alpn());
        assertEquals(0x0303, h.legacyVersion());
        assertTrue(h.supportedVersions().contains(0x0304), h.supportedVersions().toString());
        assertEquals(0x0304, h.maxOfferedVersion());
        assertTrue(h.extensions().containsAll(List.of(0, 10, 16, 43)), h.extensions().toString());
        assertFalse(h.cipherSuites().isEmpty());
        assertTrue(h.cipherSuites().contains(0x1301));
        assertFalse(h.groups().isEmpty());
        String ja3 = h.ja3();
        assertTrue(ja3.matches(JA3_FORMAT), ja3);
        assertTrue(ja3.startsWith("771,"), ja3);
        String[] fields = ja3.split(",", -1);
        assertEquals(5, fields.length);
        assertEquals(h.cipherSuites().size(), fields[1].split("-").length);
        assertEquals(h.extensions().size(), fields[2].split("-").length);
        assertEquals(md5(ja3), h.ja3Hash());
        assertEquals(32, h.ja3Hash().length());
    }

    @Test
    void ja3DropsGreaseAndKeepsOrder() {
        byte[] msg = TlsTestMessages.greaseClientHello("grease.example");
        TlsClientHello h = TlsClientHelloParser.parseMessage(msg, 0, msg.length);
        assertTrue(h.ok(), h.error());
        assertEquals("771,4865-49199,0-10-11-16-43,29-23,0", h.ja3());
        assertEquals(md5Unchecked("771,4865-49199,0-10-11-16-43,29-23,0"), h.ja3Hash());
        assertEquals(List.of(0x0a0a, 0x1301, 0xc02f), h.cipherSuites(), "raw lists keep GREASE");
        assertEquals(0x0304, h.maxOfferedVersion(), "GREASE version is not the maximum");
        assertEquals("grease.example", h.sni());
    }

    @Test
    void helloSpreadOverManyRecordsIsJoined() throws Exception {
        byte[] records = TlsTestMessages.jdkClientHello("split.example", "h2");
        TlsClientHello whole = TlsClientHelloParser.parseRecords(records);
        byte[] msg = java.util.Arrays.copyOfRange(records, 5, records.length);
        for (int frag : new int[] {1, 3, 100, 511}) {
            byte[] split = TlsTestMessages.records(22, msg, frag);
            TlsClientHello h = TlsClientHelloParser.parseRecords(split);
            assertTrue(h.ok(), frag + ": " + h.error());
            assertEquals(whole.ja3(), h.ja3());
            assertEquals("split.example", h.sni());
        }
    }

    @Test
    void everyTruncationIsAnErrorNeverAnException() throws Exception {
        byte[] records = TlsTestMessages.jdkClientHello("trunc.example", "h2");
        for (int len = 0; len < records.length; len++) {
            TlsClientHello h = TlsClientHelloParser.parseRecords(records, 0, len, TlsLimits.DEFAULTS);
            assertNotNull(h.error(), "length " + len);
        }
        byte[] msg = java.util.Arrays.copyOfRange(records, 5, records.length);
        for (int len = 0; len < msg.length; len++) {
            assertNotNull(TlsClientHelloParser.parseMessage(msg, 0, len).error(), "message length " + len);
        }
    }

    @Test
    void randomCorruptionNeverThrows() throws Exception {
        byte[] records = TlsTestMessages.jdkClientHello("fuzz.example", "h2");
        Random rnd = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = records.clone();
            for (int f = 0, n = 1 + rnd.nextInt(4); f < n; f++) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            assertNotNull(TlsClientHelloParser.parseRecords(b, 0, rnd.nextInt(b.length + 1), TlsLimits.DEFAULTS));
        }
    }

    @Test
    void nonHandshakeRecordIsAnError() {
        byte[] b = TlsTestMessages.records(23, new byte[40], 100);
        assertTrue(TlsClientHelloParser.parseRecords(b).error().contains("type 23"));
    }

    @Test
    void oversizedHelloIsRefused() {
        byte[] header = {22, 3, 1, 0, 4, 1, (byte) 0x7f, (byte) 0xff, (byte) 0xff};
        TlsClientHello h = TlsClientHelloParser.parseRecords(header, 0, header.length, TlsLimits.DEFAULTS);
        assertTrue(h.error().contains("exceeds the limit"), h.error());
    }

    @Test
    void serverHelloSelectedVersionComesFromSupportedVersions() {
        byte[] sh = TlsTestMessages.serverHello13();
        TlsServerHello s = TlsServerHelloParser.parseMessage(sh, 0, sh.length);
        assertTrue(s.ok(), s.error());
        assertEquals(0x0303, s.legacyVersion());
        assertEquals(0x0304, s.selectedVersion());
        assertEquals(0x1301, s.cipherSuite());
        assertFalse(s.helloRetryRequest());
        for (int len = 0; len < sh.length; len++) {
            assertNotNull(TlsServerHelloParser.parseMessage(sh, 0, len));
        }
    }

    static String md5(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String md5Unchecked(String s) {
        try {
            return md5(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
