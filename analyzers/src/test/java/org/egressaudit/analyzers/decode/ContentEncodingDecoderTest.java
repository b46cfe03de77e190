package org.egressaudit.analyzers.decode;

import static org.egressaudit.analyzers.decode.DecodeFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.airlift.compress.zstd.ZstdCompressor;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;
import org.junit.jupiter.api.Test;

class ContentEncodingDecoderTest {
    private final ContentEncodingDecoder decoder = new ContentEncodingDecoder();

    private static ContentObject encoded(byte[] body, String encoding) {
        return root(body, Map.of("content-encoding", encoding, "content-type", "application/json"));
    }

    /**
     * A brotli stream of uncompressed meta-blocks (RFC 7932 section 9.2, ISUNCOMPRESSED), written bit by bit:
     * no Java brotli encoder is available, and the format's stored mode is simple enough to write exactly.
     */
    static byte[] brotliStored(byte[] data) {
        BitWriter w = new BitWriter();
        w.bits(0, 1); // WBITS = 16
        for (int off = 0; off < data.length; off += 65536) {
            int len = Math.min(65536, data.length - off);
            w.bits(0, 1); // ISLAST = 0
            w.bits(0, 2); // MNIBBLES = 4
            w.bits(len - 1, 16); // MLEN - 1
            w.bits(1, 1); // ISUNCOMPRESSED
            w.align();
            w.bytes(data, off, len);
        }
        w.bits(1, 1); // ISLAST
        w.bits(1, 1); // ISLASTEMPTY
        w.align();
        return w.out.toByteArray();
    }

    private static final class BitWriter {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int acc;
        int n;

        void bits(int value, int count) {
            for (int i = 0; i < count; i++) {
                acc |= ((value >> i) & 1) << n;
                if (++n == 8) {
                    out.write(acc);
                    acc = 0;
                    n = 0;
                }
            }
        }

        void align() {
            if (n > 0) {
                out.write(acc);
                acc = 0;
                n = 0;
            }
        }

        void bytes(byte[] b, int off, int len) {
            out.write(b, off, len);
        }
    }

    @Test
    void gzipAndItsAlias() {
        byte[] plain = utf8("{\"memo\":\"quarterly planning\"}");
        for (String enc : new String[] {"gzip", "x-gzip", "GZIP"}) {
            ContentObject o = encoded(gzip(plain), enc);
            assertTrue(decoder.accepts(o));
            decoder.decode(o, ctx());
            ContentObject c = o.children().get(0);
            assertArrayEquals(plain, c.toByteArray());
            assertEquals("gzip", c.layer());
            assertEquals("application/json", c.hint("content-type"));
            assertNull(c.hint("content-encoding"));
        }
    }

    @Test
    void deflateIsZlibOrRaw() {
        byte[] plain = text(10_000);
        for (byte[] body : new byte[][] {zlib(plain), rawDeflate(plain)}) {
            ContentObject o = encoded(body, "deflate");
            decoder.decode(o, ctx());
            assertEquals(1, o.children().size(), o.notes().toString());
            assertArrayEquals(plain, o.children().get(0).toByteArray());
            assertEquals("deflate", o.children().get(0).layer());
            assertTrue(o.notes().isEmpty(), o.notes().toString());
        }
    }

    @Test
    void brotli() {
        byte[] plain = text(100_000);
        ContentObject o = encoded(brotliStored(plain), "br");
        decoder.decode(o, ctx());
        assertEquals("br", o.children().get(0).layer());
        assertArrayEquals(plain, o.children().get(0).toByteArray());
    }

    @Test
    void truncatedBrotliKeepsWhatDecoded() {
        byte[] plain = text(200_000);
        byte[] br = brotliStored(plain);
        ContentObject o = encoded(Arrays.copyOf(br, 150_000), "br");
        decoder.decode(o, ctx());
        ContentObject c = o.children().get(0);
        assertTrue(c.truncated());
        assertTrue(c.length() >= 65536, "kept " + c.length());
        assertArrayEquals(Arrays.copyOf(plain, c.length()), c.toByteArray());
        assertTrue(anyNoteStartsWith(o, "corrupt: br"), o.notes().toString());
    }

    @Test
    void zstd() {
        byte[] plain = text(70_000);
        ZstdCompressor z = new ZstdCompressor();
        byte[] out = new byte[z.maxCompressedLength(plain.length)];
        int n = z.compress(plain, 0, plain.length, out, 0, out.length);
        ContentObject o = encoded(Arrays.copyOf(out, n), "zstd");
        decoder.decode(o, ctx());
        assertEquals("zstd", o.children().get(0).layer());
        assertArrayEquals(plain, o.children().get(0).toByteArray());
    }

    @Test
    void stackedCodingsAreUndoneLastFirstOneStepPerChild() {
        byte[] plain = text(5000);
        ContentObject o = encoded(brotliStored(gzip(plain)), "gzip, identity, br");
        decoder.decode(o, ctx());
        ContentObject br = o.children().get(0);
        assertEquals("br", br.layer());
        assertEquals("gzip", br.hint("content-encoding"));
        assertEquals("application/json", br.hint("content-type"));
        assertTrue(decoder.accepts(br));
        decoder.decode(br, ctx());
        ContentObject gz = br.children().get(0);
        assertEquals("gzip", gz.layer());
        assertArrayEquals(plain, gz.toByteArray());
        assertFalse(decoder.accepts(gz));
        assertEquals("http-body > br > gzip", String.join(" > ", gz.chain()));
    }

    @Test
    void identityOnlyIsNotAccepted() {
        assertFalse(decoder.accepts(encoded(ascii("plain"), "identity")));
        assertFalse(decoder.accepts(root(ascii("plain"))));
    }

    @Test
    void unknownCodingIsNotedWithoutChild() {
        ContentObject o = encoded(ascii("whatever"), "aes128gcm");
        decoder.decode(o, ctx());
        assertTrue(o.children().isEmpty());
        assertTrue(o.notes().get(0).contains("aes128gcm"), o.notes().toString());
    }

    @Test
    void declaredGzipThatIsNotCompressedLeavesNoChild() {
        ContentObject o = encoded(ascii("this body was never compressed at all, whatever the header says"), "gzip");
        decoder.decode(o, ctx());
        assertTrue(o.children().isEmpty());
        assertTrue(anyNoteStartsWith(o, "corrupt: gzip"), o.notes().toString());
    }
}
