package org.egressaudit.harness.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.exec.HostCommandException;
import org.egressaudit.harness.exec.HostCommandResult;

/**
 * A raw disk image holding a file system made from a host folder, attached to a guest as a second drive: the way
 * files get into (and results out of) a guest that has no QEMU guest agent. Nothing is ever mounted on the host:
 * ext4 is filled by {@code mkfs.ext4 -d} and read with {@code debugfs}; FAT (for Windows guests) is filled and read
 * with mtools. Everything read back is treated as written by the guest, that is, by the audited agent: sizes are
 * bounded, every tool has a time limit, and paths are checked before they reach a tool.
 *
 * <pre>{@code
 * DataDisk disk = DataDisk.create(folder, work.resolve("data.img"), DataDisk.Format.EXT4);
 * argv.addAll(disk.qemuArguments());
 * ... after QEMU exited ...
 * disk.copyOut("egress-audit/out/agent.log", run.resolve("agent.log"), 64L << 20);
 * }</pre>
 */
public final class DataDisk {
    /** File system type on the disk. */
    public enum Format {
        /** Linux guests: modes and owners kept, no size limit per file that matters here. */
        EXT4,
        /** Windows guests (and anything else that reads FAT): no modes, names case-insensitive, files below 4 GiB. */
        FAT
    }

    /** The default volume label of an ext4 data disk, which the boot script and the built-in guest look for. */
    public static final String LABEL = "EGRESS-DATA";
    /** The default label of a FAT data disk: FAT labels are upper case and at most 11 characters. */
    public static final String FAT_LABEL = "EGRESSDATA";
    /** Free space left on top of the content for what the guest writes back (logs, the strace trace). */
    public static final long DEFAULT_ROOM = 256L << 20;
    /** Content limits of one disk: the disk is built on the host, in the run folder. */
    public static final long MAX_CONTENT_BYTES = 4L << 30;
    public static final int MAX_ENTRIES = 100_000;
    public static final long MAX_ROOM = 32L << 30;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private static final long MIB = 1L << 20;
    private static final long FAT_MAX_FILE = (4L << 30) - 1;
    /** debugfs and mdir print listings on stdout: more than this is not a directory we wrote. */
    private static final int MAX_LISTING_BYTES = 8 << 20;
    private static final Pattern EXT4_LABEL = Pattern.compile("[A-Za-z0-9._-]{1,16}");
    private static final Pattern FAT_LABEL_CHARS = Pattern.compile("[A-Z0-9_-]{1,11}");
    /** {@code debugfs ls -p}: /inode/mode/uid/gid/name/size/ (size empty for folders). */
    private static final Pattern DEBUGFS_ENTRY = Pattern.compile("^/(\\d+)/([0-7]+)/(\\d+)/(\\d+)/(.*)/(\\d*)/$");
    /** {@code mdir -a}: 8.3 name, size or <DIR>, date, time, the long name when it differs, a trailing space. */
    private static final Pattern MDIR_ENTRY = Pattern.compile(
            "^(.{8}) (.{3}) *(<DIR>|\\d+) +\\d{4}-\\d\\d-\\d\\d +\\d{1,2}:\\d\\d(?:  (.*?))? *$");
    /** Characters FAT (and Windows) cannot store in a name, plus those mtools takes as wildcards. */
    private static final String FAT_FORBIDDEN = "\"*/:<>?\\|[]";

    /** One entry of a directory on the disk; {@code size} is 0 for folders. */
    public record Entry(String name, boolean directory, long size) {
        public Entry {
            Objects.requireNonNull(name, "name");
        }
    }

    private final Path image;
    private final Format format;
    private final String label;
    private final Duration timeout;

    private DataDisk(Path image, Format format, String label, Duration timeout) {
        this.image = image;
        this.format = format;
        this.label = label;
        this.timeout = timeout;
    }

