package org.egressaudit.harness.vm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import org.egressaudit.harness.exec.HostCommand;

/**
 * Test support: a minimal Linux guest that runs only qemu-ga, booted from the host's Debian kernel and an
 * initramfs assembled here from host files (static busybox, the host's qemu-ga and the shared libraries it needs,
 * the virtio console modules). No disk, no network device. Boots in a few seconds under TCG.
 *
 * <pre>{@code
 * Path initrd = TinyGuest.buildInitramfs(dir.resolve("tiny.cpio.gz"));
 * try (TinyGuest.Vm vm = TinyGuest.boot(dir, initrd)) { ... vm.qgaSocket() ... }
 * }</pre>
 */
final class TinyGuest {
    static final String KERNEL_VERSION = "6.1.0-56-amd64";
    static final Path KERNEL = Path.of("/boot/vmlinuz-" + KERNEL_VERSION);
    static final Path MODULES = Path.of("/lib/modules/" + KERNEL_VERSION);
    static final Path BUSYBOX = Path.of("/bin/busybox");
    static final List<Path> QEMU_GA = List.of(Path.of("/usr/bin/qemu-ga"), Path.of("/usr/sbin/qemu-ga"));
    static final String AGENT_PORT = "org.qemu.guest_agent.0";
    /** Module whose dependencies (in load order) give the guest a virtio-serial port. */
    static final List<String> MODULES_NEEDED = List.of("virtio_pci", "virtio_console");

    private TinyGuest() {
    }

