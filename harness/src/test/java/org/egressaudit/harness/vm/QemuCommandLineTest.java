package org.egressaudit.harness.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.egressaudit.harness.scenario.VmSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QemuCommandLineTest {
    @TempDir
    Path tmp;

    private VmConfig config(VmSpec.Nic nic, Optional<Path> kernel) throws Exception {
        Path disk = Files.write(tmp.resolve("disk.qcow2"), new byte[16]);
        return new VmConfig(disk, "qcow2", kernel, kernel.map(k -> tmp.resolve("initrd")),
                kernel.map(k -> "console=ttyS0"), 768L << 20, 2, nic, Duration.ofMinutes(1), Duration.ZERO, 1 << 20);
    }

    private List<String> build(VmConfig c) {
        return QemuCommandLine.build("qemu-system-x86_64", "egress-audit-r1", c, Acceleration.tcg("test"),
                tmp.resolve("overlay.qcow2"), "eat-0001", "52:54:00:01:02:03", tmp.resolve("qmp.sock"),
                tmp.resolve("qga.sock"), tmp.resolve("console.log"));
    }

    private static String after(List<String> argv, String option, String containing) {
        for (int i = 0; i + 1 < argv.size(); i++) {
            if (argv.get(i).equals(option) && argv.get(i + 1).contains(containing)) {
                return argv.get(i + 1);
            }
        }
        throw new AssertionError(option + " with " + containing + " not in " + argv);
    }

    @Test
    void onlyTheOverlayTheTapAndUnixSocketsAreAttached() throws Exception {
        List<String> a = build(config(VmSpec.Nic.VIRTIO, Optional.empty()));
        assertTrue(a.contains("-nodefaults") && a.contains("-no-user-config"), a.toString());
        assertEquals("file=" + tmp.resolve("overlay.qcow2") + ",if=virtio,format=qcow2,cache=unsafe",
                after(a, "-drive", "overlay"));
        assertFalse(String.join(" ", a).contains("disk.qcow2"), "the base image is never given to QEMU directly");
        assertEquals("tap,id=net0,ifname=eat-0001,script=no,downscript=no", after(a, "-netdev", "tap"));
        assertEquals("virtio-net-pci,netdev=net0,mac=52:54:00:01:02:03", after(a, "-device", "netdev=net0"));
        assertEquals(1, a.stream().filter("-netdev"::equals).count(), "one network device, no user-mode network");
        assertFalse(String.join(" ", a).contains("user,"), a.toString());
        assertEquals("unix:" + tmp.resolve("qmp.sock") + ",server=on,wait=off", after(a, "-qmp", "unix:"));
        assertTrue(after(a, "-sandbox", "on").contains("spawn=deny"));
        assertEquals("768", after(a, "-m", ""));
        assertEquals("2", after(a, "-smp", ""));
        assertFalse(a.contains("-kernel"));
    }

    @Test
    void directKernelBootAndE1000() throws Exception {
        List<String> a = build(config(VmSpec.Nic.E1000, Optional.of(tmp.resolve("vmlinuz"))));
        assertEquals(tmp.resolve("vmlinuz").toString(), after(a, "-kernel", ""));
        assertEquals(tmp.resolve("initrd").toString(), after(a, "-initrd", ""));
        assertEquals("console=ttyS0", after(a, "-append", ""));
        assertEquals("e1000,netdev=net0,mac=52:54:00:01:02:03", after(a, "-device", "netdev=net0"));
    }

    @Test
    void aCommaInAPathIsRefusedRatherThanParsedAsAnOption() throws Exception {
        VmConfig c = config(VmSpec.Nic.VIRTIO, Optional.empty());
        assertThrows(IllegalArgumentException.class, () -> QemuCommandLine.build("qemu", "n", c,
                Acceleration.tcg("t"), tmp.resolve("a,file=/etc/shadow"), "eat-1", "52:54:00:00:00:01",
                tmp.resolve("q"), tmp.resolve("g"), tmp.resolve("c")));
    }

    @Test
    void orphanedSandboxVmsAreRecognisedByName() {
        assertTrue(VmLeftovers.isSandboxQemu(Optional.of("/usr/bin/qemu-system-x86_64"),
                Optional.of(new String[] {"-name", "egress-audit-r1", "-m", "512"})));
        assertFalse(VmLeftovers.isSandboxQemu(Optional.of("/usr/bin/qemu-system-x86_64"),
                Optional.of(new String[] {"-name", "someone-elses-vm"})));
        assertFalse(VmLeftovers.isSandboxQemu(Optional.of("/usr/bin/python3"),
                Optional.of(new String[] {"-name", "egress-audit-r1"})));
    }
}
