package org.egressaudit.analyzers.decode;

import static org.egressaudit.analyzers.decode.DecodeFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;
import org.junit.jupiter.api.Test;

class EmbeddedTextDecoderTest {
    private final EmbeddedTextDecoder decoder = new EmbeddedTextDecoder();

    private ContentObject decode(String text) {
        return decode(ContentObject.root("http-body", null, utf8(text), Map.of()));
    }

    private ContentObject decode(ContentObject o) {
        assertTrue(decoder.accepts(o), "not accepted: " + new String(o.toByteArray()));
        decoder.decode(o, ctx());
        return o;
    }

    private static List<String> layers(ContentObject o) {
        return o.children().stream().map(ContentObject::layer).toList();
    }

    /** RFC 4648 base32, lower case, no padding: as DNS tunnels send it. */
    static String base32(byte[] b) {
        String a = "abcdefghijklmnopqrstuvwxyz234567";
        StringBuilder sb = new StringBuilder();
        int acc = 0;
        int bits = 0;
        for (byte x : b) {
            acc = (acc << 8) | (x & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                sb.append(a.charAt((acc >> bits) & 31));
            }
        }
        if (bits > 0) {
            sb.append(a.charAt((acc << (5 - bits)) & 31));
        }
        return sb.toString();
    }

    @Test
    void aBase64HeaderValueDoesNotRunIntoTheNextHeader() {
        // Unpadded base64 in one header, then a header name of letters: in a body the MIME rule would join the
        // lines; in a header block every line is its own field.
        byte[] secret = "memo with CANARY-0123456789abcdef inside, 51 bytes!".getBytes();
        String b64 = Base64.getEncoder().withoutPadding().encodeToString(secret);
        assertFalse(b64.endsWith("="));
        String head = "POST /v1 HTTP/1.1\r\nHost: telemetry.vendor.example\r\nX-Trace: " + b64
                + "\r\nConnection: close\r\n\r\n";
        ContentObject o = new ContentObject(null, "http-headers", null, head.getBytes(), 0, head.length(), -1,
                head.length(), false, Map.of());
        new EmbeddedTextDecoder().decode(o, ctx());
        assertTrue(o.children().stream().anyMatch(c -> java.util.Arrays.equals(secret, c.toByteArray())),
                o.children().toString());
    }

    @Test
    void jsonHoldingBase64WithEscapedSlashes() {
        byte[] exe = pe(600);
        String b64 = Base64.getEncoder().encodeToString(exe);
        assertTrue(b64.contains("/"), "test needs a slash to escape");
        String json = "{\"agentId\":\"ws-17\",\"sample\":\"" + b64.replace("/", "\\/") + "\",\"size\":600}";
        ContentObject o = decode(json);
        assertEquals(List.of("base64"), layers(o));
        assertArrayEquals(exe, o.children().get(0).toByteArray());
    }

    @Test
    void jsonStringWithEscapedNewlinesAndMimeLines() {
        byte[] data = random(400, 3);
        String mime = Base64.getMimeEncoder().encodeToString(data);
        ContentObject crlf = decode("Content-Transfer-Encoding: base64\r\n\r\n" + mime + "\r\n\r\n--end--");
        assertEquals(1, crlf.children().size(), layers(crlf).toString());
        assertArrayEquals(data, crlf.children().get(0).toByteArray());
        ContentObject json = decode("{\"pem\":\"" + mime.replace("\r\n", "\\n") + "\"}");
        assertEquals(1, json.children().size());
        assertArrayEquals(data, json.children().get(0).toByteArray());
    }

    @Test
    void pemBlock() {
        byte[] der = random(300, 4);
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END CERTIFICATE-----\n";
        ContentObject o = decode(pem);
        assertEquals(List.of("base64"), layers(o));
        assertArrayEquals(der, o.children().get(0).toByteArray());
    }

    @Test
    void base64UrlRuns() {
        byte[] data = random(90, 11);
        String url = Base64.getUrlEncoder().withoutPadding().encodeToString(data);
        assertTrue(url.contains("-") || url.contains("_"));
        ContentObject o = decode("token=" + url + "; path=/");
        assertEquals(List.of("base64url"), layers(o));
        assertArrayEquals(data, o.children().get(0).toByteArray());
    }

