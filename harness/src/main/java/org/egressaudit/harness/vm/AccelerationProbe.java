package org.egressaudit.harness.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.exec.HostCommandResult;

/**
 * Finds out whether KVM really works here. An openable {@code /dev/kvm} is not enough: under nested
 * virtualisation QEMU may abort on an unsupported MSR with {@code -cpu host}, or the guest may hang right after the
 * BIOS. So the probe boots a real kernel with no root file system under KVM: it panics at once, and with
 * {@code panic=-1 -no-reboot} QEMU exits. Only a prompt exit with the kernel's own panic line on the serial console
 * counts as working KVM; anything else (abort, hang past the timeout, no kernel output) means TCG, with the reason.
 * The result is computed once per process.
 */
public final class AccelerationProbe {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(12);
    private static volatile Acceleration cached;

    private final String qemu;
    private final Path devKvm;
    private final Optional<Path> probeKernel;
    private final Duration timeout;

    public AccelerationProbe(String qemu, Path devKvm, Optional<Path> probeKernel, Duration timeout) {
        this.qemu = qemu;
        this.devKvm = devKvm;
        this.probeKernel = probeKernel;
        this.timeout = timeout;
    }

    /** The machine's acceleration, probed once per process with the newest installed kernel. */
    public static Acceleration detect() {
        Acceleration a = cached;
        if (a == null) {
            synchronized (AccelerationProbe.class) {
                if (cached == null) {
                    cached = new AccelerationProbe("qemu-system-x86_64", Path.of("/dev/kvm"),
                            probeKernel(), PROBE_TIMEOUT).probe();
                }
                a = cached;
            }
        }
        return a;
    }

    private static Optional<Path> probeKernel() {
        try {
            return Optional.of(HostKernel.newest().vmlinuz());
        } catch (GuestImageBuilder.GuestImageException e) {
            return Optional.empty();
        }
    }

    public Acceleration probe() {
        if (!Files.exists(devKvm)) {
            return Acceleration.tcg(devKvm + " does not exist (no KVM on this machine)");
        }
        if (!Files.isReadable(devKvm) || !Files.isWritable(devKvm)) {
            return Acceleration.tcg(devKvm + " is not accessible to this user (add it to the kvm group)");
        }
        if (probeKernel.isEmpty()) {
            return Acceleration.tcg("no kernel under /boot to probe KVM with, so KVM is not trusted");
        }
        Path console;
        try {
            console = Files.createTempFile("egress-audit-kvm-probe", ".log");
        } catch (IOException e) {
            return Acceleration.tcg("cannot write the KVM probe's console log: " + e.getMessage());
        }
        try {
            List<String> argv = new ArrayList<>(List.of(qemu, "-accel", "kvm", "-cpu", "host", "-m", "128",
                    "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                    "-kernel", probeKernel.get().toString(),
                    "-append", "console=ttyS0 panic=-1 root=/dev/egress-audit-probe-none",
                    "-serial", "file:" + console));
            HostCommandResult r = HostCommand.of(argv).timeout(timeout).run();
            String out = Files.readString(console, StandardCharsets.ISO_8859_1);
            if (r.timedOut()) {
                return Acceleration.tcg("KVM probe: QEMU did not finish within " + timeout.toSeconds() + " s ("
                        + (out.contains("Linux version") ? "the kernel ran, then the virtual machine hung"
                        : "no kernel output: the guest hangs after the BIOS") + "; nested KVM?)");
            }
            if (!out.contains("Kernel panic") && !out.contains("Linux version")) {
                return Acceleration.tcg("KVM probe: QEMU exited with " + r.exitCode() + " before the kernel ran: "
                        + firstLine(r.stderrText()));
            }
            return Acceleration.kvm("probe booted a kernel in " + r.elapsed().toMillis() + " ms");
        } catch (IOException | RuntimeException e) {
            return Acceleration.tcg("KVM probe failed: " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(console);
            } catch (IOException ignored) {
                // a temp file
            }
        }
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        t = nl < 0 ? t : t.substring(0, nl);
        return t.isEmpty() ? "(no message)" : t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }
}
