package org.egressaudit.harness.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** An installed distribution kernel: {@code /boot/vmlinuz-V}, {@code /boot/initrd.img-V}, {@code /lib/modules/V}. */
public record HostKernel(String version, Path vmlinuz, Path initrd, Path modules) {

    /** The newest complete kernel installed on this machine (version order), if any. */
    public static Optional<HostKernel> newest() {
        return newest(Path.of("/boot"), Path.of("/lib/modules"));
    }

    static Optional<HostKernel> newest(Path boot, Path modulesRoot) {
        List<HostKernel> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(boot)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (!name.startsWith("vmlinuz-")) {
                    continue;
                }
                String v = name.substring("vmlinuz-".length());
                Path initrd = boot.resolve("initrd.img-" + v);
                Path modules = modulesRoot.resolve(v);
                if (Files.isReadable(p) && Files.isRegularFile(initrd) && Files.isDirectory(modules)) {
                    found.add(new HostKernel(v, p, initrd, modules));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return found.stream().max(Comparator.comparing(HostKernel::version, HostKernel::compareVersions));
    }

    /** Compares "6.1.0-56-amd64" style versions number by number. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("[.-]");
        String[] y = b.split("[.-]");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c;
            if (x[i].matches("\\d{1,9}") && y[i].matches("\\d{1,9}")) {
                c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
            } else {
                c = x[i].compareTo(y[i]);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }
}
