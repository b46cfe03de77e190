package org.egressaudit.harness.vm;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * Folder layout of the guest image cache. A guest lives in {@code <cacheDir>/guest-<key>/} with {@link #DISK},
 * {@link #KERNEL}, {@link #INITRD} and {@link GuestManifest#FILE}; the key is a hash of everything that goes into
 * it. A guest is built in a hidden temporary sibling and renamed into place in one step, so a folder with the
 * final name is always complete; builds of one key are serialised by a lock file (and an in-process lock, since
 * file locks are per process), and leftovers of a crashed build are removed by the next one.
 */
final class GuestImageCache {
    static final String DISK = "disk.qcow2";
    static final String KERNEL = "vmlinuz";
    static final String INITRD = "initrd.img";
    static final String PREFIX = "guest-";
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{16}");
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path dir;

    GuestImageCache(Path dir) {
        this.dir = Objects.requireNonNull(dir).toAbsolutePath().normalize();
    }

    Path dir() {
        return dir;
    }

    /** First 16 hex digits of a SHA-256 over every input of the image, each labelled and length-prefixed. */
    static String key(List<String> packages, String imageId, String kernelVersion, String scripts, String append,
                      String formatVersion) {
        StringBuilder identity = new StringBuilder();
        field(identity, "format", formatVersion);
        field(identity, "packages", String.join(",", packages));
        field(identity, "image", imageId);
        field(identity, "kernel", kernelVersion);
        field(identity, "scripts", scripts);
        field(identity, "append", append);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(identity.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void field(StringBuilder sb, String name, String value) {
        Objects.requireNonNull(value, name);
        sb.append(name).append('=').append(value.length()).append(':').append(value).append('\n');
    }

    Path folder(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a guest cache key: " + key);
        }
        return dir.resolve(PREFIX + key);
    }

    /** Whether {@code folder} holds a whole guest (a real folder, not a link, with every file non-empty). */
    static boolean isComplete(Path folder) {
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        for (String name : List.of(DISK, KERNEL, INITRD, GuestManifest.FILE)) {
            Path f = folder.resolve(name);
            try {
                if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.size(f) == 0) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** Holds the build lock of {@code key} until closed; blocks while another build of it runs. */
    Closeable lock(String key) throws IOException {
        Files.createDirectories(dir);
        Path lockFile = dir.resolve("." + PREFIX + key + ".lock");
        ReentrantLock local = IN_PROCESS.computeIfAbsent(lockFile, k -> new ReentrantLock());
        local.lock();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = channel.lock();
            FileChannel held = channel;
            return new Closeable() {
                private boolean closed;

                @Override
                public void close() throws IOException {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    try {
                        fileLock.release();
                        held.close();
                    } finally {
                        local.unlock();
                    }
                }
            };
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            local.unlock();
            throw e;
        }
    }

    /** A new empty work folder for {@code key}, next to where the guest will live (same file system: rename works). */
    Path newWorkFolder(String key) throws IOException {
        Files.createDirectories(dir);
        Path work = Files.createTempDirectory(dir, "." + PREFIX + key + ".tmp-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        return work;
    }

    /** Work folders of {@code key} left by builds that crashed; call only while holding {@link #lock}. */
    List<Path> staleWorkFolders(String key) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "." + PREFIX + key + ".tmp-*")) {
            List<Path> out = new java.util.ArrayList<>();
            s.forEach(out::add);
            out.sort(null);
            return out;
        }
    }

    /**
     * Renames the complete {@code work} folder to the guest folder of {@code key} in one step.
     *
     * @throws IOException when the folder already exists or the rename is not atomic on this file system
     */
    Path publish(Path work, String key) throws IOException {
        if (!isComplete(work)) {
            throw new IOException("refusing to publish incomplete guest folder " + work);
        }
        Path target = folder(key);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        try {
            return Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + work + " to " + target + " atomically: " + e.getMessage(), e);
        }
    }
}
