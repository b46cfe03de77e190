package org.egressaudit.harness.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.exec.HostCommandException;
import org.egressaudit.harness.exec.HostCommandResult;

/**
 * Backend of {@code egress-audit images build}: a Debian root file system made with {@code debootstrap
 * --variant=minbase}, imported with {@code docker import} as {@code egress-audit/base:<tag>}, where the tag is a
 * content hash of what goes in (suite, variant, sorted packages, architecture, builder version). An image with
 * that tag already present is reused, so asking twice for the same package set builds once. The newest image
 * is also tagged {@code egress-audit/base:latest}. No registry is involved: packages come from the Debian mirror.
 */
public final class ImageBuilder {
    public static final String REPOSITORY = "egress-audit/base";
    /** Bump when the build recipe changes so old cached images are not reused. */
    public static final String BUILDER_VERSION = "1";
    public static final String DEFAULT_SUITE = "bookworm";
    public static final String DEFAULT_MIRROR = "http://deb.debian.org/debian";
    public static final String VARIANT = "minbase";
    /** What the harness itself uses inside the sandbox (trust store, ip, strace). */
    public static final List<String> BASE_PACKAGES = List.of("ca-certificates", "iproute2", "strace");
    private static final Pattern PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]{1,99}");
    private static final Pattern SUITE = Pattern.compile("[a-z][a-z0-9-]{1,31}");
    private static final int MAX_PACKAGES = 500;

    private String suite = DEFAULT_SUITE;
    private String mirror = DEFAULT_MIRROR;
    private Path workParent = Path.of(System.getProperty("egress-audit.image.workdir", "/var/tmp"));
    private String debootstrap = "debootstrap";
    private String docker = "docker";
    private Duration buildTimeout = Duration.ofMinutes(30);
    private boolean tagLatest = true;
    private PrintStream log = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);

    /** Outcome: the image reference, whether it was reused, and how long it took. */
    public record BuildResult(String image, boolean cached, List<String> packages, Duration elapsed) {
        public BuildResult {
            packages = List.copyOf(packages);
        }
    }

    /** A build could not be done; the message says what to install or change. */
    public static final class ImageBuildException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ImageBuildException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public ImageBuilder suite(String suite) {
        if (suite == null || !SUITE.matcher(suite).matches()) {
            throw new IllegalArgumentException("bad Debian suite name '" + suite + "' (e.g. bookworm)");
        }
        this.suite = suite;
        return this;
    }

    public ImageBuilder mirror(String mirror) {
        try {
            URI u = new URI(mirror);
            if (u.getScheme() == null || !List.of("http", "https", "file").contains(u.getScheme())) {
                throw new IllegalArgumentException("mirror must be an http, https or file URL: " + mirror);
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad mirror URL '" + mirror + "': " + e.getMessage(), e);
        }
        this.mirror = mirror;
        return this;
    }

    /** Folder in which the temporary root file system is made (needs exec and device nodes: not a noexec tmpfs). */
    public ImageBuilder workDirectory(Path parent) {
        this.workParent = Objects.requireNonNull(parent);
        return this;
    }

    /** The debootstrap executable (name on PATH or path). */
    public ImageBuilder debootstrapCommand(String command) {
        this.debootstrap = Objects.requireNonNull(command);
        return this;
    }

    public ImageBuilder dockerCommand(String command) {
        this.docker = Objects.requireNonNull(command);
        return this;
    }

    /** Whether the result is also tagged {@code egress-audit/base:latest} (default yes). */
    public ImageBuilder tagLatest(boolean on) {
        this.tagLatest = on;
        return this;
    }

    public ImageBuilder buildTimeout(Duration timeout) {
        this.buildTimeout = Objects.requireNonNull(timeout);
        return this;
    }

    /** Progress and tool output go here (not closed). */
    public ImageBuilder log(OutputStream out) {
        this.log = new PrintStream(Objects.requireNonNull(out), true, StandardCharsets.UTF_8);
        return this;
    }

    /** Sorted, de-duplicated package set including {@link #BASE_PACKAGES}. */
    public List<String> packageSet(Collection<String> requested) {
        if (requested.size() > MAX_PACKAGES) {
            throw new IllegalArgumentException("too many packages: " + requested.size() + " (max " + MAX_PACKAGES + ")");
        }
        TreeSet<String> all = new TreeSet<>(BASE_PACKAGES);
        for (String p : requested) {
            String name = p == null ? "" : p.strip();
            if (name.isEmpty()) {
                continue;
            }
            if (!PACKAGE.matcher(name).matches()) {
                throw new IllegalArgumentException("not a Debian package name: '" + p + "'");
            }
            all.add(name);
        }
        return List.copyOf(all);
    }

    /** The image reference a build of {@code requested} produces, without building. */
    public String imageFor(Collection<String> requested) {
        return REPOSITORY + ":" + tagFor(suite, packageSet(requested));
    }

    static String tagFor(String suite, List<String> packages) {
        String identity = "suite=" + suite + "\nvariant=" + VARIANT + "\npackages=" + String.join(",", packages)
                + "\narch=" + System.getProperty("os.arch") + "\nbuilder=" + BUILDER_VERSION + "\n";
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return suite + "-" + HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Returns the image for {@code requested} packages, building it unless it is already present locally.
     *
     * @throws ImageBuildException naming the failing step (not root, debootstrap missing, mirror, docker)
     */
    public BuildResult build(Collection<String> requested) {
        long start = System.nanoTime();
        List<String> packages = packageSet(requested);
        String image = REPOSITORY + ":" + tagFor(suite, packages);
        if (imageExists(image)) {
            log.println("image " + image + " already built for " + suite + " + " + packages + ": reusing it");
            tagLatest(image);
            return new BuildResult(image, true, packages, Duration.ofNanos(System.nanoTime() - start));
        }
        if (!DockerEnvironment.isRoot()) {
            throw new ImageBuildException("building " + image + " needs root (debootstrap creates device nodes and"
                    + " chroots): run `sudo bin/egress-audit images build`", null);
        }
        requireDebootstrap();
        Path rootfs;
        try {
            Files.createDirectories(workParent);
            rootfs = Files.createTempDirectory(workParent, "egress-audit-rootfs-");
        } catch (IOException e) {
            throw new ImageBuildException("cannot create a work folder under " + workParent + ": " + e.getMessage(), e);
        }
        try {
            log.println("debootstrap " + suite + " (" + VARIANT + ") from " + mirror + " with " + packages
                    + " into " + rootfs);
            step("debootstrap", HostCommand.of(debootstrap, "--variant=" + VARIANT,
                    "--include=" + String.join(",", packages), suite, rootfs.toString(), mirror));
            log.println("importing " + rootfs + " as " + image);
            // tar streams straight into docker import; --numeric-owner keeps the rootfs uids as they are
            step("docker import", HostCommand.shell(
                    "tar --numeric-owner --exclude='./var/cache/apt/archives/*.deb' --exclude='./var/lib/apt/lists/*'"
                            + " -C \"$1\" -c . | \"$2\" import --change \"LABEL egress-audit.builder=$4\""
                            + " --change 'CMD [\"sleep\",\"infinity\"]' - \"$3\"",
                    rootfs.toString(), docker, image, BUILDER_VERSION));
            tagLatest(image);
            log.println("built " + image);
        } finally {
            removeTree(rootfs);
        }
        return new BuildResult(image, false, packages, Duration.ofNanos(System.nanoTime() - start));
    }

    private void step(String what, HostCommand command) {
        try {
            command.timeout(buildTimeout).echoTo(log).runChecked();
        } catch (HostCommandException e) {
            String hint = what.equals("debootstrap")
                    ? " (check the mirror " + mirror + " is reachable and the packages exist in " + suite + ";"
                    + " debootstrap's log is in the work folder's debootstrap/debootstrap.log while it runs)"
                    : "";
            throw new ImageBuildException(what + " failed" + hint + ": " + e.getMessage(), e);
        }
    }

    private void requireDebootstrap() {
        try {
            HostCommandResult r = HostCommand.of(debootstrap, "--version").timeout(Duration.ofSeconds(30)).run();
            if (!r.succeeded()) {
                throw new ImageBuildException("`" + debootstrap + " --version` failed: " + r.outputTail(300), null);
            }
        } catch (HostCommandException e) {
            throw new ImageBuildException("debootstrap is not installed: `apt-get install -y debootstrap`", e);
        }
    }

    /** Whether {@code image} is present in the local engine. */
    public boolean imageExists(String image) {
        try {
            HostCommandResult r = HostCommand.of(docker, "image", "inspect", "--format", "{{.Id}}", image)
                    .timeout(Duration.ofSeconds(30)).run();
            if (r.succeeded()) {
                return true;
            }
            if (r.stderrText().contains("No such image") || r.stderrText().contains("No such object")) {
                return false;
            }
            throw new ImageBuildException("cannot ask Docker for " + image + ": " + r.outputTail(300)
                    + " (is dockerd running? `docker info`)", null);
        } catch (HostCommandException e) {
            throw new ImageBuildException("the docker command is not available: `apt-get install -y docker.io`", e);
        }
    }

    private void tagLatest(String image) {
        if (!tagLatest) {
            return;
        }
        try {
            HostCommand.of(docker, "tag", image, REPOSITORY + ":latest").timeout(Duration.ofSeconds(30)).runChecked();
        } catch (HostCommandException e) {
            throw new ImageBuildException("cannot tag " + image + " as latest: " + e.getMessage(), e);
        }
    }

    /**
     * Removes the temporary root file system. debootstrap mounts proc/sys inside it and leaves them mounted when it
     * fails; those are unmounted first and rm stays on one file system, so the host's /proc or /sys is never walked.
     */
    private void removeTree(Path dir) {
        try {
            List<String> mounts = mountsUnder(dir);
            for (int i = mounts.size() - 1; i >= 0; i--) {
                HostCommand.of("umount", "-l", mounts.get(i)).timeout(Duration.ofSeconds(30)).run();
            }
            HostCommandResult r = HostCommand.of("rm", "-rf", "--one-file-system", dir.toString())
                    .timeout(Duration.ofMinutes(5)).run();
            if (!r.succeeded()) {
                log.println("warning: could not remove " + dir + ": " + r.outputTail(300));
            }
        } catch (HostCommandException | IOException e) {
            log.println("warning: could not remove " + dir + ": " + e.getMessage());
        }
    }

    static List<String> mountsUnder(Path dir) throws IOException {
        String prefix = dir.toRealPath().toString() + "/";
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4) {
                String mountPoint = f[4].replace("\\040", " ");
                if (mountPoint.startsWith(prefix)) {
                    out.add(mountPoint);
                }
            }
        }
        out.sort(null);
        return out;
    }
}
