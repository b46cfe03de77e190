package org.egressaudit.harness.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe trusts KVM only when a kernel really ran under it and QEMU came back promptly. */
class AccelerationProbeTest {
    @TempDir
    Path tmp;
    Path kvm;
    Path kernel;

    @BeforeEach
    void setUp() throws Exception {
        kvm = Files.writeString(tmp.resolve("kvm"), "");
        kernel = Files.writeString(tmp.resolve("vmlinuz"), "");
    }

    /** A stand-in for qemu-system-x86_64: writes {@code console} to the -serial file, then runs {@code then}. */
    private String fakeQemu(String console, String then) throws Exception {
        Path script = tmp.resolve("qemu-" + Math.abs((console + then).hashCode()));
        Files.writeString(script, "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = -serial ] && out=${2#file:}; shift; "
                + "done\nprintf '%s' '" + console + "' > \"$out\"\n" + then + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script.toString();
    }

    private Acceleration probe(String qemu) {
        return new AccelerationProbe(qemu, kvm, Optional.of(kernel), Duration.ofSeconds(3)).probe();
    }

    @Test
    void aKernelThatPanicsAndExitsMeansKvmWorks() throws Exception {
        Acceleration a = probe(fakeQemu("Linux version 6.1\nKernel panic - not syncing: VFS", "exit 0"));
        assertEquals(Acceleration.Kind.KVM, a.kind(), a.reason());
        assertEquals(List.of("-accel", "kvm", "-cpu", "host"), a.qemuArguments());
    }

    @Test
    void anAbortBeforeTheKernelMeansTcg() throws Exception {
        Acceleration a = probe(fakeQemu("", "echo 'error: failed to set MSR 0x10a to 0x0' >&2; exit 1"));
        assertEquals(Acceleration.Kind.TCG, a.kind());
        assertTrue(a.reason().contains("exited with 1 before the kernel ran") && a.reason().contains("MSR 0x10a"),
                a.reason());
        assertEquals(List.of("-accel", "tcg", "-cpu", "max"), a.qemuArguments());
    }

    @Test
    void aGuestThatHangsAfterTheBiosMeansTcg() throws Exception {
        Acceleration a = probe(fakeQemu("", "sleep 30"));
        assertEquals(Acceleration.Kind.TCG, a.kind());
        assertTrue(a.reason().contains("no kernel output: the guest hangs after the BIOS"), a.reason());
        assertTrue(a.note().startsWith("virtual machine: software emulation (TCG)"), a.note());
    }

    @Test
    void aKernelThatRanButNeverExitedMeansTcg() throws Exception {
        Acceleration a = probe(fakeQemu("Linux version 6.1", "sleep 30"));
        assertEquals(Acceleration.Kind.TCG, a.kind());
        assertTrue(a.reason().contains("the kernel ran, then the virtual machine hung"), a.reason());
    }

    @Test
    void noDeviceOrNoKernelMeansTcgWithoutRunningQemu() throws Exception {
        Acceleration none = new AccelerationProbe("/nonexistent/qemu", tmp.resolve("missing"), Optional.of(kernel),
                Duration.ofSeconds(3)).probe();
        assertEquals(Acceleration.Kind.TCG, none.kind());
        assertTrue(none.reason().contains("does not exist"), none.reason());
        Acceleration noKernel = new AccelerationProbe("/nonexistent/qemu", kvm, Optional.empty(),
                Duration.ofSeconds(3)).probe();
        assertEquals(Acceleration.Kind.TCG, noKernel.kind());
        assertTrue(noKernel.reason().contains("no kernel"), noKernel.reason());
    }
}
