package org.egressaudit.analyzers.decode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/** Writes zips byte by byte, for the shapes no zip library will make: overlaps, bad flags, odd methods. */
final class RawZip {
    record Member(String name, int method, int flags, byte[] data, int crc, long usize) {
    }

    private final List<Member> members = new ArrayList<>();
    /** Extra central-directory entries that point at the local header of member 0. */
    private int overlappingCopies;

    RawZip add(String name, int method, int flags, byte[] compressed, byte[] plain) {
        CRC32 crc = new CRC32();
        crc.update(plain);
        members.add(new Member(name, method, flags, compressed, (int) crc.getValue(), plain.length));
        return this;
    }

    RawZip overlapping(int copies) {
        this.overlappingCopies = copies;
        return this;
    }

    byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> offsets = new ArrayList<>();
        for (Member m : members) {
            offsets.add(out.size());
            byte[] name = m.name().getBytes(StandardCharsets.UTF_8);
            le32(out, 0x04034b50);
            le16(out, 20);
            le16(out, m.flags());
            le16(out, m.method());
            le32(out, 0);
            le32(out, m.crc());
            le32(out, m.data().length);
            le32(out, (int) m.usize());
            le16(out, name.length);
            le16(out, 0);
            out.writeBytes(name);
            out.writeBytes(m.data());
        }
        int cdStart = out.size();
        int count = 0;
        for (int i = 0; i < members.size(); i++) {
            central(out, members.get(i), members.get(i).name(), offsets.get(i));
            count++;
        }
        for (int k = 0; k < overlappingCopies; k++) {
            central(out, members.get(0), "copy" + k + "/" + members.get(0).name(), offsets.get(0));
            count++;
        }
        int cdSize = out.size() - cdStart;
        le32(out, 0x06054b50);
        le16(out, 0);
        le16(out, 0);
        le16(out, count);
        le16(out, count);
        le32(out, cdSize);
        le32(out, cdStart);
        le16(out, 0);
        return out.toByteArray();
    }

    private static void central(ByteArrayOutputStream out, Member m, String nameStr, int offset) {
        byte[] name = nameStr.getBytes(StandardCharsets.UTF_8);
        le32(out, 0x02014b50);
        le16(out, 20);
        le16(out, 20);
        le16(out, m.flags());
        le16(out, m.method());
        le32(out, 0);
        le32(out, m.crc());
        le32(out, m.data().length);
        le32(out, (int) m.usize());
        le16(out, name.length);
        le16(out, 0);
        le16(out, 0);
        le16(out, 0);
        le16(out, 0);
        le32(out, 0);
        le32(out, offset);
        out.writeBytes(name);
    }

    private static void le16(ByteArrayOutputStream o, int v) {
        o.write(v & 0xff);
        o.write((v >> 8) & 0xff);
    }

    private static void le32(ByteArrayOutputStream o, int v) {
        le16(o, v & 0xffff);
        le16(o, (v >>> 16) & 0xffff);
    }
}