    static Path qemuGa() {
        return QEMU_GA.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new IllegalStateException(
                "qemu-ga not found on the host (" + QEMU_GA + "): apt-get install qemu-guest-agent (bin/setup)"));
    }

    /** Writes a gzip-compressed newc initramfs to {@code target} and returns it. */
    static Path buildInitramfs(Path target) throws IOException {
        for (Path p : List.of(KERNEL, MODULES, BUSYBOX)) {
            if (!Files.exists(p)) {
                throw new IllegalStateException("missing on the host: " + p + " (bin/setup installs it)");
            }
        }
        Path qemuGa = qemuGa();
        NewcArchive cpio = new NewcArchive();
        for (String d : List.of("bin", "sbin", "usr", "usr/bin", "usr/sbin", "lib", "lib64", "lib/x86_64-linux-gnu",
                "lib/modules", "dev", "proc", "sys", "tmp", "run", "var", "var/run", "etc")) {
            cpio.directory(d);
        }
        cpio.characterDevice("dev/console", 5, 1);
        cpio.characterDevice("dev/null", 1, 3);
        cpio.file("bin/busybox", Files.readAllBytes(BUSYBOX), 0755);
        cpio.symlink("bin/sh", "busybox");
        cpio.file("usr/sbin/qemu-ga", Files.readAllBytes(qemuGa), 0755);
        Set<Path> libraries = new LinkedHashSet<>();
        libraries.addAll(sharedLibraries(BUSYBOX));
        libraries.addAll(sharedLibraries(qemuGa));
        for (Path lib : libraries) {
            String inImage = lib.toString().substring(1);
            cpio.parents(inImage);
            cpio.file(inImage, Files.readAllBytes(lib), 0755); // the file behind the symlink, under the linked name
        }
        List<String> modules = new ArrayList<>();
        for (Map.Entry<String, Path> m : modulesInLoadOrder().entrySet()) {
            cpio.file("lib/modules/" + m.getKey() + ".ko", Files.readAllBytes(m.getValue()), 0644);
            modules.add(m.getKey());
        }
        cpio.file("init", initScript(modules).getBytes(StandardCharsets.US_ASCII), 0755);
        Files.write(target, cpio.finish());
        return target;
    }

    private static String initScript(List<String> modules) {
        return """
                #!/bin/sh
                # PID 1 of the tiny guest: mount the kernel file systems, load the virtio console, run qemu-ga.
                /bin/busybox --install -s /bin
                export PATH=/bin:/sbin:/usr/bin:/usr/sbin LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
                mount -t proc proc /proc
                mount -t sysfs sysfs /sys
                mount -t devtmpfs devtmpfs /dev
                for m in %s; do insmod /lib/modules/$m.ko || echo "tiny-guest: insmod $m failed"; done
                port=
                for i in $(seq 1 100); do
                    for p in /sys/class/virtio-ports/*; do
                        [ -e "$p/name" ] && [ "$(cat "$p/name")" = %s ] && port=/dev/$(basename "$p")
                    done
                    [ -n "$port" ] && [ -e "$port" ] && break
                    sleep 0.1
                done
                echo "tiny-guest: agent port ${port:-not found}"
                # never exit: PID 1 ending panics the kernel
                while true; do
                    qemu-ga -m virtio-serial -p "$port"
                    echo "tiny-guest: qemu-ga exited with $?"
                    sleep 1
                done
                """.formatted(String.join(" ", modules), AGENT_PORT);
    }

    /** The libraries ldd lists (plus the dynamic loader); none for a static binary. */
    static List<Path> sharedLibraries(Path binary) {
        String out = HostCommand.of("ldd", binary.toString()).timeout(Duration.ofSeconds(20)).run().stdoutText();
        List<Path> libs = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s*(?:\\S+ => )?(/\\S+) \\(0x").matcher(out);
        while (m.find()) {
            libs.add(Path.of(m.group(1)));
        }
        return libs;
    }

    /** Module name → file, dependencies before the modules needing them. */
    static Map<String, Path> modulesInLoadOrder() {
        Map<String, Path> order = new LinkedHashMap<>();
        for (String m : MODULES_NEEDED) {
            addWithDependencies(m, order, new LinkedHashSet<>());
        }
        return order;
    }

    private static void addWithDependencies(String module, Map<String, Path> order, Set<String> visiting) {
        if (order.containsKey(module) || !visiting.add(module)) {
            return;
        }
        String deps = modinfo(module, "depends");
        for (String d : deps.split(",")) {
            if (!d.isBlank()) {
                addWithDependencies(d.trim(), order, visiting);
            }
        }
        Path file = Path.of(modinfo(module, "filename"));
        if (!file.toString().endsWith(".ko")) {
            throw new IllegalStateException("module " + module + " is not an uncompressed .ko: " + file);
        }
        order.put(module, file);
    }

    private static String modinfo(String module, String field) {
        return HostCommand.of("modinfo", "-k", KERNEL_VERSION, "-F", field, module).timeout(Duration.ofSeconds(20))
                .runChecked().stdoutText().trim();
    }

    /** Boots the guest under TCG: no network device, agent and QMP on UNIX sockets in {@code dir}. */
    static Vm boot(Path dir, Path initramfs) throws IOException {
        Vm vm = new Vm(dir);
        List<String> cmd = List.of("qemu-system-x86_64", "-accel", "tcg", "-m", "256", "-smp", "1",
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-kernel", KERNEL.toString(), "-initrd", initramfs.toString(),
                "-append", "console=ttyS0 quiet panic=-1",
                "-serial", "file:" + vm.consoleLog,
                "-chardev", "socket,id=qga,path=" + vm.qgaSocket + ",server=on,wait=off",
                "-device", "virtio-serial-pci",
                "-device", "virtserialport,chardev=qga,name=" + AGENT_PORT,
                "-qmp", "unix:" + vm.qmpSocket + ",server=on,wait=off");
        vm.process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(vm.qemuLog.toFile()).start();
        return vm;
    }

    /** A running QEMU; close kills it if still running. */
    static final class Vm implements AutoCloseable {
        final Path qmpSocket;
        final Path qgaSocket;
        final Path consoleLog;
        final Path qemuLog;
        private Process process;

        private Vm(Path dir) {
            this.qmpSocket = dir.resolve("qmp.sock");
            this.qgaSocket = dir.resolve("qga.sock");
            this.consoleLog = dir.resolve("console.log");
            this.qemuLog = dir.resolve("qemu.log");
        }

        Process process() {
            return process;
        }

        /** QEMU's own output and the guest console, for failure messages. */
        String diagnostics() {
            return "--- qemu ---\n" + tail(qemuLog) + "\n--- console ---\n" + tail(consoleLog);
        }

        private static String tail(Path p) {
            try {
                String s = Files.readString(p, StandardCharsets.ISO_8859_1);
                return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
            } catch (IOException e) {
                return "(" + p + ": " + e.getMessage() + ")";
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (process == null || !process.isAlive()) {
                return;
            }
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** The "newc" cpio format the kernel unpacks into its initramfs (Documentation/driver-api/early-userspace). */
    static final class NewcArchive {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final Set<String> names = new LinkedHashSet<>();
        private int inode = 1;

        void directory(String name) throws IOException {
            entry(name, 0040755, 2, 0, 0, new byte[0]);
        }

        /** Adds the missing parent directories of {@code name}. */
        void parents(String name) throws IOException {
            int slash = -1;
            while ((slash = name.indexOf('/', slash + 1)) > 0) {
                String dir = name.substring(0, slash);
                if (!names.contains(dir)) {
                    directory(dir);
                }
            }
        }

        void file(String name, byte[] data, int permissions) throws IOException {
            entry(name, 0100000 | permissions, 1, 0, 0, data);
        }

        void symlink(String name, String target) throws IOException {
            entry(name, 0120777, 1, 0, 0, target.getBytes(StandardCharsets.UTF_8));
        }

        void characterDevice(String name, int major, int minor) throws IOException {
            entry(name, 0020600, 1, major, minor, new byte[0]);
        }

        private void entry(String name, int mode, int links, int rdevMajor, int rdevMinor, byte[] data)
                throws IOException {
            if (!names.add(name)) {
                return; // first one wins (a library listed by two binaries)
            }
            byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
            StringBuilder h = new StringBuilder("070701");
            for (long v : new long[] {inode++, mode, 0, 0, links, 0, data.length, 0, 0, rdevMajor, rdevMinor,
                    nameBytes.length, 0}) {
                h.append(String.format("%08x", v));
            }
            out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(nameBytes);
            pad();
            out.write(data);
            pad();
        }

        private void pad() {
            while (out.size() % 4 != 0) {
                out.write(0);
            }
        }

        byte[] finish() throws IOException {
            entry("TRAILER!!!", 0, 1, 0, 0, new byte[0]);
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (OutputStream z = new GZIPOutputStream(gz)) {
                out.writeTo(z);
            }
            return gz.toByteArray();
        }
    }
}
