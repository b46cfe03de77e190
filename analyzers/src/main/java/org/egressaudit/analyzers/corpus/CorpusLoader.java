package org.egressaudit.analyzers.corpus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.content.FileType;
import org.egressaudit.analyzers.content.FileTypeSniffer;
import org.egressaudit.analyzers.decode.DecodeContext;
import org.egressaudit.analyzers.decode.DecodeLimits;
import org.egressaudit.analyzers.decode.DecoderRegistry;
import org.egressaudit.analyzers.detect.PlantedFile;

/**
 * Loads a corpus directory: every regular file below it (except the manifest and hidden files) is a planted
 * file; categories come from {@code corpus.yaml} or, for unlisted files, from their content. Members of planted
 * containers (archives, OOXML/ODF documents, compressed files) are expanded and planted too, so that an agent
 * that repacks them is still recognised: members of an archive are classified on their own, members of a
 * document inherit the document's category.
 */
public final class CorpusLoader {
    /** Files above this size are memory-mapped instead of read into the heap. */
    private static final long MAP_THRESHOLD = 64L << 20;
    /** Member expansion is for recognition only; bounded like any decoding. */
    private static final DecodeLimits MEMBER_LIMITS = new DecodeLimits(6, 256 << 20, 1L << 30, 1000, 10_000, 24);

    private final DecoderRegistry decoders;

    public CorpusLoader(DecoderRegistry decoders) {
        this.decoders = decoders;
    }

    public Corpus load(Path dir) throws CorpusException {
        if (!Files.exists(dir)) {
            throw new CorpusException(dir + ": corpus directory not found");
        }
        if (!Files.isDirectory(dir)) {
            throw new CorpusException(dir + ": corpus must be a directory of planted files");
        }
        Path manifestFile = dir.resolve(CorpusManifest.FILE_NAME);
        CorpusManifest manifest = Files.isRegularFile(manifestFile) ? CorpusManifest.load(manifestFile)
                : CorpusManifest.none();
        List<Path> paths;
        try (Stream<Path> s = Files.walk(dir)) {
            paths = s.filter(Files::isRegularFile)
                    .filter(p -> !p.equals(manifestFile))
                    .filter(p -> !dir.relativize(p).toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new CorpusException(dir + ": cannot list corpus: " + e.getMessage(), e);
        }
        Set<String> names = new HashSet<>();
        for (Path p : paths) {
            names.add(relativeName(dir, p));
        }
        for (String listed : manifest.categories().keySet()) {
            if (!listed.contains("!/") && !names.contains(listed)) {
                throw new CorpusException(manifestFile + ": file '" + listed + "' is listed but not in " + dir);
            }
        }
        List<PlantedFile> out = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Path p : paths) {
            String name = relativeName(dir, p);
            ByteBuffer content = read(p);
            Category category = manifest.categories().get(name);
            byte[] head = headBytes(content);
            FileType type = FileTypeSniffer.sniff(head, 0, head.length, name);
            if (category == null) {
                category = type.category();
            }
            PlantedFile f = new PlantedFile(out.size(), name, category, content.remaining(), sha256(content), content, null);
            out.add(f);
            if (content.remaining() <= Integer.MAX_VALUE - 8) {
                expandMembers(f, manifest, out, warnings);
            }
        }
        if (out.isEmpty()) {
            throw new CorpusException(dir + ": corpus is empty (no planted files)");
        }
        return new Corpus(dir, out, warnings);
    }

    private void expandMembers(PlantedFile container, CorpusManifest manifest, List<PlantedFile> out,
                               List<String> warnings) {
        byte[] bytes = new byte[(int) container.size()];
        container.content().duplicate().get(bytes);
        ContentObject root = ContentObject.root("planted", container.name(), bytes, null);
        root.setType(FileTypeSniffer.sniff(bytes, 0, bytes.length, container.name()));
        DecodeContext ctx = new DecodeContext(MEMBER_LIMITS);
        expand(root, container, container.category(), manifest, out, warnings, ctx);
    }

    private void expand(ContentObject obj, PlantedFile container, Category containerCategory, CorpusManifest manifest,
                        List<PlantedFile> out, List<String> warnings, DecodeContext ctx) {
        // Only containers hold other files; text-embedded runs of a memo are not files that were planted.
        if (!obj.type().isContainer() || !decoders.decodeOne(obj, ctx)) {
            return;
        }
        for (String note : obj.notes()) {
            warnings.add(container.name() + ": " + note);
        }
        for (ContentObject child : obj.children()) {
            child.setType(FileTypeSniffer.sniff(child.data(), child.offset(), child.length(), child.name()));
            if (child.length() == 0 || child.truncated()) {
                continue;
            }
            String memberPath = child.name() != null ? child.name() : child.layer();
            String name = container.name() + "!/" + memberPath;
            Category c = manifest.categories().get(name);
            if (c == null) {
                c = containerCategory == Category.ARCHIVE ? child.type().category() : containerCategory;
            }
            ByteBuffer content = ByteBuffer.wrap(child.data(), child.offset(), child.length()).slice().asReadOnlyBuffer();
            PlantedFile member = new PlantedFile(out.size(), name, c, child.length(), sha256(content), content,
                    container.name());
            out.add(member);
            expand(child, member, c, manifest, out, warnings, ctx);
        }
    }

    private static byte[] headBytes(ByteBuffer content) {
        // Sniffing looks at structure near the start (zip central directory aside); 1 MiB is plenty.
        int n = (int) Math.min(content.remaining(), 1 << 20);
        byte[] b = new byte[n];
        content.duplicate().get(b);
        if (n < content.remaining() && content.remaining() <= (64 << 20)) {
            b = new byte[content.remaining()];
            content.duplicate().get(b);
        }
        return b;
    }

    static String relativeName(Path dir, Path file) {
        return dir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    private static ByteBuffer read(Path p) throws CorpusException {
        try {
            long size = Files.size(p);
            if (size < MAP_THRESHOLD) {
                return ByteBuffer.wrap(Files.readAllBytes(p)).asReadOnlyBuffer();
            }
            if (size > Integer.MAX_VALUE) {
                throw new CorpusException(p + ": planted files over 2 GiB are not supported");
            }
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
                return m.asReadOnlyBuffer();
            }
        } catch (IOException e) {
            throw new CorpusException(p + ": cannot read planted file: " + e.getMessage(), e);
        }
    }

    static String sha256(ByteBuffer content) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(content.duplicate());
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
