package org.egressaudit.harness.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kernel choice, disk sizing and writing inside the guest root. */
class GuestImagePartsTest {
    private static final long MIB = 1L << 20;

    @Test
    void picksTheNewestCompleteKernel(@TempDir Path tmp) throws IOException {
        Path boot = Files.createDirectories(tmp.resolve("boot"));
        Path modules = Files.createDirectories(tmp.resolve("modules"));
        for (String v : new String[]{"6.1.0-9-amd64", "6.1.0-56-amd64", "6.1.0-100-amd64", "6.10.0-1-amd64"}) {
            Files.writeString(boot.resolve("vmlinuz-" + v), "k");
        }
        // 6.10 has no initrd, 6.1.0-100 no modules: 6.1.0-56 wins over 6.1.0-9 (numeric, not text order)
        for (String v : new String[]{"6.1.0-9-amd64", "6.1.0-56-amd64", "6.1.0-100-amd64"}) {
            Files.writeString(boot.resolve("initrd.img-" + v), "i");
        }
        Files.createDirectories(modules.resolve("6.1.0-9-amd64"));
        Files.createDirectories(modules.resolve("6.1.0-56-amd64"));
        Files.createDirectories(modules.resolve("6.10.0-1-amd64"));
        HostKernel k = HostKernel.newest(boot, modules);
        assertEquals("6.1.0-56-amd64", k.version());
        assertEquals(boot.resolve("initrd.img-6.1.0-56-amd64"), k.initrd());
        assertEquals(modules.resolve("6.1.0-56-amd64"), k.modules());
    }

    @Test
    void noCompleteKernelNamesThePackageToInstall(@TempDir Path tmp) throws IOException {
        Path boot = Files.createDirectories(tmp.resolve("boot"));
        Files.writeString(boot.resolve("vmlinuz-6.1.0-9-amd64"), "k");
        GuestImageBuilder.GuestImageException e = assertThrows(GuestImageBuilder.GuestImageException.class,
                () -> HostKernel.newest(boot, tmp.resolve("modules")));
        assertTrue(e.getMessage().contains("apt-get install -y linux-image-amd64"), e.getMessage());
        assertEquals("find a kernel", e.step());
    }

    @Test
    void versionsCompareNumberRunsAsNumbers() {
        assertTrue(HostKernel.compareVersions("6.1.0-56-amd64", "6.1.0-9-amd64") > 0);
        assertTrue(HostKernel.compareVersions("6.10.0-1-amd64", "6.9.0-30-amd64") > 0);
        assertTrue(HostKernel.compareVersions("6.1.0-56-amd64", "6.1.0-56-amd64-rt") < 0);
        assertEquals(0, HostKernel.compareVersions("6.1.0-056", "6.1.0-56"));
    }

    @Test
    void diskIsUsedPlusHalfPlus256MiBRoundedTo64MiB() {
        assertEquals(256 * MIB, GuestDisk.sizeFor(0));
        assertEquals(320 * MIB, GuestDisk.sizeFor(1));
        // 600 MiB used -> 900 + 256 = 1156 -> 1216 (19 x 64)
        assertEquals(1216 * MIB, GuestDisk.sizeFor(600 * MIB));
        assertThrows(IllegalArgumentException.class, () -> GuestDisk.sizeFor(-1));
        assertEquals(65_536, GuestDisk.inodesFor(20_000));
        assertEquals(200_000, GuestDisk.inodesFor(100_000));
    }

    @Test
    void writesFollowLinksOnlyInsideTheRoot(@TempDir Path tmp) throws IOException {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("usr/sbin"));
        Files.createSymbolicLink(root.resolve("sbin"), Path.of("usr/sbin")); // Debian's merged /usr
        Path outside = Files.createDirectories(tmp.resolve("host-etc"));
        Files.createSymbolicLink(root.resolve("etc"), outside); // an absolute link out of the root

        assertEquals(root.toRealPath().resolve("usr/sbin/egress-audit-init"),
                GuestRootFs.inside(root, "/sbin/egress-audit-init"));
        assertEquals(root.toRealPath().resolve("usr/local/sbin/x"), GuestRootFs.inside(root, "/usr/local/sbin/x"));
        assertTrue(Files.isDirectory(root.resolve("usr/local/sbin")), "missing folders are made");
        IOException e = assertThrows(IOException.class, () -> GuestRootFs.inside(root, "/etc/acpi/PWRF/00000080"));
        assertTrue(e.getMessage().contains("leads out of the guest root"), e.getMessage());
        assertEquals(0, Files.list(outside).count(), "nothing created outside the root");
        assertThrows(IllegalArgumentException.class, () -> GuestRootFs.inside(root, "/usr/../../x"));
        assertThrows(IllegalArgumentException.class, () -> GuestRootFs.inside(root, "relative"));
    }

    @Test
    void scriptsAreShellScriptsThatLogWithThePrefixAndTheFingerprintCoversThem() {
        for (var e : GuestScripts.executables().entrySet()) {
            assertTrue(e.getValue().startsWith("#!/bin/sh\n"), e.getKey());
            assertTrue(!e.getValue().contains("%1$") && !e.getValue().contains("%2$"), "unformatted: " + e.getKey());
            assertTrue(GuestScripts.fingerprint().contains(e.getValue()), e.getKey());
        }
        assertTrue(GuestScripts.INIT.contains("qemu-ga -m virtio-serial -p \"$port\""));
        assertTrue(GuestScripts.INIT.contains("-s " + GuestScripts.DHCP_PATH));
        assertTrue(GuestScripts.INIT.contains("log() { echo \"" + GuestScripts.LOG_PREFIX + " $*\"; }"));
        assertTrue(GuestImage.APPEND.contains("init=" + GuestScripts.INIT_PATH));
    }
}
