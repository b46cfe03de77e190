package org.egressaudit.harness.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import org.egressaudit.harness.exec.HostCommand;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Builds real ext4 and FAT images (mkfs.ext4, mkfs.vfat, mtools, debugfs) and reads them back. */
class DataDiskTest {
    @TempDir
    Path dir;

    private byte[] binary;

    private Path source() throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("egress-audit/files/0/nested deeper"));
        Files.createDirectories(src.resolve("egress-audit/out"));
        Files.createDirectories(src.resolve("empty"));
        binary = new byte[300_000];
        new Random(7).nextBytes(binary);
        Files.write(src.resolve("egress-audit/files/0/nested deeper/blob.bin"), binary);
        Files.writeString(src.resolve("egress-audit/run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(src.resolve("egress-audit/run.sh"), PosixFilePermissions.fromString(
                "rwxr-xr-x"));
        Files.writeString(src.resolve("A Long File Name with spaces.txt"), "long name\n");
        Files.write(src.resolve("zero"), new byte[0]);
        return src;
    }

    @ParameterizedTest
    @EnumSource(DataDisk.Format.class)
    void roundTripsNestedFoldersAndBinaryFilesByteForByte(DataDisk.Format format) throws IOException {
        Path img = dir.resolve("data.img");
        DataDisk disk = DataDisk.create(source(), img, format);
        String blkid = HostCommand.of("blkid", "-o", "value", "-s", "LABEL", img.toString()).runChecked()
                .stdoutText().strip();
        assertEquals(DataDisk.defaultLabel(format), blkid);

        Path back = dir.resolve("blob.back");
        assertEquals(binary.length, disk.copyOut("egress-audit/files/0/nested deeper/blob.bin", back, 1 << 20));
        assertArrayEquals(binary, Files.readAllBytes(back));
        assertEquals("#!/bin/sh\necho hi\n", new String(disk.read("/egress-audit/run.sh", 1000),
                StandardCharsets.UTF_8));
        assertEquals("long name\n", new String(disk.read("A Long File Name with spaces.txt", 100),
                StandardCharsets.UTF_8));
        assertEquals(0, disk.read("zero", 10).length);

        List<DataDisk.Entry> top = disk.list("");
        assertTrue(top.contains(new DataDisk.Entry("egress-audit", true, 0)), top::toString);
        assertTrue(top.contains(new DataDisk.Entry("empty", true, 0)), top::toString);
        assertTrue(top.contains(new DataDisk.Entry("A Long File Name with spaces.txt", false, 10)), top::toString);
        assertTrue(top.contains(new DataDisk.Entry("zero", false, 0)), top::toString);
        assertEquals(List.of(), disk.list("empty"));
        assertEquals(List.of(new DataDisk.Entry("blob.bin", false, binary.length)),
                disk.list("/egress-audit/files/0/nested deeper/"));
        assertEquals(List.of(), disk.list("egress-audit/out"));

        // the same image opened again, as after a run
        DataDisk reopened = DataDisk.open(img, format);
        assertArrayEquals(binary, reopened.read("egress-audit/files/0/nested deeper/blob.bin", 1 << 20));
    }

    @Test
    void ext4KeepsModesForTheGuest() throws IOException {
        Path img = dir.resolve("data.img");
        DataDisk.create(source(), img, DataDisk.Format.EXT4);
        String stat = HostCommand.of("debugfs", "-R", "stat /egress-audit/run.sh", img.toString()).runChecked()
                .stdoutText();
        assertTrue(stat.contains("Mode:  0755"), stat);
        String features = HostCommand.of("debugfs", "-R", "features", img.toString()).runChecked().stdoutText();
        assertFalse(features.contains("has_journal"), features);
    }

    @ParameterizedTest
    @EnumSource(DataDisk.Format.class)
    void refusesWhatItCannotReadOrThatIsTooLarge(DataDisk.Format format) throws IOException {
        Path img = dir.resolve("data.img");
        DataDisk disk = DataDisk.create(source(), img, format);
        Path out = dir.resolve("out.bin");
        DataDiskException tooLarge = assertThrows(DataDiskException.class,
                () -> disk.copyOut("egress-audit/files/0/nested deeper/blob.bin", out, 1000));
        assertTrue(tooLarge.getMessage().contains("more than the limit of 1000"), tooLarge.getMessage());
        assertFalse(Files.exists(out));
        DataDiskException missing = assertThrows(DataDiskException.class,
                () -> disk.copyOut("egress-audit/out/exit-code", out, 1000));
        assertTrue(missing.getMessage().contains("no file egress-audit/out/exit-code"), missing.getMessage());
        DataDiskException folder = assertThrows(DataDiskException.class, () -> disk.read("egress-audit", 10));
        assertTrue(folder.getMessage().contains("is a folder"), folder.getMessage());
        DataDiskException notFolder = assertThrows(DataDiskException.class, () -> disk.list("zero"));
        assertTrue(notFolder.getMessage().contains("zero"), notFolder.getMessage());
        DataDiskException noFolder = assertThrows(DataDiskException.class, () -> disk.list("nope/deeper"));
        assertTrue(noFolder.getMessage().contains(format == DataDisk.Format.EXT4 ? "debugfs" : "mdir"),
                noFolder.getMessage());
        assertThrows(IllegalArgumentException.class, () -> disk.read("egress-audit/../etc/passwd", 10));
        assertThrows(IllegalArgumentException.class, () -> disk.read("a\nb", 10));
        assertThrows(IllegalArgumentException.class, () -> disk.read("", 10));
    }

    @Test
    void ext4ReadsNamesWithQuotesAndSpaces() throws IOException {
        Path src = dir.resolve("q");
        Files.createDirectories(src.resolve("it's \"quoted\" $(x)"));
        Files.writeString(src.resolve("it's \"quoted\" $(x)/f \"g\".txt"), "ok");
        DataDisk disk = DataDisk.create(src, dir.resolve("q.img"), DataDisk.Format.EXT4);
        assertEquals("ok", new String(disk.read("it's \"quoted\" $(x)/f \"g\".txt", 10), StandardCharsets.UTF_8));
        assertEquals(List.of(new DataDisk.Entry("f \"g\".txt", false, 2)), disk.list("it's \"quoted\" $(x)"));
    }

    @Test
    void refusesContentItCannotHoldWithoutLeavingAnImage() throws IOException {
        Path src = dir.resolve("bad");
        Files.createDirectories(src);
        Files.writeString(src.resolve("target"), "x");
        Files.createSymbolicLink(src.resolve("link"), src.resolve("target"));
        Path img = dir.resolve("bad.img");
        IllegalArgumentException link = assertThrows(IllegalArgumentException.class,
                () -> DataDisk.create(src, img, DataDisk.Format.EXT4));
        assertTrue(link.getMessage().contains("symbolic link"), link.getMessage());
        Files.delete(src.resolve("link"));

        Files.writeString(src.resolve("a:b"), "x");
        IllegalArgumentException colon = assertThrows(IllegalArgumentException.class,
                () -> DataDisk.create(src, img, DataDisk.Format.FAT));
        assertTrue(colon.getMessage().contains("'a:b'"), colon.getMessage());
        Files.delete(src.resolve("a:b"));

        Files.writeString(src.resolve("TARGET"), "x");
        IllegalArgumentException cased = assertThrows(IllegalArgumentException.class,
                () -> DataDisk.create(src, img, DataDisk.Format.FAT));
        assertTrue(cased.getMessage().contains("only by case"), cased.getMessage());
        DataDisk.create(src, img, DataDisk.Format.EXT4); // ext4 tells them apart

        IllegalArgumentException exists = assertThrows(IllegalArgumentException.class,
                () -> DataDisk.create(src, img, DataDisk.Format.EXT4));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DataDisk.create(src, dir.resolve("l.img"),
                DataDisk.Format.FAT, "lower", DataDisk.DEFAULT_ROOM, Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> DataDisk.create(src, dir.resolve("l.img"),
                DataDisk.Format.EXT4, "label with space", DataDisk.DEFAULT_ROOM, Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> DataDisk.create(dir.resolve("absent"),
                dir.resolve("l.img"), DataDisk.Format.EXT4));
        assertFalse(Files.exists(dir.resolve("l.img")));
    }

    @Test
    void aFailingToolIsNamedWithItsOutputAndLeavesNoImage() throws IOException {
        Path src = dir.resolve("s");
        Files.createDirectories(src);
        Files.writeString(src.resolve("f"), "x");
        // the image's folder does not exist: mkfs.ext4 fails and says so
        Path img = dir.resolve("missing-folder/data.img");
        DataDiskException e = assertThrows(DataDiskException.class,
                () -> DataDisk.create(src, img, DataDisk.Format.EXT4));
        assertTrue(e.getMessage().contains("mkfs.ext4"), e.getMessage());
        assertFalse(Files.exists(img));
    }

    @Test
    void sizesLeaveRoomForResults() {
        assertEquals(32L << 20, DataDisk.sizeFor(DataDisk.Format.EXT4, 0, 0, 0));
        assertEquals(64L << 20, DataDisk.sizeFor(DataDisk.Format.FAT, 0, 0, 0));
        long s = DataDisk.sizeFor(DataDisk.Format.EXT4, 100L << 20, 10, DataDisk.DEFAULT_ROOM);
        assertTrue(s >= (150L << 20) + DataDisk.DEFAULT_ROOM, Long.toString(s));
        assertEquals(0, s % (1 << 20));
    }

    @Test
    void qemuArgumentsAttachARawVirtioDrive() throws IOException {
        Path img = dir.resolve("data.img");
        DataDisk disk = DataDisk.create(source(), img, DataDisk.Format.EXT4);
        assertEquals(List.of("-drive", "file=" + img.toAbsolutePath() + ",if=virtio,format=raw,cache=writeback"),
                disk.qemuArguments());
        assertEquals("file=" + img.toAbsolutePath() + ",if=ide,format=raw,cache=writeback", disk.driveOption("ide"));
    }
}