    @Test
    void lowercaseBase32DnsLabels() {
        byte[] secret = utf8("quarterly planning memo 7f3a, do not distribute");
        String b32 = base32(secret);
        // Split into DNS labels of 30 characters, under a tunnel domain.
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < b32.length(); i += 30) {
            name.append(b32, i, Math.min(b32.length(), i + 30)).append('.');
        }
        name.append("t.exfil.example");
        ContentObject o = decode(ContentObject.root("dns-labels", null, ascii(name.toString()), Map.of()));
        assertEquals(List.of("base32"), layers(o), o.notes().toString());
        assertArrayEquals(secret, o.children().get(0).toByteArray());
        // And as one label in ordinary text, upper case with padding.
        ContentObject t = decode("id " + b32.toUpperCase(Locale.ROOT) + "==== end");
        assertEquals(List.of("base32"), layers(t));
        assertArrayEquals(secret, t.children().get(0).toByteArray());
    }

    @Test
    void hexRunsEitherCase() {
        byte[] data = random(40, 5);
        String hex = hex(data);
        ContentObject lower = decode("{\"digest\":\"" + hex + "\"}");
        assertEquals(List.of("hex"), layers(lower));
        assertArrayEquals(data, lower.children().get(0).toByteArray());
        ContentObject upper = decode("payload 0x" + hex.toUpperCase(Locale.ROOT) + " sent");
        assertEquals(List.of("hex"), layers(upper));
        assertArrayEquals(data, upper.children().get(0).toByteArray());
    }

    @Test
    void percentRunAndBase64InTheSameObjectBothDecode() {
        byte[] bin = random(64, 8);
        StringBuilder esc = new StringBuilder();
        for (byte b : bin) {
            esc.append('%').append(String.format("%02X", b & 0xff));
        }
        byte[] other = random(60, 9);
        String text = "GET /upload?d=" + esc + " HTTP/1.1\r\nX-Blob: " + Base64.getEncoder().encodeToString(other) + "\r\n";
        ContentObject o = decode(text);
        assertEquals(List.of("percent", "base64"), layers(o));
        byte[] p = o.children().get(0).toByteArray();
        assertArrayEquals(bin, java.util.Arrays.copyOfRange(p, p.length - 64, p.length));
        assertArrayEquals(other, o.children().get(1).toByteArray());
    }

    @Test
    @org.junit.jupiter.api.Timeout(10)
    void escapedSlashRightBeforeAPercentRunTerminates() {
        // The percent run claims "/%41..." starting at the '/', leaving a lone backslash before it: once an
        // endless loop (a segment of zero characters that never advanced).
        ContentObject o = decode("{\"u\":\"x\\/%41%42%43%44%45\"}");
        assertEquals(List.of("percent"), layers(o));
        assertEquals("/ABCDE", new String(o.children().get(0).toByteArray()));
    }

    @Test
    void wholeObjectShortRun() {
        byte[] data = ascii("memo 7f");
        ContentObject o = decode(Base64.getEncoder().encodeToString(data));
        assertEquals(List.of("base64"), layers(o));
        assertArrayEquals(data, o.children().get(0).toByteArray());
    }

    @Test
    void englishProseHasNoRuns() {
        String prose = """
                The quarterly planning meeting has been moved to Thursday afternoon. Please review the attached
                documents before then, especially the sections on international expansion, infrastructure
                modernization and the reorganization of the customer-success department. Notwithstanding the
                aforementioned considerations, the representatives unanimously acknowledged that
                internationalization/localization remains an uncharacteristically underappreciated priority.
                Call Bob at extension 4471 or visit https://intranet.example/teams/planning/2024/Q3/overview.
                """;
        ContentObject o = decode(prose.repeat(3));
        assertTrue(o.children().isEmpty(), layers(o) + " " + o.children());
    }

    @Test
    void typicalJsonKeysAndValuesHaveNoRuns() {
        String json = """
                {"applicationConfigurationSettingsEnabled":true,"userAuthenticationTokenExpiry":3600,
                 "requestId":"550e8400-e29b-41d4-a716-446655440000","REQUEST_ID":"550E8400-E29B-41D4-A716-446655440000",
                 "createdAt":"2024-06-30T12:34:56.789Z","MAX_RETRY_COUNT_FOR_SERVICE_1":5,
                 "installationDirectoryPath":"/opt/vendor/agent/bin/x86_64/modules/scanner",
                 "windowsPath":"C:\\\\ProgramData\\\\Vendor\\\\Agent\\\\Quarantine\\\\Items",
                 "productVersionIdentifier":"EndpointProtection2024Enterprise",
                 "telemetry_collection_interval_seconds":300,"osBuild":"10.0.19045.4529",
                 "signatureDatabaseVersion":"20240630.1834.0001","threatCategoryName":"TrojanDownloaderGeneric",
                 "userAgentString":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"}
                """;
        ContentObject o = decode(json);
        assertTrue(o.children().isEmpty(), layers(o) + " " + o.children());
    }

    @Test
    void binaryObjectsAreNotScanned() {
        assertFalse(decoder.accepts(root(random(1000, 1))));
    }
}
