package org.egressaudit.analyzers.protocol.http2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 7541 Appendix C examples, then the abuse cases. */
class HpackDecoderTest {

    private static final int HARD = 64 * 1024;
    private static final int LIST = 256 * 1024;

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    private static List<HeaderField> decode(HpackDecoder d, String hexBlock) throws HpackException {
        byte[] b = hex(hexBlock);
        List<String> notes = new ArrayList<>();
        List<HeaderField> out = d.decode(b, 0, b.length, notes);
        assertEquals(List.of(), notes);
        return out;
    }

    private static List<HeaderField> fields(String... nv) {
        List<HeaderField> out = new ArrayList<>();
        for (int i = 0; i < nv.length; i += 2) {
            out.add(new HeaderField(nv[i], nv[i + 1]));
        }
        return out;
    }

    @Test
    void c2LiteralRepresentations() throws HpackException {
        HpackDecoder d = new HpackDecoder(HARD, LIST);
        assertEquals(fields("custom-key", "custom-header"),
                decode(d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"));
        assertEquals(55, d.tableSize());

        d = new HpackDecoder(HARD, LIST);
        assertEquals(fields(":path", "/sample/path"), decode(d, "040c 2f73 616d 706c 652f 7061 7468"));
        assertEquals(0, d.tableEntries());

        d = new HpackDecoder(HARD, LIST);
        assertEquals(fields("password", "secret"), decode(d, "1008 7061 7373 776f 7264 0673 6563 7265 74"));
        assertEquals(0, d.tableEntries());

        d = new HpackDecoder(HARD, LIST);
        assertEquals(fields(":method", "GET"), decode(d, "82"));
        assertEquals(0, d.tableEntries());
    }

    private static final List<HeaderField> REQ1 = fields(":method", "GET", ":scheme", "http", ":path", "/",
            ":authority", "www.example.com");
    private static final List<HeaderField> REQ2 = fields(":method", "GET", ":scheme", "http", ":path", "/",
            ":authority", "www.example.com", "cache-control", "no-cache");
    private static final List<HeaderField> REQ3 = fields(":method", "GET", ":scheme", "https", ":path",
            "/index.html", ":authority", "www.example.com", "custom-key", "custom-value");

    @Test
    void c3RequestsWithoutHuffman() throws HpackException {
        HpackDecoder d = new HpackDecoder(HARD, LIST);
        assertEquals(REQ1, decode(d, "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"));
        assertEquals(57, d.tableSize());
        assertEquals(REQ2, decode(d, "8286 84be 5808 6e6f 2d63 6163 6865"));
        assertEquals(110, d.tableSize());
        assertEquals(REQ3, decode(d, "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"));
        assertEquals(164, d.tableSize());
        assertEquals(3, d.tableEntries());
    }

    @Test
    void c4RequestsWithHuffman() throws HpackException {
        HpackDecoder d = new HpackDecoder(HARD, LIST);
        assertEquals(REQ1, decode(d, "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"));
        assertEquals(57, d.tableSize());
        assertEquals(REQ2, decode(d, "8286 84be 5886 a8eb 1064 9cbf"));
        assertEquals(110, d.tableSize());
        assertEquals(REQ3, decode(d, "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"));
        assertEquals(164, d.tableSize());
    }

    private static final List<HeaderField> RESP1 = fields(":status", "302", "cache-control", "private", "date",
            "Mon, 21 Oct 2013 20:13:21 GMT", "location", "https://www.example.com");
    private static final List<HeaderField> RESP2 = fields(":status", "307", "cache-control", "private", "date",
            "Mon, 21 Oct 2013 20:13:21 GMT", "location", "https://www.example.com");
    private static final List<HeaderField> RESP3 = fields(":status", "200", "cache-control", "private", "date",
            "Mon, 21 Oct 2013 20:13:22 GMT", "location", "https://www.example.com", "content-encoding", "gzip",
            "set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1");

    @Test
    void c5ResponsesWithoutHuffmanEvict() throws HpackException {
        HpackDecoder d = new HpackDecoder(HARD, LIST, 256);
        assertEquals(RESP1, decode(d, """
                4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
                2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
                6c65 2e63 6f6d"""));
        assertEquals(222, d.tableSize());
        assertEquals(RESP2, decode(d, "4803 3330 37c1 c0bf"));
        assertEquals(222, d.tableSize());
        assertEquals(RESP3, decode(d, """
                88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
                54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
                5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
                3d31"""));
        assertEquals(215, d.tableSize());
        assertEquals(3, d.tableEntries());
    }

    @Test
    void c6ResponsesWithHuffmanEvict() throws HpackException {
        HpackDecoder d = new HpackDecoder(HARD, LIST, 256);
        assertEquals(RESP1, decode(d, """
                4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
                2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3"""));
        assertEquals(222, d.tableSize());
        assertEquals(RESP2, decode(d, "4883 640e ffc1 c0bf"));
        assertEquals(222, d.tableSize());
        assertEquals(RESP3, decode(d, """
                88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
                77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
                9587 3160 65c0 03ed 4ee5 b106 3d50 07"""));
        assertEquals(215, d.tableSize());
    }

    @Test
    void huffmanRoundTripsEveryByte() throws HpackException {
        byte[] all = new byte[256 * 3];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i * 7);
        }
        byte[] enc = HpackHuffman.encode(all);
        assertArrayEquals(all, HpackHuffman.decode(enc, 0, enc.length));
        assertArrayEquals(hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff"),
                HpackHuffman.encode("www.example.com".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void huffmanRejectsBadPaddingAndEos() {
        // "0" is 00000 (5 bits): zero padding instead of ones
        assertThrows(HpackException.class, () -> HpackHuffman.decode(new byte[] {0x00}, 0, 1));
        // more than 7 bits of padding
        assertThrows(HpackException.class, () -> HpackHuffman.decode(hex("07ff"), 0, 2));
        // EOS (30 ones) inside the string
        assertThrows(HpackException.class, () -> HpackHuffman.decode(hex("ffffffff"), 0, 4));
    }

    @Test
    void sizeUpdateEvictsAndIsBoundedByTheHardLimit() throws HpackException {
        HpackDecoder d = new HpackDecoder(HARD, LIST);
        decode(d, "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d");
        assertEquals(1, d.tableEntries());
        decode(d, "20");
        assertEquals(0, d.tableEntries());
        assertEquals(0, d.maxTableSize());
        // a reference to the evicted entry is now an error
        assertThrows(HpackException.class, () -> decode(d, "3fe11f be"));
        HpackDecoder small = new HpackDecoder(1024, LIST);
        // 0x3f 0xe1 0x1f = 31 + 0x61 + (0x1f << 7) = 4096
        HpackException e = assertThrows(HpackException.class, () -> decode(small, "3fe11f"));
        assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
    }

    @Test
    void sizeUpdateAboveTheAnnouncedSizeIsANote() throws HpackException {
        HpackDecoder d = new HpackDecoder(HARD, LIST);
        d.setAnnouncedMaxTableSize(100);
        List<String> notes = new ArrayList<>();
        byte[] b = hex("3fe11f 82");
        assertEquals(fields(":method", "GET"), d.decode(b, 0, b.length, notes));
        assertEquals(1, notes.size(), notes.toString());
        assertEquals(4096, d.maxTableSize());
    }

    @Test
    void headerListLimit() {
        HpackDecoder d = new HpackDecoder(HARD, 100);
        // 3 x ":method: GET" = 3 x 42 > 100
        HpackException e = assertThrows(HpackException.class, () -> decode(d, "828282"));
        assertTrue(e.getMessage().contains("header list"), e.getMessage());
    }

    @Test
    void malformedBlocks() {
        assertThrows(HpackException.class, () -> decode(new HpackDecoder(HARD, LIST), "80"));       // index 0
        assertThrows(HpackException.class, () -> decode(new HpackDecoder(HARD, LIST), "be"));       // empty dyn
        assertThrows(HpackException.class, () -> decode(new HpackDecoder(HARD, LIST), "ff"));       // truncated int
        assertThrows(HpackException.class, () -> decode(new HpackDecoder(HARD, LIST), "ffffffffff0f")); // overflow
        assertThrows(HpackException.class, () -> decode(new HpackDecoder(HARD, LIST), "400a 6375")); // short string
        assertThrows(HpackException.class, () -> decode(new HpackDecoder(HARD, LIST), "40"));       // no name
    }
}
