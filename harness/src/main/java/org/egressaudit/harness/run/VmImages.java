package org.egressaudit.harness.run;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.exec.HostCommandResult;
import org.egressaudit.harness.sandbox.ImageBuilder;
import org.egressaudit.harness.scenario.SandboxSpec;
import org.egressaudit.harness.scenario.VmSpec;
import org.egressaudit.harness.vm.GuestImage;
import org.egressaudit.harness.vm.GuestImageBuilder;
import org.egressaudit.harness.vm.VmConfig;

/**
 * Turns a scenario's vm settings into a bootable {@link VmConfig}: the built-in Linux guest (built and cached with
 * the scenario's extra packages) or the user's disk, whose format is checked with {@code qemu-img info} rather than
 * guessed by QEMU at boot (a raw image whose first bytes look like qcow2 could name a backing file on the host).
 */
public final class VmImages {
    /** The built-in guest ignores the ACPI power button; the overlay is thrown away, so quitting at once is safe. */
    private static final Duration BUILTIN_SHUTDOWN_GRACE = Duration.ZERO;
    /** A real OS with an agent may report its own shutdown: give it time, and capture it. */
    private static final Duration DISK_SHUTDOWN_GRACE = Duration.ofSeconds(30);

    private final GuestImageBuilder guests;

    public VmImages(GuestImageBuilder guests) {
        this.guests = guests;
    }

    public static VmImages withDefaultCache(ImageBuilder images) {
        return new VmImages(new GuestImageBuilder(images, GuestImageBuilder.defaultCacheDir()));
    }

    public VmConfig resolve(SandboxSpec spec, PrintWriter log) {
        VmSpec vm = spec.vm().orElseThrow(() -> new IllegalArgumentException("not a vm sandbox"));
        if (vm.builtinGuest()) {
            GuestImage g = guests.build(spec.packages(), log);
            log.println("guest image " + g.disk() + (g.cached() ? " (cached)" : " (built in "
                    + g.elapsed().toSeconds() + " s)") + ", kernel " + g.kernelVersion());
            return new VmConfig(g.disk(), "qcow2", Optional.of(g.kernel()), Optional.of(g.initrd()),
                    Optional.of(g.append()), vm.memoryBytes(), vm.cpus(), vm.nic(), vm.bootTimeout(),
                    BUILTIN_SHUTDOWN_GRACE, VmConfig.DEFAULT_MAX_LOG_BYTES);
        }
        Path disk = vm.disk().orElseThrow();
        String detected = detectFormat(disk);
        String format = vm.format().map(f -> f.name().toLowerCase(java.util.Locale.ROOT)).orElse(detected);
        if (!format.equals(detected)) {
            throw new IllegalArgumentException("vm.disk " + disk + " is declared " + format + " but qemu-img reads it as "
                    + detected);
        }
        if (!format.equals("qcow2") && !format.equals("raw")) {
            throw new IllegalArgumentException("vm.disk " + disk + " is a " + detected + " image: convert it with "
                    + "`qemu-img convert -O qcow2 " + disk + " disk.qcow2`");
        }
        return new VmConfig(disk, format, vm.kernel(), vm.initrd(), vm.append(), vm.memoryBytes(), vm.cpus(),
                vm.nic(), vm.bootTimeout(), DISK_SHUTDOWN_GRACE, VmConfig.DEFAULT_MAX_LOG_BYTES);
    }

    /** The format qemu-img reports (it probes; the result is then always passed explicitly). */
    static String detectFormat(Path disk) {
        HostCommandResult r = HostCommand.of("qemu-img", "info", "--output=json", "-U", disk.toString())
                .timeout(Duration.ofSeconds(30)).run();
        if (!r.succeeded()) {
            throw new IllegalArgumentException("qemu-img cannot read vm.disk " + disk + ": " + r.stderrText().strip());
        }
        try {
            JsonNode info = new ObjectMapper().readTree(r.stdout());
            String f = info.path("format").asText("");
            if (f.isEmpty()) {
                throw new IllegalArgumentException("qemu-img reports no format for " + disk);
            }
            return f;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("unreadable qemu-img info for " + disk + ": " + e.getMessage(), e);
        }
    }
}
