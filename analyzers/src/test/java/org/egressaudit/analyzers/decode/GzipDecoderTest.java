package org.egressaudit.analyzers.decode;

import static org.egressaudit.analyzers.decode.DecodeFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.egressaudit.analyzers.content.ContentObject;
import org.junit.jupiter.api.Test;

class GzipDecoderTest {
    private final GzipDecoder decoder = new GzipDecoder();

    @Test
    void decodesSingleMember() {
        byte[] plain = text(50_000);
        ContentObject o = root(gzip(plain));
        assertTrue(decoder.accepts(o));
        decoder.decode(o, ctx());
        assertEquals(1, o.children().size());
        ContentObject c = o.children().get(0);
        assertArrayEquals(plain, c.toByteArray());
        assertEquals("gzip", c.layer());
        assertFalse(c.truncated());
        assertTrue(o.notes().isEmpty(), o.notes().toString());
    }

    @Test
    void followsConcatenatedMembers() throws IOException {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(gzip(ascii("first member|")));
        both.write(gzip(ascii("second member")));
        ContentObject o = root(both.toByteArray());
        decoder.decode(o, ctx());
        assertEquals("first member|second member", new String(o.children().get(0).toByteArray()));
        assertTrue(o.notes().isEmpty(), o.notes().toString());
    }

    @Test
    void childIsNamedByTheHeaderFileName() {
        byte[] g = gzip(ascii("payload bytes here"));
        // Rebuild with FNAME: flags bit 3 and a zero-terminated name after the 10-byte header.
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(g, 0, 3);
        b.write(8);
        b.write(g, 4, 6);
        b.writeBytes(ascii("report.docx"));
        b.write(0);
        b.write(g, 10, g.length - 10);
        ContentObject o = root(b.toByteArray());
        decoder.decode(o, ctx());
        assertEquals("report.docx", o.children().get(0).name());
        assertEquals("payload bytes here", new String(o.children().get(0).toByteArray()));
    }

    @Test
    void truncatedStreamKeepsPartialOutputWithNote() {
        byte[] plain = random(200_000, 1);
        byte[] g = gzip(plain);
        ContentObject o = root(Arrays.copyOf(g, g.length / 2));
        decoder.decode(o, ctx());
        ContentObject c = o.children().get(0);
        assertTrue(c.truncated());
        assertTrue(c.length() > 50_000, "kept " + c.length());
        assertArrayEquals(Arrays.copyOf(plain, c.length()), c.toByteArray());
        assertTrue(anyNoteStartsWith(o, "corrupt: gzip"), o.notes().toString());
    }

    @Test
    void everyTruncationIsHandledWithoutThrowing() {
        byte[] g = gzip(text(3000));
        for (int cut = 0; cut <= g.length; cut++) {
            ContentObject o = root(Arrays.copyOf(g, cut));
            if (decoder.accepts(o)) {
                decoder.decode(o, ctx());
                if (cut < g.length) {
                    assertFalse(o.notes().isEmpty(), "cut at " + cut);
                }
            }
        }
    }

    @Test
    void crcMismatchIsNoted() {
        byte[] g = gzip(ascii("some content to protect with a crc"));
        g[g.length - 8] ^= 1;
        ContentObject o = root(g);
        decoder.decode(o, ctx());
        assertTrue(o.notes().stream().anyMatch(n -> n.contains("CRC mismatch")), o.notes().toString());
        assertTrue(o.children().get(0).truncated());
    }

    @Test
    void gigabyteBombStopsAtTheObjectLimit() throws IOException {
        // 2 GiB of zeros, compressed while streaming; only the ~2 MB of compressed output is held.
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        byte[] zeros = new byte[1 << 20];
        try (OutputStream gz = new GZIPOutputStream(bos, 1 << 16)) {
            for (int i = 0; i < 2048; i++) {
                gz.write(zeros);
            }
        }
        byte[] bomb = bos.toByteArray();
        assertTrue(bomb.length < 4 << 20, "bomb is " + bomb.length);
        ContentObject o = root(bomb);
        DecodeContext ctx = ctx();
        decoder.decode(o, ctx);
        ContentObject c = o.children().get(0);
        assertTrue(c.truncated());
        assertEquals(DecodeLimits.DEFAULTS.maxObjectBytes(), c.length());
        assertTrue(o.notes().stream().anyMatch(n -> n.startsWith("decode-limit: gzip output exceeds")), o.notes().toString());
    }

    @Test
    void expansionRatioBombIsNoted() throws IOException {
        DecodeLimits limits = new DecodeLimits(12, 64 << 20, 512L << 20, 100, 10_000, 24);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(new byte[16 << 20]);
        }
        ContentObject o = root(bos.toByteArray());
        decoder.decode(o, new DecodeContext(limits));
        ContentObject c = o.children().get(0);
        assertTrue(c.truncated());
        assertTrue(c.length() <= Math.max(1 << 20, 100L * o.length()));
        assertTrue(o.notes().stream().anyMatch(n -> n.startsWith("decode-limit: gzip output exceeds 100x its")
                && n.endsWith("(decompression bomb)")), o.notes().toString());
    }

    @Test
    void smallHighRatioOutputIsNotABomb() {
        // 1 MiB of zeros is ~1000x but under the 1 MiB floor: decoded whole.
        ContentObject o = root(gzip(new byte[1 << 20]));
        decoder.decode(o, new DecodeContext(new DecodeLimits(12, 64 << 20, 512L << 20, 10, 10_000, 24)));
        assertEquals(1 << 20, o.children().get(0).length());
        assertFalse(o.children().get(0).truncated());
    }

    @Test
    void exhaustedBudgetAddsNoChild() {
        DecodeLimits limits = new DecodeLimits(12, 4096, 8192, 1000, 10_000, 24);
        DecodeContext ctx = new DecodeContext(limits);
        ContentObject first = root(gzip(random(8192, 3)));
        decoder.decode(first, ctx);
        assertEquals(4096, first.children().get(0).length());
        ContentObject second = root(gzip(random(8192, 4)));
        decoder.decode(second, ctx);
        ContentObject third = root(gzip(random(8192, 5)));
        decoder.decode(third, ctx);
        assertTrue(third.children().isEmpty());
        assertTrue(anyNoteStartsWith(third, "decode-limit:"), third.notes().toString());
    }

    @Test
    void trailingGarbageIsNoted() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(gzip(ascii("content")));
        b.write(ascii("appended secret data"));
        ContentObject o = root(b.toByteArray());
        decoder.decode(o, ctx());
        assertEquals("content", new String(o.children().get(0).toByteArray()));
        assertTrue(o.notes().stream().anyMatch(n -> n.contains("trailing data")), o.notes().toString());
    }

    @Test
    void rejectsNonGzip() {
        assertFalse(decoder.accepts(root(ascii("plain text, not compressed"))));
        assertFalse(decoder.accepts(root(new byte[] {0x1f, (byte) 0x8b})));
    }
}
