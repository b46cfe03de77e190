package org.egressaudit.analyzers.decode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.egressaudit.analyzers.content.ContentObject;

/** Real test data made with real encoders, and small helpers shared by the decoder tests. */
final class DecodeFixtures {
    private DecodeFixtures() {
    }

    static ContentObject root(byte[] data) {
        return ContentObject.root("http-body", null, data, Map.of());
    }

    static ContentObject root(byte[] data, Map<String, String> hints) {
        return ContentObject.root("http-body", null, data, hints);
    }

    static DecodeContext ctx() {
        return new DecodeContext(DecodeLimits.DEFAULTS);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Compressible but not trivial: words with numbers. */
    static byte[] text(int n) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (sb.length() < n) {
            sb.append("line ").append(i++).append(" of the quarterly planning memo, do not distribute\n");
        }
        return ascii(sb.substring(0, n));
    }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
                gz.write(data);
            }
            return bos.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] zlib(byte[] data) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (DeflaterOutputStream z = new DeflaterOutputStream(bos)) {
                z.write(data);
            }
            return bos.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] rawDeflate(byte[] data) {
        Deflater def = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (DeflaterOutputStream z = new DeflaterOutputStream(bos, def)) {
                z.write(data);
            }
            return bos.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            def.end();
        }
    }

    /** A zip of (name, bytes) pairs; deflated entries are written with data descriptors by ZipOutputStream. */
    static byte[] zip(boolean stored, Object... nameThenBytes) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (ZipOutputStream z = new ZipOutputStream(bos)) {
                for (int i = 0; i < nameThenBytes.length; i += 2) {
                    byte[] b = (byte[]) nameThenBytes[i + 1];
                    ZipEntry e = new ZipEntry((String) nameThenBytes[i]);
                    if (stored) {
                        e.setMethod(ZipEntry.STORED);
                        e.setSize(b.length);
                        e.setCompressedSize(b.length);
                        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                        crc.update(b);
                        e.setCrc(crc.getValue());
                    }
                    z.putNextEntry(e);
                    z.write(b);
                    z.closeEntry();
                }
            }
            return bos.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A minimal but well-formed OOXML word document. */
    static byte[] docx() {
        return zip(false,
                "[Content_Types].xml", utf8("<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/"
                        + "package/2006/content-types\"><Override PartName=\"/word/document.xml\" ContentType=\"application/"
                        + "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"),
                "_rels/.rels", utf8("<?xml version=\"1.0\"?><Relationships/>"),
                "word/document.xml", utf8("<?xml version=\"1.0\"?><w:document><w:body><w:p><w:r><w:t>Quarterly "
                        + "planning memo 7f3a</w:t></w:r></w:p></w:body></w:document>"));
    }

    /** A PE image header: MZ, e_lfanew = 0x80, "PE\0\0", i386 COFF header, then filler. */
    static byte[] pe(int size) {
        byte[] b = random(size, 77);
        b[0] = 'M';
        b[1] = 'Z';
        b[0x3c] = (byte) 0x80;
        b[0x3d] = 0;
        b[0x3e] = 0;
        b[0x3f] = 0;
        b[0x80] = 'P';
        b[0x81] = 'E';
        b[0x82] = 0;
        b[0x83] = 0;
        b[0x84] = 0x4c;
        b[0x85] = 0x01;
        return b;
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xff));
        }
        return sb.toString();
    }

    static boolean anyNoteStartsWith(ContentObject o, String prefix) {
        return o.notes().stream().anyMatch(n -> n.startsWith(prefix));
    }
}
