package org.egressaudit.harness.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.egressaudit.harness.sandbox.ImageBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cache and folder logic of GuestImageBuilder with a fake base image and a fake disk step. */
class GuestImageBuilderTest {
    @TempDir
    Path tmp;
    private Path cacheDir;
    private HostKernel kernel;
    private final AtomicInteger disksMade = new AtomicInteger();
    private final List<Path> workFolders = new ArrayList<>();
    private String imageId = "sha256:" + "a".repeat(64);
    private final StringWriter logText = new StringWriter();
    private final PrintWriter log = new PrintWriter(logText, true);

    @BeforeEach
    void setUp() throws IOException {
        cacheDir = tmp.resolve("cache");
        Path boot = Files.createDirectories(tmp.resolve("boot"));
        Files.writeString(boot.resolve("vmlinuz-6.1.0-9-amd64"), "kernel");
        Files.writeString(boot.resolve("initrd.img-6.1.0-9-amd64"), "initrd");
        Files.createDirectories(tmp.resolve("modules/6.1.0-9-amd64"));
        kernel = HostKernel.newest(boot, tmp.resolve("modules"));
    }

    private GuestImageBuilder builder(GuestImageBuilder.DiskMaker disk) {
        return new GuestImageBuilder(new ImageBuilder(),
                (packages, l) -> new GuestImageBuilder.BaseImage("egress-audit/base:test", imageId), () -> kernel,
                disk, cacheDir);
    }