    /** {@link #create(Path, Path, Format, String, long, Duration)} with the format's default label and room. */
    public static DataDisk create(Path source, Path image, Format format) {
        return create(source, image, format, defaultLabel(format), DEFAULT_ROOM, DEFAULT_TIMEOUT);
    }

    /**
     * Builds a raw image at {@code image} (which must not exist) holding the files and folders under
     * {@code source}. The image is sparse: its size is content + half again + {@code room}, but only what is
     * written takes space.
     *
     * @param label the volume label the guest finds the disk by ({@link #LABEL}, {@link #FAT_LABEL})
     * @param room  free space for what the guest writes back
     * @throws IllegalArgumentException naming the bad input: a missing folder, a symbolic link or special file in
     *                                  it, too much content, a name FAT cannot hold, a bad label
     * @throws DataDiskException        when a tool failed (its name and output in the message); no image is left
     */
    public static DataDisk create(Path source, Path image, Format format, String label, long room,
                                  Duration timeout) {
        Objects.requireNonNull(format, "format");
        checkLabel(format, Objects.requireNonNull(label, "label"));
        if (room < 0 || room > MAX_ROOM) {
            throw new IllegalArgumentException("room must be within 0.." + (MAX_ROOM >> 20) + " MiB: " + room);
        }
        requirePositive(timeout);
        if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("no such folder to make a data disk of: " + source);
        }
        if (Files.exists(image, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("data disk image already exists: " + image);
        }
        Content content = Content.measure(source, format);
        long size = sizeFor(format, content.bytes(), content.entries(), room);
        DataDisk disk = new DataDisk(image, format, label, timeout);
        boolean done = false;
        try {
            if (format == Format.EXT4) {
                disk.makeExt4(source, size, content.entries());
            } else {
                disk.makeFat(source, size);
            }
            done = true;
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(image);
                } catch (IOException e) {
                    // the failure under way is what matters; the image is in the caller's work folder
                }
            }
        }
        return disk;
    }

    /** An existing data disk image, e.g. after the guest stopped, for reading its results. */
    public static DataDisk open(Path image, Format format) {
        return open(image, format, DEFAULT_TIMEOUT);
    }

    public static DataDisk open(Path image, Format format, Duration timeout) {
        Objects.requireNonNull(format, "format");
        requirePositive(timeout);
        if (!Files.isRegularFile(image)) {
            throw new IllegalArgumentException("no such data disk image: " + image);
        }
        return new DataDisk(image, format, null, timeout);
    }

    public static String defaultLabel(Format format) {
        return format == Format.EXT4 ? LABEL : FAT_LABEL;
    }

    public Path image() {
        return image;
    }

    public Format format() {
        return format;
    }

    /**
     * The QEMU arguments attaching the image as a raw virtio drive (after the root disk, so the guest sees it as
     * {@code /dev/vdb}; the guest finds it by its label anyway). A Windows guest without virtio drivers needs
     * {@code if=ide} instead: take {@link #driveOption(String)}.
     */
    public List<String> qemuArguments() {
        return List.of("-drive", driveOption("virtio"));
    }

    /** The {@code -drive} value for bus {@code iface} ({@code virtio}, {@code ide}). */
    public String driveOption(String iface) {
        if (!iface.matches("[a-z]{2,10}")) {
            throw new IllegalArgumentException("bad drive interface: " + iface);
        }
        String file = image.toAbsolutePath().toString();
        if (file.contains(",")) {
            throw new IllegalArgumentException("path contains a comma, which QEMU options cannot carry: " + file);
        }
        // cache=writeback (QEMU's default) so the guest's flushes reach the file: results are read from it
        return "file=" + file + ",if=" + iface + ",format=raw,cache=writeback";
    }

    /**
     * File system size for the content: content + 50 % + room, at least 32 MiB (64 MiB for FAT, so mkfs.vfat
     * never has to squeeze clusters), rounded up to a MiB.
     */
    static long sizeFor(Format format, long contentBytes, long entries, long room) {
        if (contentBytes < 0 || entries < 0 || room < 0) {
            throw new IllegalArgumentException("negative size");
        }
        long raw = Math.addExact(Math.addExact(contentBytes, contentBytes / 2), room);
        raw = Math.addExact(raw, Math.multiplyExact(entries, 16 * 1024)); // directory blocks, cluster slack
        long min = format == Format.FAT ? 64 * MIB : 32 * MIB;
        raw = Math.max(raw, min);
        return Math.multiplyExact((raw + MIB - 1) / MIB, MIB);
    }

    private void makeExt4(Path source, long size, long entries) {
        // no journal: the guest's sync then puts metadata where debugfs reads it; with a journal, metadata a
        // guest synced but never checkpointed (no clean unmount) would stay invisible to debugfs
        run("mkfs.ext4", HostCommand.of("mkfs.ext4", "-q", "-F", "-L", label, "-O", "^has_journal",
                "-N", Long.toString(Math.max(4096, entries * 2 + 1024)), "-d", source.toString(),
                image.toString(), (size / 1024) + "k"), "build the data disk from " + source);
    }

    private void makeFat(Path source, long size) {
        run("mkfs.vfat", HostCommand.of("mkfs.vfat", "-C", "-n", label, image.toString(),
                Long.toString(size / 1024)), "format the data disk");
        List<String> top = new ArrayList<>();
        try (Stream<Path> s = Files.list(source)) {
            s.sorted().forEach(p -> top.add(p.toString()));
        } catch (IOException e) {
            throw new DataDiskException("cannot list " + source + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < top.size(); i += 500) {
            List<String> argv = new ArrayList<>(List.of("mcopy", "-s", "-p", "-m", "-Q", "-i", image.toString()));
            argv.addAll(top.subList(i, Math.min(top.size(), i + 500)));
            argv.add("::/");
            run("mcopy", mtools(HostCommand.of(argv)), "copy " + source + " onto the data disk");
        }
    }

    /**
     * Lists a folder of the disk ({@code ""} or {@code "/"} for the top), without {@code .} and {@code ..}.
     *
     * @throws DataDiskException when it does not exist, is not a folder, or the tool's output is not understood
     */
    public List<Entry> list(String folder) {
        String p = diskPath(folder, true);
        return format == Format.EXT4 ? listExt4(p) : listFat(p);
    }

    /**
     * Copies the file {@code path} of the disk to {@code hostFile} (created or replaced), at most {@code maxBytes}.
     *
     * @return the number of bytes copied
     * @throws DataDiskException when the file is missing, is not a regular file, is larger than {@code maxBytes}
     *                           (nothing is left at {@code hostFile} then), or the tool failed
     */
    public long copyOut(String path, Path hostFile, long maxBytes) {
        String p = diskPath(path, false);
        if (maxBytes < 0) {
            throw new IllegalArgumentException("negative maxBytes: " + maxBytes);
        }
        Objects.requireNonNull(hostFile, "hostFile");
        int slash = p.lastIndexOf('/');
        String parent = slash < 0 ? "" : p.substring(0, slash);
        String name = p.substring(slash + 1);
        Entry e = null;
        for (Entry x : list(parent)) {
            if (x.name().equals(name)) {
                e = x;
            }
        }
        if (e == null) {
            throw new DataDiskException("no file " + p + " on the data disk " + image);
        }
        if (e.directory()) {
            throw new DataDiskException(p + " on the data disk " + image + " is a folder, not a file");
        }
        if (e.size() > maxBytes) {
            throw new DataDiskException(p + " on the data disk " + image + " has " + e.size()
                    + " bytes, more than the limit of " + maxBytes);
        }
        // the listing's size is the guest's word: head bounds what is really written to the host
        HostCommand c = format == Format.EXT4
                ? HostCommand.shell("debugfs -R \"cat $1\" \"$2\" | head -c \"$3\" > \"$4\"", quoteDebugfs(p),
                        image.toString(), Long.toString(maxBytes + 1), hostFile.toString())
                : mtools(HostCommand.shell("mcopy -n -i \"$2\" \"$1\" - | head -c \"$3\" > \"$4\"", "::/" + p,
                        image.toString(), Long.toString(maxBytes + 1), hostFile.toString()));
        HostCommandResult r = c.timeout(timeout).run();
        long size;
        try {
            size = Files.size(hostFile);
        } catch (IOException ex) {
            throw new DataDiskException("cannot copy " + p + " from the data disk " + image + ": "
                    + tool() + " wrote nothing to " + hostFile + ": " + r.outputTail(500), ex);
        }
        if (size > maxBytes) {
            deleteQuietly(hostFile);
            throw new DataDiskException(p + " on the data disk " + image + " is larger than the limit of "
                    + maxBytes + " bytes");
        }
        String problem = !r.succeeded() ? "exited with code " + r.exitCode() + (r.timedOut() ? " (timed out)" : "")
                : toolComplaint(r);
        if (problem != null) {
            deleteQuietly(hostFile);
            throw new DataDiskException("cannot copy " + p + " from the data disk " + image + ": " + tool() + " "
                    + problem + ": " + r.outputTail(1000));
        }
        return size;
    }

    /** The file {@code path} of the disk as bytes, at most {@code maxBytes}. */
    public byte[] read(String path, int maxBytes) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("egress-audit-data-", ".bin");
            copyOut(path, tmp, maxBytes);
            return Files.readAllBytes(tmp);
        } catch (IOException e) {
            throw new DataDiskException("cannot read " + path + " from the data disk " + image + ": "
                    + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                deleteQuietly(tmp);
            }
        }
    }

    private List<Entry> listExt4(String p) {
        HostCommandResult r = listing("debugfs", HostCommand.of("debugfs", "-R", "ls -p " + quoteDebugfs(p),
                image.toString()), p);
        String complaint = toolComplaint(r);
        if (complaint != null) {
            throw new DataDiskException("cannot list " + display(p) + " on the data disk " + image + ": debugfs "
                    + complaint + ": " + r.outputTail(500));
        }
        List<Entry> out = new ArrayList<>();
        boolean self = false;
        for (String line : r.stdoutText().split("\n")) {
            Matcher m = DEBUGFS_ENTRY.matcher(line);
            if (!m.matches()) {
                continue; // blank separators; a name with a line break in it (the guest's doing) is skipped
            }
            String name = m.group(5);
            if (name.equals(".")) {
                self = true;
                continue;
            }
            if (name.equals("..")) {
                continue;
            }
            int mode = Integer.parseInt(m.group(2), 8);
            boolean dir = (mode & 0170000) == 0040000;
            boolean regular = (mode & 0170000) == 0100000;
            if (!dir && !regular) {
                continue; // links, devices, fifos: nothing the harness reads
            }
            long size = m.group(6).isEmpty() ? 0 : parseSize(m.group(6), p);
            out.add(new Entry(name, dir, dir ? 0 : size));
        }
        if (!self) {
            // debugfs lists a file as itself, without '.'
            throw new DataDiskException(display(p) + " on the data disk " + image + " is not a folder");
        }
        return out;
    }

    private List<Entry> listFat(String p) {
        String dir = "::/" + p + (p.isEmpty() ? "" : "/");
        HostCommandResult bare = listing("mdir", mtools(HostCommand.of("mdir", "-a", "-b", "-i", image.toString(),
                dir)), p);
        HostCommandResult detail = listing("mdir", mtools(HostCommand.of("mdir", "-a", "-i", image.toString(),
                dir)), p);
        List<String> names = new ArrayList<>();
        for (String line : bare.stdoutText().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (!line.startsWith(dir) || line.length() == dir.length()) {
                throw new DataDiskException(display(p) + " on the data disk " + image + " is not a folder");
            }
            names.add(line.substring(dir.length()));
        }
        List<String[]> rows = new ArrayList<>();
        for (String line : detail.stdoutText().split("\n")) {
            Matcher m = MDIR_ENTRY.matcher(line);
            if (m.matches()) {
                String shortName = m.group(1).strip();
                if (!shortName.equals(".") && !shortName.equals("..")) {
                    rows.add(new String[] {shortName, m.group(2).strip(), m.group(3),
                            m.group(4) == null ? "" : m.group(4)});
                }
            }
        }
        if (rows.size() != names.size()) {
            throw new DataDiskException("cannot list " + display(p) + " on the data disk " + image
                    + ": mdir's listings disagree (" + names.size() + " names, " + rows.size() + " entries)");
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            String[] row = rows.get(i);
            boolean folder = n.endsWith("/");
            String name = folder ? n.substring(0, n.length() - 1) : n;
            String shortName = row[1].isEmpty() ? row[0] : row[0] + "." + row[1];
            boolean same = row[3].isEmpty() ? shortName.equalsIgnoreCase(name) : row[3].equals(name);
            if (!same || folder != row[2].equals("<DIR>")) {
                throw new DataDiskException("cannot list " + display(p) + " on the data disk " + image
                        + ": mdir's listings disagree at " + name);
            }
            out.add(new Entry(name, folder, folder ? 0 : parseSize(row[2], p)));
        }
        return out;
    }

    private HostCommandResult listing(String tool, HostCommand c, String p) {
        HostCommandResult r = c.outputLimit(MAX_LISTING_BYTES).timeout(timeout).run();
        if (!r.succeeded()) {
            throw new DataDiskException("cannot list " + display(p) + " on the data disk " + image + ": " + tool
                    + " exited with code " + r.exitCode() + (r.timedOut() ? " (timed out)" : "") + ": "
                    + r.outputTail(1000));
        }
        if (r.stdoutTruncated()) {
            throw new DataDiskException("cannot list " + display(p) + " on the data disk " + image
                    + ": more than " + (MAX_LISTING_BYTES >> 20) + " MiB of listing");
        }
        return r;
    }

    private long parseSize(String digits, String p) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new DataDiskException("unexpected size " + digits + " in the listing of " + display(p)
                    + " on the data disk " + image, e);
        }
    }

    /**
     * debugfs exits 0 after most failures and prints its version banner on stderr every time: any other stderr
     * line is the failure. mtools report through their exit code. Null when there is nothing to complain about.
     */
    private String toolComplaint(HostCommandResult r) {
        if (format != Format.EXT4) {
            return null;
        }
        for (String line : r.stderrText().split("\n")) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("debugfs ")) {
                return "reported " + l;
            }
        }
        return null;
    }

    private String tool() {
        return format == Format.EXT4 ? "debugfs" : "mcopy";
    }

    private void run(String tool, HostCommand c, String what) {
        try {
            c.timeout(timeout).runChecked();
        } catch (HostCommandException e) {
            // the message names the command line, its exit code and the tail of its stderr
            throw new DataDiskException("cannot " + what + " (" + tool + "): " + e.getMessage(), e);
        }
    }

    /** mtools check the media against the drive's geometry unless told not to; an image has none. */
    private static HostCommand mtools(HostCommand c) {
        return c.env("MTOOLS_SKIP_CHECK", "1");
    }

    /** debugfs's request parser takes a double-quoted word, a doubled quote standing for one. */
    static String quoteDebugfs(String p) {
        return "\"/" + p.replace("\"", "\"\"") + "\"";
    }

    /**
     * A path on the disk, relative to its top, with '/' separators: no empty, '.' or '..' segments, no control
     * characters; for FAT also none of mtools' wildcards. Returned without leading or trailing '/'.
     */
    String diskPath(String path, boolean allowTop) {
        Objects.requireNonNull(path, "path");
        String p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty()) {
            if (allowTop) {
                return "";
            }
            throw new IllegalArgumentException("no file named: '" + path + "'");
        }
        if (p.length() > 4096) {
            throw new IllegalArgumentException("path on the data disk longer than 4096 characters");
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("path on the data disk contains a control character: "
                        + display(p));
            }
            if (format == Format.FAT && FAT_FORBIDDEN.indexOf(c) >= 0 && c != '/') {
                throw new IllegalArgumentException("path on a FAT data disk contains '" + c + "': " + p);
            }
        }
        for (String seg : p.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                throw new IllegalArgumentException("path on the data disk must be plain (no empty, '.' or '..'"
                        + " segments): " + path);
            }
        }
        return p;
    }

    private static String display(String p) {
        return p.isEmpty() ? "the top folder" : p;
    }

    private static void checkLabel(Format format, String label) {
        if (format == Format.EXT4 && !EXT4_LABEL.matcher(label).matches()) {
            throw new IllegalArgumentException("an ext4 label is 1 to 16 of A-Z a-z 0-9 . _ -: '" + label + "'");
        }
        if (format == Format.FAT && !FAT_LABEL_CHARS.matcher(label).matches()) {
            throw new IllegalArgumentException("a FAT label is 1 to 11 of A-Z 0-9 _ - (upper case): '" + label
                    + "'");
        }
    }

    private static void requirePositive(Duration timeout) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary or rejected copy; the error being reported matters more
        }
    }

    /** What is under the source folder, checked for what the format can hold. */
    private record Content(long bytes, long entries) {
        static Content measure(Path source, Format format) {
            long bytes = 0;
            long entries = 0;
            Map<Path, Set<String>> foldedNames = new HashMap<>();
            try (Stream<Path> walk = Files.walk(source)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    if (p.equals(source)) {
                        continue;
                    }
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    if (a.isSymbolicLink()) {
                        // mkfs.ext4 would copy the link itself, pointing anywhere in the guest; FAT has no links
                        throw new IllegalArgumentException("symbolic link " + p + " cannot go on a data disk"
                                + " (copy its target)");
                    }
                    if (!a.isDirectory() && !a.isRegularFile()) {
                        throw new IllegalArgumentException(p + " is neither a file nor a folder: it cannot go on a"
                                + " data disk");
                    }
                    if (++entries > MAX_ENTRIES) {
                        throw new IllegalArgumentException("more than " + MAX_ENTRIES + " files and folders under "
                                + source + " for one data disk");
                    }
                    if (a.isRegularFile()) {
                        bytes += (a.size() + 4095) / 4096 * 4096;
                        if (format == Format.FAT && a.size() > FAT_MAX_FILE) {
                            throw new IllegalArgumentException(p + " is 4 GiB or larger, more than FAT holds");
                        }
                    }
                    if (bytes > MAX_CONTENT_BYTES) {
                        throw new IllegalArgumentException("more than " + (MAX_CONTENT_BYTES >> 20) + " MiB under "
                                + source + " for one data disk");
                    }
                    if (format == Format.FAT) {
                        checkFatName(p, foldedNames);
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + source + ": " + e.getMessage(), e);
            }
            return new Content(bytes, entries);
        }

        private static void checkFatName(Path p, Map<Path, Set<String>> foldedNames) {
            String name = p.getFileName().toString();
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c < 0x20 || c == 0x7f || FAT_FORBIDDEN.indexOf(c) >= 0) {
                    throw new IllegalArgumentException("'" + name + "' (" + p + ") has a character a FAT data disk"
                            + " cannot hold (control characters and " + FAT_FORBIDDEN + ")");
                }
            }
            if (name.length() > 255 || name.endsWith(".") || name.endsWith(" ")) {
                throw new IllegalArgumentException("'" + name + "' (" + p + ") is not a valid FAT name (at most"
                        + " 255 characters, not ending in '.' or a space)");
            }
            Set<String> seen = foldedNames.computeIfAbsent(p.getParent(), k -> new HashSet<>());
            if (!seen.add(name.toUpperCase(Locale.ROOT))) {
                throw new IllegalArgumentException("'" + name + "' (" + p + ") differs from another name in its"
                        + " folder only by case, which FAT cannot tell apart");
            }
        }
    }
}
