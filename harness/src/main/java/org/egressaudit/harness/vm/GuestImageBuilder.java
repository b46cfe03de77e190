package org.egressaudit.harness.vm;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.exec.HostCommandResult;
import org.egressaudit.harness.run.Images;
import org.egressaudit.harness.sandbox.DockerEnvironment;
import org.egressaudit.harness.sandbox.ImageBuilder;

/**
 * Builds (once) the project's Linux guest for the VM sandbox: the Debian root file system of an
 * {@link ImageBuilder} image with the agent tooling and the QEMU guest agent, the modules of a host kernel, and an
 * init that configures eth0 by DHCP and starts qemu-ga; booted by QEMU with that host kernel and its initrd
 * (direct kernel boot, see {@link GuestImage}).
 *
 * <p>Guests are cached in {@code <cacheDir>/guest-<key>/}, the key hashing the package set, the Docker image id,
 * the kernel version, the guest scripts, the kernel command line and {@link #FORMAT_VERSION}; a complete folder
 * is reused. Building needs
 * root, Docker, {@code mkfs.ext4} (e2fsprogs 1.43+), {@code qemu-img}, {@code depmod} and, the first time,
 * debootstrap and the Debian mirror (through {@link ImageBuilder}).
 */
public final class GuestImageBuilder {
    /** What the guest needs on top of {@link Images#DEFAULT_PACKAGES}: the agent, modprobe, ip, udhcpc, strace. */
    public static final List<String> GUEST_PACKAGES = List.of("qemu-guest-agent", "kmod", "iproute2", "busybox",
            "ca-certificates", "strace");
    /** Bump when the build recipe changes in a way the other key inputs do not show. */
    public static final String FORMAT_VERSION = "1";
    /** Environment variable naming the cache folder. */
    public static final String CACHE_ENV = "EGRESS_AUDIT_CACHE";
    public static final Path DEFAULT_CACHE_DIR = Path.of("/var/cache/egress-audit/vm");

    private final ImageBuilder images;
    private final BaseImages baseImages;
    private final Supplier<HostKernel> kernels;
    private final DiskMaker diskMaker;
    private final GuestImageCache cache;

    /** A build step failed; {@link #step()} names it, the message has the tail of the failing tool's output. */
    public static final class GuestImageException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String step;

        public GuestImageException(String step, String detail, Throwable cause) {
            super("cannot build the guest image: " + step + " failed: " + detail, cause);
            this.step = Objects.requireNonNull(step);
        }

