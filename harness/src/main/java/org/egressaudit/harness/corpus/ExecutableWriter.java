package org.egressaudit.harness.corpus;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Tiny, structurally valid executables that really run and do nothing: a PE32 console program ({@code mov eax,0;
 * ret}) and an ELF64 x86-64 program ({@code exit(0)} by syscall). Their read-only data section holds the given
 * payload (a signature string, random filler), which is what makes each sample distinct and sized.
 */
final class ExecutableWriter {
    /** 2017-01-01T00:00:00Z, the link time every generated PE claims. */
    private static final int TIMESTAMP = 0x58684E00;
    private static final int PE_OFFSET = 0x80;
    private static final int FILE_ALIGN = 0x200;
    private static final int SECTION_ALIGN = 0x1000;
    private static final int PE_IMAGE_BASE = 0x400000;
    private static final long ELF_BASE = 0x400000L;

    private ExecutableWriter() {
    }

    static byte[] pe32(byte[] rdata) {
        byte[] code = {(byte) 0xB8, 0, 0, 0, 0, (byte) 0xC3}; // mov eax, 0 ; ret
        int textRaw = align(code.length, FILE_ALIGN);
        int rdataRaw = align(rdata.length, FILE_ALIGN);
        int rdataRva = SECTION_ALIGN + align(code.length, SECTION_ALIGN);
        int sizeOfImage = rdataRva + align(rdata.length, SECTION_ALIGN);
        ByteBuffer b = le(FILE_ALIGN + textRaw + rdataRaw);
        // DOS header and the classic stub that prints "This program cannot be run in DOS mode."
        b.putShort(0, (short) 0x5A4D).putShort(2, (short) 0x90).putShort(4, (short) 3).putShort(8, (short) 4)
                .putShort(12, (short) 0xFFFF).putShort(16, (short) 0xB8).putShort(24, (short) 0x40)
                .putInt(0x3C, PE_OFFSET);
        b.position(0x40);
        b.put(new byte[] {0x0E, 0x1F, (byte) 0xBA, 0x0E, 0x00, (byte) 0xB4, 0x09, (byte) 0xCD, 0x21, (byte) 0xB8, 0x01,
                0x4C, (byte) 0xCD, 0x21});
        b.put("This program cannot be run in DOS mode.\r\r\n$".getBytes(StandardCharsets.US_ASCII));
        // PE signature and COFF header: i386, 2 sections, executable, 32-bit, relocations stripped.
        b.position(PE_OFFSET);
        b.putInt(0x00004550).putShort((short) 0x14C).putShort((short) 2).putInt(TIMESTAMP).putInt(0).putInt(0)
                .putShort((short) 224).putShort((short) 0x0103);
        // Optional header (PE32).
        b.putShort((short) 0x10B).put((byte) 14).put((byte) 0).putInt(textRaw).putInt(rdataRaw).putInt(0)
                .putInt(SECTION_ALIGN).putInt(SECTION_ALIGN).putInt(rdataRva).putInt(PE_IMAGE_BASE)
                .putInt(SECTION_ALIGN).putInt(FILE_ALIGN).putShort((short) 6).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0).putShort((short) 6).putShort((short) 0).putInt(0)
                .putInt(sizeOfImage).putInt(FILE_ALIGN).putInt(0).putShort((short) 3).putShort((short) 0x0100)
                .putInt(0x100000).putInt(0x1000).putInt(0x100000).putInt(0x1000).putInt(0).putInt(16);
        b.position(b.position() + 16 * 8); // data directories: no imports, no resources, nothing
        section(b, ".text", code.length, SECTION_ALIGN, textRaw, FILE_ALIGN, 0x60000020);
        section(b, ".rdata", rdata.length, rdataRva, rdataRaw, FILE_ALIGN + textRaw, 0x40000040);
        b.position(FILE_ALIGN);
        b.put(code);
        for (int i = code.length; i < textRaw; i++) {
            b.put((byte) 0xCC); // int3 padding, as linkers write
        }
        b.position(FILE_ALIGN + textRaw);
        b.put(rdata);
        return b.array();
    }

    private static void section(ByteBuffer b, String name, int virtualSize, int rva, int rawSize, int rawPtr,
                                int characteristics) {
        byte[] n = new byte[8];
        byte[] s = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, n, 0, s.length);
        b.put(n).putInt(virtualSize).putInt(rva).putInt(rawSize).putInt(rawPtr).putInt(0).putInt(0)
                .putShort((short) 0).putShort((short) 0).putInt(characteristics);
    }

    static byte[] elf64(byte[] rodata) {
        byte[] code = {(byte) 0xB8, 0x3C, 0, 0, 0, 0x31, (byte) 0xFF, 0x0F, 0x05}; // exit(0): mov eax,60; xor edi,edi; syscall
        byte[] shstrtab = "\0.text\0.rodata\0.shstrtab\0".getBytes(StandardCharsets.US_ASCII);
        int codeOff = 64 + 56;
        int rodataOff = align(codeOff + code.length, 16);
        int loadEnd = rodataOff + rodata.length;
        int shstrOff = loadEnd;
        int shOff = align(shstrOff + shstrtab.length, 8);
        ByteBuffer b = le(shOff + 4 * 64);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1, 0}).position(16);
        b.putShort((short) 2).putShort((short) 0x3E).putInt(1).putLong(ELF_BASE + codeOff).putLong(64).putLong(shOff)
                .putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) 1).putShort((short) 64)
                .putShort((short) 4).putShort((short) 3);
        // One PT_LOAD, read+execute, mapping the file from offset 0 at the base address.
        b.putInt(1).putInt(5).putLong(0).putLong(ELF_BASE).putLong(ELF_BASE).putLong(loadEnd).putLong(loadEnd)
                .putLong(0x1000);
        b.put(code);
        b.position(rodataOff).put(rodata);
        b.position(shstrOff).put(shstrtab);
        b.position(shOff + 64); // section 0 is the null section
        elfSection(b, 1, 1, 6, ELF_BASE + codeOff, codeOff, code.length, 16);
        elfSection(b, 7, 1, 2, ELF_BASE + rodataOff, rodataOff, rodata.length, 16);
        elfSection(b, 15, 3, 0, 0, shstrOff, shstrtab.length, 1);
        return b.array();
    }

    private static void elfSection(ByteBuffer b, int name, int type, long flags, long addr, long off, long size,
                                   long align) {
        b.putInt(name).putInt(type).putLong(flags).putLong(addr).putLong(off).putLong(size).putInt(0).putInt(0)
                .putLong(align).putLong(0);
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int align(int v, int a) {
        return (v + a - 1) / a * a;
    }
}