    private GuestImageBuilder builder() {
        return builder((base, k, work, disk, l) -> {
            disksMade.incrementAndGet();
            workFolders.add(work);
            try {
                Files.writeString(disk, "qcow2 of " + base.id());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void buildsOnceThenReusesTheCompleteFolder() throws IOException {
        GuestImage first = builder().build(List.of(), log);
        assertFalse(first.cached());
        assertEquals(1, disksMade.get());
        Path folder = first.disk().getParent();
        assertEquals(cacheDir.toAbsolutePath(), folder.getParent());
        assertTrue(folder.getFileName().toString().matches("guest-[0-9a-f]{16}"), folder.toString());
        assertEquals("kernel", Files.readString(first.kernel()));
        assertEquals("initrd", Files.readString(first.initrd()));
        assertEquals("6.1.0-9-amd64", first.kernelVersion());
        assertEquals(GuestImage.APPEND, first.append());
        GuestManifest m = GuestManifest.read(folder);
        assertEquals("6.1.0-9-amd64", m.kernelVersion());
        assertEquals(imageId, m.imageId());
        assertTrue(m.packages().containsAll(GuestImageBuilder.GUEST_PACKAGES), m.packages().toString());
        assertFalse(Files.exists(workFolders.get(0)), "the work folder became the guest folder");

        GuestImage again = builder().build(List.of(), log);
        assertTrue(again.cached());
        assertEquals(first.disk(), again.disk());
        assertEquals(1, disksMade.get(), "nothing rebuilt");
        assertEquals(List.of(folder), entries(cacheDir, "guest-*"));
    }

    @Test
    void anotherPackageOrBaseImageIsAnotherGuest() {
        Path plain = builder().build(List.of(), log).disk();
        Path withTcpdump = builder().build(List.of("tcpdump"), log).disk();
        imageId = "sha256:" + "b".repeat(64); // the base image was rebuilt
        Path rebuiltBase = builder().build(List.of(), log).disk();
        assertEquals(3, disksMade.get());
        assertEquals(3, Stream.of(plain, withTcpdump, rebuiltBase).map(Path::getParent).distinct().count());
        // the same package asked for twice or in another order is the same guest
        imageId = "sha256:" + "a".repeat(64);
        assertTrue(builder().build(List.of("tcpdump", " tcpdump", "busybox"), log).cached());
    }

    @Test
    void keyCoversEveryInputAndCannotBeShiftedBetweenFields() {
        String k = GuestImageCache.key(List.of("a", "b"), "id", "6.1", "script", "append", "1");
        assertTrue(k.matches("[0-9a-f]{16}"), k);
        assertEquals(k, GuestImageCache.key(List.of("a", "b"), "id", "6.1", "script", "append", "1"));
        for (String other : List.of(
                GuestImageCache.key(List.of("a"), "id", "6.1", "script", "append", "1"),
                GuestImageCache.key(List.of("a", "b"), "id2", "6.1", "script", "append", "1"),
                GuestImageCache.key(List.of("a", "b"), "id", "6.2", "script", "append", "1"),
                GuestImageCache.key(List.of("a", "b"), "id", "6.1", "script2", "append", "1"),
                GuestImageCache.key(List.of("a", "b"), "id", "6.1", "script", "append2", "1"),
                GuestImageCache.key(List.of("a", "b"), "id", "6.1", "script", "append", "2"),
                GuestImageCache.key(List.of("a", "b"), "id6", ".1", "script", "append", "1"))) {
            assertNotEquals(k, other);
        }
    }

    @Test
    void aFailedBuildLeavesNothingThatLooksBuilt() throws IOException {
        GuestImageBuilder failing = builder((base, k, work, disk, l) -> {
            workFolders.add(work);
            try {
                Files.writeString(disk, "half a disk");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw new GuestImageBuilder.GuestImageException("mkfs.ext4", "disk full", null);
        });
        GuestImageBuilder.GuestImageException e = assertThrows(GuestImageBuilder.GuestImageException.class,
                () -> failing.build(List.of(), log));
        assertEquals("mkfs.ext4", e.step());
        assertTrue(e.getMessage().contains("mkfs.ext4 failed: disk full"), e.getMessage());
        assertFalse(Files.exists(workFolders.get(0)));
        assertEquals(List.of(), entries(cacheDir, "guest-*"));
        assertEquals(List.of(), entries(cacheDir, ".guest-*.tmp-*"));
        assertFalse(builder().build(List.of(), log).cached(), "the next build starts over");
    }

    @Test
    void leftoversOfACrashedBuildAreRemovedAndAnIncompleteFolderIsRebuilt() throws IOException {
        GuestImage good = builder().build(List.of(), log);
        Path folder = good.disk().getParent();
        String key = folder.getFileName().toString().substring(GuestImageCache.PREFIX.length());
        Path crashed = Files.createDirectories(cacheDir.resolve(".guest-" + key + ".tmp-12345/rootfs"));
        Files.delete(good.disk()); // someone deleted the disk by hand
        assertFalse(GuestImageCache.isComplete(folder));

        GuestImage rebuilt = builder().build(List.of(), log);
        assertFalse(rebuilt.cached());
        assertEquals(good.disk(), rebuilt.disk());
        assertTrue(Files.exists(rebuilt.disk()));
        assertFalse(Files.exists(crashed.getParent()), "crashed work folder removed");
        assertTrue(logText.toString().contains("interrupted build"), logText.toString());
        assertTrue(logText.toString().contains("incomplete"), logText.toString());
    }

    @Test
    void aCorruptManifestIsNotReused() throws IOException {
        GuestImage good = builder().build(List.of(), log);
        Files.writeString(good.disk().resolveSibling(GuestManifest.FILE), "{\"kernelVersion\": \"../../x\"}");
        assertFalse(builder().build(List.of(), log).cached());
        assertEquals(2, disksMade.get());
        assertEquals("6.1.0-9-amd64", GuestManifest.read(good.disk().getParent()).kernelVersion());
    }

    @Test
    void publishRefusesIncompleteFoldersAndExistingTargets() throws IOException {
        GuestImageCache cache = new GuestImageCache(cacheDir);
        String key = "0123456789abcdef";
        Path work = cache.newWorkFolder(key);
        assertThrows(IOException.class, () -> cache.publish(work, key));
        for (String f : List.of(GuestImageCache.DISK, GuestImageCache.KERNEL, GuestImageCache.INITRD,
                GuestManifest.FILE)) {
            Files.writeString(work.resolve(f), "x");
        }
        Files.createDirectories(cache.folder(key));
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> cache.publish(work, key));
        Files.delete(cache.folder(key));
        assertEquals(cache.folder(key), cache.publish(work, key));
        assertTrue(GuestImageCache.isComplete(cache.folder(key)));
        assertThrows(IllegalArgumentException.class, () -> cache.folder("../etc"));
    }

    @Test
    void badPackageNamesAreRejectedBeforeAnythingIsBuilt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder().build(List.of("curl; rm -rf /"), log));
        assertTrue(e.getMessage().contains("curl; rm -rf /"), e.getMessage());
        assertEquals(0, disksMade.get());
    }

    @Test
    void defaultCacheDirIsTheEnvironmentsOrVarCache() {
        String env = System.getenv(GuestImageBuilder.CACHE_ENV);
        Path expected = env == null || env.isBlank() ? Path.of("/var/cache/egress-audit/vm") : Path.of(env.strip());
        assertEquals(expected, GuestImageBuilder.defaultCacheDir());
    }

    private static List<Path> entries(Path dir, String glob) throws IOException {
        List<Path> out = new ArrayList<>();
        try (var s = Files.newDirectoryStream(dir, glob)) {
            s.forEach(out::add);
        }
        return out;
    }
}