        public String step() {
            return step;
        }
    }

    /** The Docker image holding the guest's files: its reference and its content id. */
    record BaseImage(String reference, String id) {
    }

    /** Makes or reuses the Docker image for a package set. */
    @FunctionalInterface
    interface BaseImages {
        BaseImage resolve(List<String> packages, PrintWriter log);
    }

    /** Writes the qcow2 disk of {@code base} with {@code kernel}'s modules to {@code disk}; may use {@code work}. */
    @FunctionalInterface
    interface DiskMaker {
        void make(BaseImage base, HostKernel kernel, Path work, Path disk, PrintWriter log);
    }

    /**
     * @param images   makes the Debian root file system (its Docker image is cached on its own); consider
     *                 {@code tagLatest(false)} so the guest's package set does not become {@code egress-audit/base:latest}
     * @param cacheDir where guests are kept, e.g. {@link #defaultCacheDir()}
     */
    public GuestImageBuilder(ImageBuilder images, Path cacheDir) {
        this(images, cacheDir, Duration.ofMinutes(20));
    }

    /** As {@link #GuestImageBuilder(ImageBuilder, Path)}, with a time limit for each host command of the build. */
    public GuestImageBuilder(ImageBuilder images, Path cacheDir, Duration stepTimeout) {
        this(images, dockerImages(images), HostKernel::newest, realDisk(stepTimeout), cacheDir);
    }

    GuestImageBuilder(ImageBuilder images, BaseImages baseImages, Supplier<HostKernel> kernels, DiskMaker diskMaker,
                      Path cacheDir) {
        this.images = Objects.requireNonNull(images);
        this.baseImages = Objects.requireNonNull(baseImages);
        this.kernels = Objects.requireNonNull(kernels);
        this.diskMaker = Objects.requireNonNull(diskMaker);
        this.cache = new GuestImageCache(Objects.requireNonNull(cacheDir, "cacheDir"));
    }

    /** {@code $EGRESS_AUDIT_CACHE} when set, otherwise {@link #DEFAULT_CACHE_DIR}. */
    public static Path defaultCacheDir() {
        String env = System.getenv(CACHE_ENV);
        return env == null || env.isBlank() ? DEFAULT_CACHE_DIR : Path.of(env.strip());
    }

    public Path cacheDir() {
        return cache.dir();
    }

    /**
     * The guest's sorted package set: {@link Images#DEFAULT_PACKAGES}, {@link #GUEST_PACKAGES} and {@code extra}.
     *
     * @throws IllegalArgumentException naming a package that is not a Debian package name
     */
    public List<String> packageSet(List<String> extraPackages) {
        List<String> all = new ArrayList<>(Images.DEFAULT_PACKAGES);
        all.addAll(GUEST_PACKAGES);
        all.addAll(Objects.requireNonNull(extraPackages, "extraPackages"));
        return images.packageSet(all);
    }

    /**
     * Returns the guest with {@code extraPackages}, reusing a cached one; otherwise builds it (a few minutes,
     * more the first time when the Debian root file system is made).
     *
     * @throws IllegalArgumentException when a package name is invalid
     * @throws GuestImageException      naming the failing step
     */
    public GuestImage build(List<String> extraPackages, PrintWriter log) {
        Objects.requireNonNull(log, "log");
        long start = System.nanoTime();
        List<String> packages = packageSet(extraPackages);
        HostKernel kernel = kernels.get();
        BaseImage base = baseImages.resolve(packages, log);
        String key = GuestImageCache.key(packages, base.id(), kernel.version(), GuestScripts.fingerprint(),
                GuestImage.APPEND, FORMAT_VERSION);
        Path folder = cache.folder(key);
        Optional<GuestImage> ready = reuse(folder, start, log);
        if (ready.isPresent()) {
            return ready.get();
        }
        try (Closeable lock = cache.lock(key)) {
            ready = reuse(folder, start, log); // another build may have finished while we waited for the lock
            if (ready.isPresent()) {
                return ready.get();
            }
            if (Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
                log.println("guest cache folder " + folder + " is incomplete: removing it");
                removeTree(folder);
            }
            for (Path stale : cache.staleWorkFolders(key)) {
                log.println("removing " + stale + " left by an interrupted build");
                removeTree(stale);
            }
            log.println("building guest image " + folder.getFileName() + ": kernel " + kernel.version()
                    + ", base " + base.reference() + ", packages " + packages);
            buildInto(key, packages, base, kernel, log);
        } catch (IOException e) {
            throw new GuestImageException("guest cache", e.getMessage() + " (cache folder " + cache.dir() + ")", e);
        }
        GuestImage built = image(folder, kernel.version(), false, start);
        log.println("guest image ready in " + built.elapsed().toSeconds() + " s: " + folder);
        return built;
    }

    private void buildInto(String key, List<String> packages, BaseImage base, HostKernel kernel, PrintWriter log)
            throws IOException {
        Path work = cache.newWorkFolder(key);
        boolean published = false;
        try {
            Files.copy(kernel.vmlinuz(), work.resolve(GuestImageCache.KERNEL), StandardCopyOption.COPY_ATTRIBUTES);
            Files.copy(kernel.initrd(), work.resolve(GuestImageCache.INITRD), StandardCopyOption.COPY_ATTRIBUTES);
            diskMaker.make(base, kernel, work, work.resolve(GuestImageCache.DISK), log);
            new GuestManifest(Integer.parseInt(FORMAT_VERSION), kernel.version(), GuestImage.APPEND, packages,
                    base.reference(), base.id(), Instant.now().toString()).write(work);
            cache.publish(work, key);
            published = true;
        } finally {
            if (!published) {
                removeQuietly(work, log);
            }
        }
    }

    private static Optional<GuestImage> reuse(Path folder, long start, PrintWriter log) {
        if (!GuestImageCache.isComplete(folder)) {
            return Optional.empty();
        }
        try {
            GuestManifest m = GuestManifest.read(folder);
            log.println("guest image " + folder + " already built (" + m.created() + "): reusing it");
            return Optional.of(image(folder, m.kernelVersion(), true, start));
        } catch (IOException e) {
            log.println("guest cache folder " + folder + " is unusable (" + e.getMessage() + "): rebuilding it");
            return Optional.empty();
        }
    }

    private static GuestImage image(Path folder, String kernelVersion, boolean cached, long start) {
        return new GuestImage(folder.resolve(GuestImageCache.DISK), folder.resolve(GuestImageCache.KERNEL),
                folder.resolve(GuestImageCache.INITRD), GuestImage.APPEND, kernelVersion, cached,
                Duration.ofNanos(System.nanoTime() - start));
    }

    private static BaseImages dockerImages(ImageBuilder images) {
        return (packages, log) -> {
            ImageBuilder.BuildResult r;
            try {
                r = images.build(packages);
            } catch (ImageBuilder.ImageBuildException e) {
                throw new GuestImageException("build the Debian root file system", e.getMessage(), e);
            }
            log.println("base image " + r.image() + (r.cached() ? " (cached)" : " (built in "
                    + r.elapsed().toSeconds() + " s)"));
            HostCommandResult id = GuestStep.run("inspect the base image", HostCommand.of("docker", "image",
                    "inspect", "--format", "{{.Id}}", r.image()), Duration.ofMinutes(1));
            return new BaseImage(r.image(), id.stdoutText().strip());
        };
    }

    private static DiskMaker realDisk(Duration stepTimeout) {
        GuestRootFs rootFs = new GuestRootFs("docker", stepTimeout);
        GuestDisk disks = new GuestDisk(stepTimeout);
        return (base, kernel, work, disk, log) -> {
            if (!DockerEnvironment.isRoot()) {
                throw new GuestImageException("check privileges", "building the guest image needs root (the root"
                        + " file system holds device nodes and files of other owners)", null);
            }
            Path root = work.resolve("rootfs");
            try {
                Files.createDirectory(root);
                log.println("exporting " + base.reference() + " into " + root);
                rootFs.exportImage(base.reference(), root);
                log.println("adding the modules of kernel " + kernel.version());
                rootFs.addModules(kernel, root);
                log.println("installing the init, DHCP and shutdown scripts; user " + GuestRootFs.USER);
                rootFs.configure(root);
                log.println("making the ext4 disk");
                long size = disks.make(root, disk);
                log.println("disk: " + (size >> 20) + " MiB file system, " + (Files.size(disk) >> 20)
                        + " MiB qcow2");
            } catch (IOException e) {
                throw new GuestImageException("prepare the root folder", e.getMessage(), e);
            } finally {
                removeQuietly(root, log);
            }
        };
    }

    /** Deletes a folder of ours; stays on its file system so nothing mounted inside is ever walked. */
    static void removeTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        HostCommandResult r = HostCommand.of("rm", "-rf", "--one-file-system", dir.toString())
                .timeout(Duration.ofMinutes(5)).run();
        if (!r.succeeded()) {
            throw new GuestImageException("clean up", "cannot remove " + dir + ": " + r.outputTail(300), null);
        }
    }

    /** {@link #removeTree} for finally blocks: a failure is logged, never hides the exception under way. */
    private static void removeQuietly(Path dir, PrintWriter log) {
        try {
            removeTree(dir);
        } catch (RuntimeException e) {
            log.println("warning: " + e.getMessage());
        }
    }
}
