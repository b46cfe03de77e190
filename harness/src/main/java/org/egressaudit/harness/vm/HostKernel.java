package org.egressaudit.harness.vm;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel of the host that a guest can boot directly: {@code /boot/vmlinuz-<v>} with its
 * {@code /boot/initrd.img-<v>} and modules in {@code /lib/modules/<v>} (the guest gets a copy of those modules,
 * since the Debian kernel has virtio_net, virtio_console and friends as modules).
 */
record HostKernel(String version, Path vmlinuz, Path initrd, Path modules) {
    static final Path BOOT = Path.of("/boot");
    static final Path MODULES = Path.of("/lib/modules");
    /** Kernel versions end up in file names and command lines: nothing exotic. */
    static final Pattern VERSION = Pattern.compile("[0-9][A-Za-z0-9._+~-]{0,99}");
    private static final Pattern CHUNK = Pattern.compile("\\d+|\\D+");

    /** The newest complete kernel of this host. */
    static HostKernel newest() {
        return newest(BOOT, MODULES);
    }

    /**
     * The newest kernel in {@code boot} that has an initrd there and a modules folder in {@code modulesRoot}.
     *
     * @throws GuestImageBuilder.GuestImageException when there is none
     */
    static HostKernel newest(Path boot, Path modulesRoot) {
        List<HostKernel> complete = new ArrayList<>();
        try (DirectoryStream<Path> kernels = Files.newDirectoryStream(boot, "vmlinuz-*")) {
            for (Path vmlinuz : kernels) {
                String version = vmlinuz.getFileName().toString().substring("vmlinuz-".length());
                Path initrd = boot.resolve("initrd.img-" + version);
                Path modules = modulesRoot.resolve(version);
                if (VERSION.matcher(version).matches() && Files.isRegularFile(vmlinuz) && Files.isReadable(vmlinuz)
                        && Files.isRegularFile(initrd) && Files.isReadable(initrd) && Files.isDirectory(modules)) {
                    complete.add(new HostKernel(version, vmlinuz, initrd, modules));
                }
            }
        } catch (IOException e) {
            throw new GuestImageBuilder.GuestImageException("find a kernel",
                    "cannot list " + boot + ": " + e.getMessage() + " (install linux-image-amd64)", e);
        }
        Optional<HostKernel> best = complete.stream().max(Comparator.comparing(HostKernel::version,
                HostKernel::compareVersions));
        return best.orElseThrow(() -> new GuestImageBuilder.GuestImageException("find a kernel",
                "no kernel in " + boot + " has both " + boot + "/vmlinuz-<version> and " + boot
                        + "/initrd.img-<version> and modules in " + modulesRoot
                        + "/<version>: install one with `apt-get install -y linux-image-amd64`", null));
    }

    /** Compares digit runs as numbers and the rest as text, so 6.1.0-56 sorts after 6.1.0-9. */
    static int compareVersions(String a, String b) {
        Matcher ma = CHUNK.matcher(a);
        Matcher mb = CHUNK.matcher(b);
        while (true) {
            boolean hasA = ma.find();
            boolean hasB = mb.find();
            if (!hasA || !hasB) {
                return Boolean.compare(hasA, hasB);
            }
            String ca = ma.group();
            String cb = mb.group();
            int c;
            if (Character.isDigit(ca.charAt(0)) && Character.isDigit(cb.charAt(0))) {
                String na = ca.replaceFirst("^0+(?=.)", "");
                String nb = cb.replaceFirst("^0+(?=.)", "");
                c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
            } else {
                c = ca.compareTo(cb);
            }
            if (c != 0) {
                return c;
            }
        }
    }
}
