package org.egressaudit.harness.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import org.egressaudit.harness.exec.HostCommand;

/**
 * Makes the guest disk from a root folder: an ext4 file system filled with {@code mkfs.ext4 -d} (no loop device,
 * no mount), converted to qcow2 so only the used blocks take space and overlays can be stacked on it.
 */
final class GuestDisk {
    static final String LABEL = "egress-audit-root";
    private static final long MIB = 1L << 20;
    /** Room for what a scenario installs or writes in the guest, on top of the half again of what is there. */
    private static final long HEADROOM = 256 * MIB;
    private static final long ROUND = 64 * MIB;
    /** mkfs.ext4's default of one inode per 16 KiB runs short with many small files: ask for enough. */
    private static final long MIN_INODES = 65_536;

    private final Duration timeout;

    GuestDisk(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout);
    }

    /** File system size for {@code usedBytes} of content: used + 50 % + 256 MiB, rounded up to 64 MiB. */
    static long sizeFor(long usedBytes) {
        if (usedBytes < 0) {
            throw new IllegalArgumentException("negative size: " + usedBytes);
        }
        long raw = Math.addExact(Math.addExact(usedBytes, usedBytes / 2), HEADROOM);
        return Math.multiplyExact((raw + ROUND - 1) / ROUND, ROUND);
    }

    /** Inodes for {@code entries} files and folders: twice as many, at least {@link #MIN_INODES}. */
    static long inodesFor(long entries) {
        return Math.max(MIN_INODES, Math.multiplyExact(entries, 2));
    }

    /** Writes {@code root} as a qcow2 ext4 image to {@code qcow2}; returns the file system size in bytes. */
    long make(Path root, Path qcow2) {
        long used = duNumber("measure root", "--block-size=1", root);
        long entries = duNumber("count files", "--inodes", root);
        long size = sizeFor(used);
        Path raw = qcow2.resolveSibling(qcow2.getFileName() + ".raw");
        try {
            GuestStep.run("mkfs.ext4", HostCommand.of("mkfs.ext4", "-q", "-F", "-L", LABEL,
                    "-N", Long.toString(inodesFor(entries)), "-d", root.toString(), raw.toString(),
                    (size / 1024) + "k"), timeout);
            GuestStep.run("qemu-img convert", HostCommand.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2",
                    raw.toString(), qcow2.toString()), timeout);
        } finally {
            try {
                Files.deleteIfExists(raw);
            } catch (IOException e) {
                // the work folder holding it is removed on failure anyway
            }
        }
        return size;
    }

    private long duNumber(String step, String mode, Path root) {
        String out = GuestStep.run(step, HostCommand.of("du", "-s", "-x", mode, root.toString()), timeout)
                .stdoutText();
        String first = out.strip().split("\\s+", 2)[0];
        try {
            return Long.parseLong(first);
        } catch (NumberFormatException e) {
            throw new GuestImageBuilder.GuestImageException(step, "unexpected du output: " + out.strip(), e);
        }
    }
}
