package org.egressaudit.analyzers.decode;

import static org.egressaudit.analyzers.decode.DecodeFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.airlift.compress.zstd.ZstdCompressor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.egressaudit.analyzers.content.ContentObject;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** zlib, zstd, bzip2 and xz decoders recognised by magic. */
class CompressionDecodersTest {

    static byte[] bzip2(byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (BZip2CompressorOutputStream out = new BZip2CompressorOutputStream(bos)) {
            out.write(data);
        }
        return bos.toByteArray();
    }

    static byte[] xz(byte[] data, LZMA2Options options) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (XZOutputStream out = new XZOutputStream(bos, options)) {
            out.write(data);
        }
        return bos.toByteArray();
    }

    static byte[] zstd(byte[] data) {
        ZstdCompressor z = new ZstdCompressor();
        byte[] out = new byte[z.maxCompressedLength(data.length)];
        return Arrays.copyOf(out, z.compress(data, 0, data.length, out, 0, out.length));
    }

    private static void roundTrip(ContentDecoder d, byte[] compressed, byte[] plain) {
        ContentObject o = root(compressed);
        assertTrue(d.accepts(o), d.name());
        d.decode(o, ctx());
        assertEquals(1, o.children().size(), o.notes().toString());
        assertEquals(d.name(), o.children().get(0).layer());
        assertArrayEquals(plain, o.children().get(0).toByteArray());
        assertTrue(o.notes().isEmpty(), o.notes().toString());
    }

    private static void truncated(ContentDecoder d, byte[] compressed, byte[] plain) {
        ContentObject o = root(Arrays.copyOf(compressed, compressed.length * 2 / 3));
        d.decode(o, ctx());
        assertTrue(anyNoteStartsWith(o, "corrupt: " + d.name()), d.name() + " " + o.notes());
        if (!o.children().isEmpty()) {
            ContentObject c = o.children().get(0);
            assertTrue(c.truncated());
            assertArrayEquals(Arrays.copyOf(plain, c.length()), c.toByteArray());
        }
    }

    @Test
    void zlib() {
        byte[] plain = text(40_000);
        roundTrip(new ZlibDecoder(), DecodeFixtures.zlib(plain), plain);
        truncated(new ZlibDecoder(), DecodeFixtures.zlib(plain), plain);
    }

    @Test
    void zlibNeedsAValidHeader() {
        ZlibDecoder d = new ZlibDecoder();
        assertFalse(d.accepts(root(ascii("xylophone music"))));
        // "x^" passes the check bits; text that starts so is tried and, failing, left silently.
        ContentObject o = root(ascii("x^2 + y^2 = z^2 is a famous equation"));
        if (d.accepts(o)) {
            d.decode(o, ctx());
        }
        assertTrue(o.children().isEmpty());
        assertTrue(o.notes().isEmpty(), o.notes().toString());
    }

    @Test
    void zstdFrames() throws IOException {
        byte[] plain = text(90_000);
        roundTrip(new ZstdDecoder(), zstd(plain), plain);
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.write(zstd(ascii("frame one|")));
        two.write(zstd(ascii("frame two")));
        roundTrip(new ZstdDecoder(), two.toByteArray(), ascii("frame one|frame two"));
        truncated(new ZstdDecoder(), zstd(random(100_000, 2)), random(100_000, 2));
    }

    @Test
    void bzip2Stream() throws IOException {
        byte[] plain = text(120_000);
        roundTrip(new Bzip2Decoder(), bzip2(plain), plain);
        truncated(new Bzip2Decoder(), bzip2(random(300_000, 9)), random(300_000, 9));
    }

    @Test
    void xzStream() throws IOException {
        byte[] plain = text(120_000);
        roundTrip(new XzDecoder(), xz(plain, new LZMA2Options()), plain);
        truncated(new XzDecoder(), xz(random(200_000, 5), new LZMA2Options()), random(200_000, 5));
    }

    @Test
    void xzDictionaryBeyondTheMemoryLimitIsADecodeLimit() throws IOException {
        // Patch the LZMA2 dictionary property in the block header to 1 GiB (props byte 36), fixing its CRC:
        // a 40-byte file that asks the decoder for gigabytes.
        byte[] x = xz(ascii("tiny"), new LZMA2Options());
        int h = 12;
        int size = ((x[h] & 0xff) + 1) * 4;
        assertEquals(0x21, x[h + 2]);
        x[h + 4] = 36;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(x, h, size - 4);
        long v = crc.getValue();
        for (int i = 0; i < 4; i++) {
            x[h + size - 4 + i] = (byte) (v >>> (8 * i));
        }
        ContentObject o = root(x);
        new XzDecoder().decode(o, ctx());
        assertTrue(o.children().isEmpty());
        assertTrue(o.notes().stream().anyMatch(n -> n.startsWith("decode-limit: xz") && n.contains("memory")),
                o.notes().toString());
    }

    @Test
    void everyPrefixOfEveryFormatIsSafe() throws IOException {
        byte[] plain = text(4000);
        ContentDecoder[] ds = {new ZlibDecoder(), new ZstdDecoder(), new Bzip2Decoder(), new XzDecoder()};
        byte[][] data = {DecodeFixtures.zlib(plain), zstd(plain), bzip2(plain), xz(plain, new LZMA2Options())};
        for (int k = 0; k < ds.length; k++) {
            for (int cut = 0; cut < data[k].length; cut++) {
                ContentObject o = root(Arrays.copyOf(data[k], cut));
                if (ds[k].accepts(o)) {
                    ds[k].decode(o, ctx());
                    for (ContentObject c : o.children()) {
                        assertArrayEquals(Arrays.copyOf(plain, c.length()), c.toByteArray(), ds[k].name() + " cut " + cut);
                    }
                }
            }
        }
    }
}
