package org.egressaudit.harness.scenario;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@code vm} sandbox is made: the guest's disk (never modified: every run boots a copy-on-write overlay of
 * it), optional direct kernel boot, and the virtual hardware.
 *
 * @param disk        a qcow2 or raw disk image on the host; absent means the project's own Linux guest, built and
 *                    cached by the harness (with the sandbox's extra packages)
 * @param format      the disk's format when given; detected with {@code qemu-img info} otherwise
 * @param kernel      a kernel to boot directly instead of the disk's boot loader (with {@code initrd}, {@code append})
 * @param initrd      its initial RAM disk
 * @param append      its command line
 * @param memoryBytes guest RAM
 * @param cpus        virtual CPUs
 * @param accel       acceleration: {@code auto} probes KVM and falls back to TCG
 * @param nic         network card model: virtio (Linux; Windows with the virtio drivers) or e1000 (any Windows)
 * @param bootTimeout how long the guest agent may take to answer after power-on (software emulation is slow)
 * @param control     how the harness drives the guest: the QEMU guest agent, or a script on a data disk the guest
 *                    runs at boot (for images without a guest agent; no command channel during the run)
 */
public record VmSpec(Optional<Path> disk, Optional<DiskFormat> format, Optional<Path> kernel, Optional<Path> initrd,
                     Optional<String> append, long memoryBytes, int cpus, Accel accel, Nic nic,
                     Duration bootTimeout, Control control) {
    public static final long DEFAULT_MEMORY = 1L << 30;
    public static final long MIN_MEMORY = 128L << 20;
    public static final long MAX_MEMORY = 64L << 30;
    public static final int MAX_CPUS = 16;
    public static final Duration DEFAULT_BOOT_TIMEOUT = Duration.ofMinutes(5);

    public enum DiskFormat { QCOW2, RAW }

    public enum Accel { AUTO, KVM, TCG }

    public enum Nic { VIRTIO, E1000 }

    public enum Control { GUEST_AGENT, BOOT_SCRIPT }

    public VmSpec {
        Objects.requireNonNull(disk, "disk");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(append, "append");
        Objects.requireNonNull(accel, "accel");
        Objects.requireNonNull(nic, "nic");
        Objects.requireNonNull(bootTimeout, "bootTimeout");
        Objects.requireNonNull(control, "control");
        if (memoryBytes < MIN_MEMORY || memoryBytes > MAX_MEMORY) {
            throw new IllegalArgumentException("memory must be between 128M and 64G, not " + memoryBytes + " bytes");
        }
        if (cpus < 1 || cpus > MAX_CPUS) {
            throw new IllegalArgumentException("cpus must be between 1 and " + MAX_CPUS + ", not " + cpus);
        }
        if (disk.isEmpty() && (format.isPresent() || kernel.isPresent() || initrd.isPresent()
                || append.isPresent())) {
            throw new IllegalArgumentException("format, kernel, initrd and append describe your own 'disk': the "
                    + "built-in guest boots its own kernel");
        }
        if (kernel.isEmpty() && (initrd.isPresent() || append.isPresent())) {
            throw new IllegalArgumentException("initrd and append need 'kernel' (direct kernel boot)");
        }
        if (bootTimeout.isZero() || bootTimeout.isNegative()) {
            throw new IllegalArgumentException("bootTimeout must be positive");
        }
    }

    /** The built-in Linux guest with default hardware. */
    public static VmSpec builtin() {
        return new VmSpec(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                DEFAULT_MEMORY, 1, Accel.AUTO, Nic.VIRTIO, DEFAULT_BOOT_TIMEOUT, Control.GUEST_AGENT);
    }

    public boolean builtinGuest() {
        return disk.isEmpty();
    }

    /**
     * Parses a memory size as scenarios write it: whole number with unit M or G ({@code 512M}, {@code 2G}).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static long parseMemory(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([1-9][0-9]{0,6})([MG])").matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + YamlNode.abbreviate(text)
                    + "' is not a memory size (write a whole number with M or G, e.g. 512M, 2G)");
        }
        long n = Long.parseLong(m.group(1));
        return m.group(2).equals("G") ? n << 30 : n << 20;
    }
}
