package org.egressaudit.harness.vm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.egressaudit.harness.scenario.VmSpec;

/**
 * A resolved virtual machine: the disk to boot (through an overlay), how, on what virtual hardware.
 *
 * @param disk          base disk image; opened read-only as the overlay's backing file, never written
 * @param format        its format as QEMU names it ({@code qcow2}, {@code raw})
 * @param kernel        direct kernel boot, with {@code initrd} and {@code append}
 * @param shutdownGrace how long a guest may take to power off after the ACPI button before QEMU is told to quit
 *                      (zero for a guest that does not handle ACPI, like the built-in one)
 */
public record VmConfig(Path disk, String format, Optional<Path> kernel, Optional<Path> initrd, Optional<String> append,
                       long memoryBytes, int cpus, VmSpec.Nic nic, Duration bootTimeout, Duration shutdownGrace,
                       long maxLogBytes) {
    public static final long DEFAULT_MAX_LOG_BYTES = 64L << 20;

    public VmConfig {
        Objects.requireNonNull(disk, "disk");
        if (!Files.isRegularFile(disk)) {
            throw new IllegalArgumentException("no such disk image: " + disk);
        }
        if (!format.equals("qcow2") && !format.equals("raw")) {
            throw new IllegalArgumentException("disk format must be qcow2 or raw, not " + format);
        }
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(append, "append");
        Objects.requireNonNull(nic, "nic");
        Objects.requireNonNull(bootTimeout, "bootTimeout");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (memoryBytes < VmSpec.MIN_MEMORY) {
            throw new IllegalArgumentException("memory below 128 MiB: " + memoryBytes);
        }
        if (cpus < 1) {
            throw new IllegalArgumentException("cpus below 1: " + cpus);
        }
        if (maxLogBytes < 4096) {
            throw new IllegalArgumentException("maxLogBytes below 4096: " + maxLogBytes);
        }
    }
}
