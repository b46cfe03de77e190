package org.egressaudit.analyzers.content;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry;
import org.apache.commons.compress.archivers.sevenz.SevenZOutputFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

class FileTypeSnifferTest {

    private static FileType sniff(byte[] b) {
        return FileTypeSniffer.sniff(b, 0, b.length, null);
    }

    private static FileType sniff(String s) {
        return sniff(s.getBytes(StandardCharsets.UTF_8));
    }

    private static FileType sniff(String s, String name) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return FileTypeSniffer.sniff(b, 0, b.length, name);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static byte[] withPrefix(int n, int... prefix) {
        byte[] b = random(n);
        for (int i = 0; i < prefix.length; i++) {
            b[i] = (byte) prefix[i];
        }
        return b;
    }

    private static byte[] zip(String... namesAndContents) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                ZipEntry e = new ZipEntry(namesAndContents[i]);
                if (namesAndContents[i].equals("mimetype")) {
                    byte[] b = namesAndContents[i + 1].getBytes(StandardCharsets.US_ASCII);
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(b.length);
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(b);
                    e.setCrc(crc.getValue());
                }
                z.putNextEntry(e);
                z.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return bos.toByteArray();
    }

    @Test
    void executables() {
        byte[] pe = random(1024);
        pe[0] = 'M';
        pe[1] = 'Z';
        pe[0x3c] = (byte) 0x80;
        pe[0x3d] = pe[0x3e] = pe[0x3f] = 0;
        pe[0x80] = 'P';
        pe[0x81] = 'E';
        pe[0x82] = pe[0x83] = 0;
        assertEquals(FileType.PE, sniff(pe));
        pe[0x81] = 'X';
        assertNotEquals(FileType.PE, sniff(pe), "MZ without the PE signature at e_lfanew");
        assertEquals(FileType.PE, sniff(Arrays.copyOf(withPeHeaderAt(0x100), 0x90)), "truncated before e_lfanew");
        assertEquals(FileType.TEXT, sniff("MZ is how the memo starts, not an executable at all."));
        assertEquals(FileType.ELF, sniff(withPrefix(64, 0x7f, 'E', 'L', 'F', 2, 1, 1)));
        assertEquals(FileType.MACH_O, sniff(withPrefix(64, 0xCF, 0xFA, 0xED, 0xFE)));
        assertEquals(FileType.MACH_O, sniff(withPrefix(64, 0xFE, 0xED, 0xFA, 0xCE)));
        assertEquals(FileType.MACH_O, sniff(withPrefix(64, 0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 2, 0x01, 0, 0, 0x07)));
        // Java class file: same magic, minor 0 major 52.
        assertNotEquals(FileType.MACH_O, sniff(withPrefix(64, 0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 0x34)));
    }

    private static byte[] withPeHeaderAt(int at) {
        byte[] b = random(at + 64);
        b[0] = 'M';
        b[1] = 'Z';
        b[0x3c] = (byte) at;
        b[0x3d] = (byte) (at >> 8);
        b[0x3e] = b[0x3f] = 0;
        return b;
    }

    @Test
    void officeDocumentsByZipEntryNames() throws IOException {
        String ct = "<?xml version=\"1.0\"?><Types/>";
        assertEquals(FileType.DOCX, sniff(zip("[Content_Types].xml", ct, "_rels/.rels", "x", "word/document.xml", "<w/>")));
        assertEquals(FileType.XLSX, sniff(zip("[Content_Types].xml", ct, "xl/workbook.xml", "<w/>")));
        assertEquals(FileType.PPTX, sniff(zip("[Content_Types].xml", ct, "ppt/presentation.xml", "<p/>")));
        assertEquals(FileType.ZIP, sniff(zip("word/document.xml", "<w/>")), "no [Content_Types].xml");
        assertEquals(FileType.ZIP, sniff(zip("a.txt", "hello")));
        assertEquals(FileType.ODF, sniff(zip("mimetype", "application/vnd.oasis.opendocument.text", "content.xml", "<x/>")));
        // A capture cut right after the second local header's name has no central directory: still a docx.
        byte[] docx = zip("[Content_Types].xml", ct, "word/document.xml", "<w/>");
        int at = new String(docx, StandardCharsets.ISO_8859_1).indexOf("word/document.xml");
        assertEquals(FileType.DOCX, sniff(Arrays.copyOf(docx, at + "word/document.xml".length())));
        assertEquals(FileType.ZIP, sniff(Arrays.copyOf(docx, at)), "only [Content_Types].xml seen so far");
    }

    @Test
    void archivesAndCompression() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
            g.write(random(100));
        }
        assertEquals(FileType.GZIP, sniff(gz.toByteArray()));
        ByteArrayOutputStream bz = new ByteArrayOutputStream();
        try (BZip2CompressorOutputStream b = new BZip2CompressorOutputStream(bz)) {
            b.write(random(100));
        }
        assertEquals(FileType.BZIP2, sniff(bz.toByteArray()));
        ByteArrayOutputStream xz = new ByteArrayOutputStream();
        try (XZOutputStream x = new XZOutputStream(xz, new LZMA2Options())) {
            x.write(random(100));
        }
        assertEquals(FileType.XZ, sniff(xz.toByteArray()));
        assertEquals(FileType.ZSTD, sniff(withPrefix(32, 0x28, 0xB5, 0x2F, 0xFD)));
        SeekableInMemoryByteChannel ch = new SeekableInMemoryByteChannel();
        try (SevenZOutputFile z = new SevenZOutputFile(ch)) {
            SevenZArchiveEntry e = new SevenZArchiveEntry();
            e.setName("a");
            z.putArchiveEntry(e);
            z.write(random(10));
            z.closeArchiveEntry();
        }
        assertEquals(FileType.SEVEN_ZIP, sniff(Arrays.copyOf(ch.array(), (int) ch.size())));
        assertEquals(FileType.RAR, sniff(withPrefix(32, 'R', 'a', 'r', '!', 0x1a, 7, 0)));
        assertEquals(FileType.RAR, sniff(withPrefix(32, 'R', 'a', 'r', '!', 0x1a, 7, 1, 0)));
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(tar)) {
            TarArchiveEntry e = new TarArchiveEntry("memo.txt");
            e.setSize(5);
            t.putArchiveEntry(e);
            t.write("hello".getBytes());
            t.closeArchiveEntry();
        }
        byte[] ustar = tar.toByteArray();
        assertEquals(FileType.TAR, sniff(ustar));
        // v7: no magic, only the header checksum vouches for it.
        byte[] v7 = Arrays.copyOf(ustar, 1024);
        Arrays.fill(v7, 257, 265, (byte) 0);
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : v7[i] & 0xff;
        }
        byte[] chk = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, v7, 148, 8);
        assertEquals(FileType.TAR, sniff(v7));
        v7[0] ^= 1;
        assertNotEquals(FileType.TAR, sniff(v7));
    }

    @Test
    void documentsAndImages() {
        assertEquals(FileType.PDF, sniff("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n<<>>\nendobj\n"));
        assertEquals(FileType.OLE2, sniff(withPrefix(512, 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1)));
        assertEquals(FileType.RTF, sniff("{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Memo}"));
        assertEquals(FileType.PNG, sniff(withPrefix(64, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)));
        assertEquals(FileType.JPEG, sniff(withPrefix(64, 0xFF, 0xD8, 0xFF, 0xE0)));
        assertEquals(FileType.GIF, sniff(withPrefix(64, 'G', 'I', 'F', '8', '9', 'a')));
        byte[] bmp = withPrefix(200, 'B', 'M', 200, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0);
        assertEquals(FileType.BMP, sniff(bmp));
        assertNotEquals(FileType.BMP, sniff("BM is not a bitmap when it is a sentence like this one"));
        byte[] webp = withPrefix(64, 'R', 'I', 'F', 'F', 56, 0, 0, 0, 'W', 'E', 'B', 'P');
        assertEquals(FileType.WEBP, sniff(webp));
    }

    @Test
    void scripts() {
        assertEquals(FileType.SCRIPT, sniff("#!/bin/sh\nrm -rf /tmp/x\n"));
        assertEquals(FileType.SCRIPT, sniff("#!/usr/bin/env python3\nprint('hi')\n"));
        assertEquals(FileType.SCRIPT, sniff("Write-Output 'hello'\n", "C:\\Users\\a\\run.ps1"));
        assertEquals(FileType.SCRIPT, sniff("@echo off\r\ncopy a b\r\n"));
        assertEquals(FileType.SCRIPT, sniff("echo hello", "x.bat"));
        assertEquals(FileType.SCRIPT, sniff("Set shell = CreateObject(\"WScript.Shell\")\n"));
        assertEquals(FileType.SCRIPT, sniff("var a = 1;", "payload.js"));
        byte[] binary = random(2000);
        assertEquals(FileType.UNKNOWN, FileTypeSniffer.sniff(binary, 0, binary.length, "evil.ps1"),
                "a name does not make random bytes a script");
    }

    @Test
    void structuredText() {
        assertEquals(FileType.JSON, sniff("{\"a\": [1, 2.5e3, true, null, \"x\\\"y\"], \"b\": {}}"));
        assertEquals(FileType.JSON, sniff("[{\"id\":1},{\"id\":2}]"));
        assertEquals(FileType.JSON, sniff("{\"event\":1}\n{\"event\":2}\n"), "NDJSON");
        assertEquals(FileType.TEXT, sniff("{this is not json, just braces}"));
        String big = "{\"items\":[" + "{\"k\":\"value\"},".repeat(10_000) + "{}]}";
        byte[] b = big.getBytes(StandardCharsets.UTF_8);
        assertEquals(FileType.JSON, sniff(b));
        assertEquals(FileType.JSON, FileTypeSniffer.sniff(b, 0, 70_000, null), "cut beyond the sample: still JSON");
        assertEquals(FileType.XML, sniff("<?xml version=\"1.0\"?><root><a>1</a></root>"));
        assertEquals(FileType.XML, sniff("<config><item name=\"x\"/></config>"));
        assertEquals(FileType.HTML, sniff("<!DOCTYPE html><html><head><title>x</title></head><body></body></html>"));
        assertEquals(FileType.HTML, sniff("<html><body>hi</body></html>"));
        assertEquals(FileType.CSV, sniff("name,dept,salary\nalice,eng,100\nbob,\"sales, west\",90\ncarol,ops,80\n"));
        assertEquals(FileType.CSV, sniff("a;b;c\n1;2;3\n"));
    }

    @Test
    void sourceCode() {
        assertEquals(FileType.SOURCE_CODE, sniff("#include <stdio.h>\nint main(void) {\n  return 0;\n}\n"));
        assertEquals(FileType.SOURCE_CODE, sniff("package com.example.secret;\n\nimport java.util.List;\n\npublic class A {}\n"));
        assertEquals(FileType.SOURCE_CODE, sniff("import os\nimport sys\n\ndef main(argv):\n    return 0\n"));
        assertEquals(FileType.SOURCE_CODE, sniff("package main\n\nfunc main() {\n}\n"));
        assertEquals(FileType.SOURCE_CODE, sniff("x = 1\n", "algo.py"));
        assertEquals(FileType.SOURCE_CODE,
                sniff("a = b;\nc = d;\nif (x) {\ny();\n}\nz();\nreturn;\n"), "braces and semicolons");
    }

    @Test
    void proseAndBinary() {
        assertEquals(FileType.TEXT, sniff("Quarterly planning memo.\n\nWe will import more coffee, and the class "
                + "of 2024 will define the next steps. Do not distribute.\n"));
        assertEquals(FileType.TEXT, sniff("Résumé — naïve café, ünïcödé prose is still text.\n"));
        assertEquals(FileType.UNKNOWN, sniff(random(4096)));
        assertEquals(FileType.UNKNOWN, sniff(new byte[0]));
        assertEquals(FileType.UNKNOWN, sniff(new byte[100]), "zeros");
        byte[] utf16 = "hello world".getBytes(StandardCharsets.UTF_16LE);
        assertEquals(FileType.UNKNOWN, sniff(utf16));
    }

    @Test
    void rangesAreRespected() {
        byte[] b = ("padding before " + "%PDF-1.4 rest").getBytes(StandardCharsets.US_ASCII);
        assertEquals(FileType.PDF, FileTypeSniffer.sniff(b, 15, b.length - 15, null));
        assertEquals(FileType.UNKNOWN, FileTypeSniffer.sniff(b, b.length, 0, null));
        assertEquals(FileType.UNKNOWN, FileTypeSniffer.sniff(b, -1, 5, null));
        FileTypeSniffer.sniff(b, 3, 10_000, null); // longer than the array: clamped, no exception
    }

    @Test
    void everyPrefixOfEveryFixtureIsSafe() throws IOException {
        byte[][] fixtures = {zip("[Content_Types].xml", "x", "word/a.xml", "y"), withPeHeaderAt(0x80),
                "{\"a\":[1,2,{\"b\":\"c\"}]}".getBytes(), random(600)};
        for (byte[] f : fixtures) {
            for (int cut = 0; cut <= f.length; cut++) {
                assertNotNull(FileTypeSniffer.sniff(f, 0, cut, "x.docx"));
            }
        }
    }
}
