package org.egressaudit.harness.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.egressaudit.harness.exec.HostCommand;

/**
 * Turns a Docker image into the guest's root file system in a host folder: exports the image's files, adds the
 * modules of the kernel the guest boots, installs {@link GuestScripts}, and sets up the host name and the users.
 * Needs root (the export holds device nodes and files of other owners).
 */
final class GuestRootFs {
    /** Module folders no virtual machine of ours needs (about 170 MB of the ~380 MB). */
    static final List<String> SKIPPED_MODULES = List.of("kernel/drivers/gpu", "kernel/drivers/media",
            "kernel/drivers/infiniband", "kernel/drivers/staging", "kernel/drivers/net/wireless",
            "kernel/drivers/net/ethernet", "kernel/sound");
    static final String USER = "user";
    static final int USER_UID = 1000;
    static final String HOSTNAME = "sandbox";

    private final String docker;
    private final Duration timeout;

    GuestRootFs(String docker, Duration timeout) {
        this.docker = Objects.requireNonNull(docker);
        this.timeout = Objects.requireNonNull(timeout);
    }

    /** Extracts the files of {@code image} into the empty folder {@code root}. */
    void exportImage(String image, Path root) {
        String id = GuestStep.run("docker create", HostCommand.of(docker, "create", "--network", "none", image,
                "/bin/true"), Duration.ofMinutes(2)).stdoutText().strip();
        if (!id.matches("[0-9a-f]{12,64}")) {
            throw new GuestImageBuilder.GuestImageException("docker create",
                    "unexpected container id from `docker create " + image + "`: " + id, null);
        }
        try {
            GuestStep.run("docker export", HostCommand.shell(
                    "\"$1\" export \"$2\" | tar --numeric-owner --same-permissions -x -f - -C \"$3\"",
                    docker, id, root.toString()), timeout);
        } finally {
            HostCommand.of(docker, "rm", "-f", id).timeout(Duration.ofMinutes(1)).run();
        }
        try {
            // Docker adds this marker to every export; programs take it to mean "in a container"
            Files.deleteIfExists(root.resolve(".dockerenv"));
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new GuestImageBuilder.GuestImageException("docker export", "cannot tidy " + root + ": "
                    + e.getMessage(), e);
        }
    }

    /** Copies the kernel's modules (minus {@link #SKIPPED_MODULES}) into the root and indexes them with depmod. */
    void addModules(HostKernel kernel, Path root) {
        Path target;
        try {
            target = inside(root, "/lib/modules/" + kernel.version()).getParent();
        } catch (IOException e) {
            throw new GuestImageBuilder.GuestImageException("copy kernel modules", e.getMessage(), e);
        }
        List<String> tar = new ArrayList<>(List.of("tar", "-C", kernel.modules().getParent().toString(),
                "--anchored"));
        for (String skip : SKIPPED_MODULES) {
            tar.add("--exclude=" + kernel.version() + "/" + skip);
        }
        tar.addAll(List.of("-c", "-f", "-", kernel.version()));
        GuestStep.run("copy kernel modules", HostCommand.shell(
                "\"${@:2}\" | tar --numeric-owner -x -f - -C \"$1\"", prepend(target.toString(), tar)), timeout);
        GuestStep.run("depmod", HostCommand.of("depmod", "-b", root.toString(), kernel.version()), timeout);
    }

    private static String[] prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>(rest.size() + 1);
        all.add(first);
        all.addAll(rest);
        return all.toArray(String[]::new);
    }

    /** Installs the scripts, names the host, creates {@link #USER} and makes root's password unusable. */
    void configure(Path root) {
        try {
            for (Map.Entry<String, String> e : GuestScripts.executables().entrySet()) {
                write(root, e.getKey(), e.getValue(), "rwxr-xr-x");
            }
            write(root, "/etc/hostname", HOSTNAME + "\n", "rw-r--r--");
            write(root, "/etc/hosts", "127.0.0.1\tlocalhost\n127.0.1.1\t" + HOSTNAME + "\n"
                    + "::1\tlocalhost ip6-localhost ip6-loopback\n", "rw-r--r--");
            // Docker's placeholder; the DHCP script fills it in the guest
            write(root, "/etc/resolv.conf", "", "rw-r--r--");
        } catch (IOException e) {
            throw new GuestImageBuilder.GuestImageException("install guest scripts", e.getMessage(), e);
        }
        // the guest's own tools, so the entries match its login.defs and shadow format
        GuestStep.run("create user", HostCommand.of("chroot", root.toString(), "useradd", "--create-home",
                "--uid", Integer.toString(USER_UID), "--user-group", "--shell", "/bin/bash", USER), timeout);
        GuestStep.run("lock root password", HostCommand.of("chroot", root.toString(), "usermod", "--password", "*",
                "root"), timeout);
    }

    private static void write(Path root, String guestPath, String text, String mode) throws IOException {
        Path file = inside(root, guestPath);
        Files.deleteIfExists(file); // a link (Docker's resolv.conf) is replaced, never written through
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }

    /**
     * The host path of {@code guestPath} in {@code root}, creating missing parent folders. Links on the way are
     * followed only when they stay inside the root (Debian's /sbin -> usr/sbin), so nothing is ever written to
     * the host through an absolute link in the image.
     */
    static Path inside(Path root, String guestPath) throws IOException {
        if (!guestPath.startsWith("/") || guestPath.contains("/../") || guestPath.endsWith("/..")) {
            throw new IllegalArgumentException("not an absolute guest path: " + guestPath);
        }
        Path realRoot = root.toRealPath();
        Path relative = Path.of(guestPath.substring(1));
        Path current = realRoot;
        for (int i = 0; i < relative.getNameCount() - 1; i++) {
            Path next = current.resolve(relative.getName(i).toString());
            if (Files.isSymbolicLink(next)) {
                next = next.toRealPath();
                if (!next.startsWith(realRoot)) {
                    throw new IOException(guestPath + " leads out of the guest root through the link "
                            + current.resolve(relative.getName(i).toString()));
                }
            } else if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(next);
            }
            if (!Files.isDirectory(next, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(next + " is not a folder (on the way to " + guestPath + ")");
            }
            current = next;
        }
        return current.resolve(relative.getFileName().toString());
    }
}
