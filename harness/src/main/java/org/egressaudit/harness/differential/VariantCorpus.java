package org.egressaudit.harness.differential;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.corpus.CorpusException;
import org.egressaudit.analyzers.corpus.CorpusManifest;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.harness.corpus.CorpusGenerator;
import org.egressaudit.harness.scenario.CorpusEntry;

/**
 * Writes the variant copy of a scenario's corpus for a differential run. A file is private when the policy does
 * not allow its category (manifest entry, else sniffed type: the analysis's own rule); only private files change.
 * Entries without a private file are returned unchanged (same source, nothing copied); an entry with one is
 * copied to {@code <workDir>/entry-<i>/} with its manifest rewritten: removed files (and their archive members)
 * are dropped from it, resized files are listed with their original category so the analysis of the variant
 * runs classifies them as in the control runs even though the tail changes what their content sniffs as.
 * Generated entries are generated into {@code <workDir>/generated-<i>/} first (same recipe and seed, same bytes).
 */
public final class VariantCorpus {

    /**
     * The variant corpus.
     *
     * @param entries      the corpus entries to plant in the variant runs (same sandbox paths as the scenario's)
     * @param changedFiles sandbox paths (no leading '/', as findings name them) of the files removed or resized
     * @param kind         how they changed
     * @param controlBytes total size of the changed files as planted in the control runs
     * @param variantBytes their total size in the variant runs (0 for {@link CorpusVariant#ABSENT})
     */
    public record Variant(List<CorpusEntry> entries, List<String> changedFiles, CorpusVariant kind, long controlBytes,
                          long variantBytes) {
        public Variant {
            entries = List.copyOf(entries);
            changedFiles = List.copyOf(changedFiles);
            Objects.requireNonNull(kind, "kind");
        }

        /** What changed, for the analysis's wording. */
        public CorpusChange change() {
            return CorpusChange.of(this);
        }
    }

    private VariantCorpus() {
    }

    /**
     * Writes the variant under {@code workDir} (created; must be empty if it exists).
     *
     * @throws DifferentialException when no planted file is private, or (ABSENT) every planted file is
     */
    public static Variant materialize(List<CorpusEntry> entries, Policy policy, CorpusVariant variant, Path workDir)
            throws IOException, CorpusException, DifferentialException {
        Objects.requireNonNull(entries, "entries");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(variant, "variant");
        prepare(workDir);
        Builder b = new Builder(policy, variant);
        List<CorpusEntry> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            CorpusEntry e = entries.get(i);
            Path from = e.from();
            if (e.isGenerated()) {
                CorpusEntry.Generated g = e.generate().orElseThrow();
                from = workDir.resolve("generated-" + i).toAbsolutePath().normalize();
                CorpusGenerator.generate(from, g.corpusRecipe(), g.seed());
            }
            if (!Files.exists(from)) {
                throw new CorpusException(from + ": corpus entry for " + e.to() + " not found");
            }
            Path target = workDir.resolve("entry-" + i).toAbsolutePath().normalize();
            out.addAll(Files.isDirectory(from) ? b.directory(e, from, target) : b.file(e, from, target));
        }
        if (b.changed.isEmpty()) {
            throw new DifferentialException("the corpus has no file the policy forbids (policy allows "
                    + policy.allow() + "): a differential run would compare identical corpora; plant a file of "
                    + "a forbidden category (e.g. a document listed in corpus.yaml)");
        }
        if (variant == CorpusVariant.ABSENT && b.keptFiles == 0) {
            throw new DifferentialException("every planted file is private (" + b.changed.size() + " files): the "
                    + "'absent' variant would plant nothing at all; use the 'resized' variant or plant an allowed "
                    + "file too");
        }
        return new Variant(out, b.changed, variant, b.controlBytes, b.variantBytes);
    }

    private static void prepare(Path workDir) throws IOException, DifferentialException {
        if (Files.exists(workDir)) {
            if (!Files.isDirectory(workDir)) {
                throw new DifferentialException(workDir + ": variant work directory is not a directory");
            }
            try (Stream<Path> s = Files.list(workDir)) {
                if (s.findAny().isPresent()) {
                    throw new DifferentialException(workDir + ": variant work directory is not empty (the variant "
                            + "corpus is written into a fresh directory)");
                }
            }
        }
        Files.createDirectories(workDir);
    }

    /** Accumulates what changed over all entries. */
    private static final class Builder {
        private final Policy policy;
        private final CorpusVariant variant;
        private final List<String> changed = new ArrayList<>();
        private long keptFiles;
        private long controlBytes;
        private long variantBytes;

        Builder(Policy policy, CorpusVariant variant) {
            this.policy = policy;
            this.variant = variant;
        }

        /** A directory entry: the scenario's entry when it holds no private file, else that of its variant copy. */
        List<CorpusEntry> directory(CorpusEntry entry, Path from, Path target) throws IOException, CorpusException {
            String to = entry.to();
            Path manifestFile = from.resolve(CorpusManifest.FILE_NAME);
            boolean hasManifest = Files.isRegularFile(manifestFile);
            Map<String, Category> manifest = hasManifest
                    ? new LinkedHashMap<>(CorpusManifest.load(manifestFile).categories()) : new LinkedHashMap<>();
            List<Path> files;
            try (Stream<Path> s = Files.walk(from)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            Map<String, Category> privateFiles = new LinkedHashMap<>();
            for (Path f : files) {
                String rel = from.relativize(f).toString().replace('\\', '/');
                if (rel.equals(CorpusManifest.FILE_NAME)) {
                    continue;
                }
                Category c = PlantedCategory.of(f, rel, manifest.get(rel));
                if (policy.allows(c)) {
                    keptFiles++;
                } else {
                    privateFiles.put(rel, c);
                }
            }
            if (privateFiles.isEmpty()) {
                return List.of(entry);
            }
            String base = to.substring(1);
            for (Path f : files) {
                String rel = from.relativize(f).toString().replace('\\', '/');
                if (rel.equals(CorpusManifest.FILE_NAME)) {
                    continue;
                }
                Path dest = target.resolve(rel);
                Category c = privateFiles.get(rel);
                if (c == null) {
                    copy(f, dest);
                    continue;
                }
                change(f, base + "/" + rel, dest);
                if (variant == CorpusVariant.ABSENT) {
                    manifest.keySet().removeIf(k -> k.equals(rel) || k.startsWith(rel + "!/"));
                } else {
                    manifest.put(rel, c);
                }
            }
            Files.createDirectories(target);
            if (hasManifest || variant == CorpusVariant.RESIZED) {
                writeManifest(target.resolve(CorpusManifest.FILE_NAME), manifest, from);
            }
            return List.of(new CorpusEntry(target, to));
        }

        /** A single-file entry: the scenario's entry when not private, none when removed, else that of its copy. */
        List<CorpusEntry> file(CorpusEntry entry, Path from, Path target) throws IOException, CorpusException {
            String to = entry.to();
            String name = from.getFileName().toString();
            Category c = PlantedCategory.of(from, name, org.egressaudit.analyzers.corpus.CorpusManifest.listedAbove(from));
            if (policy.allows(c)) {
                keptFiles++;
                return List.of(entry);
            }
            Path dest = target.resolve(name);
            change(from, to.substring(1), dest);
            if (variant == CorpusVariant.ABSENT) {
                return List.of();
            }
            // The copy's own manifest keeps its category (the nearest manifest above a planted file decides).
            writeManifest(target.resolve(CorpusManifest.FILE_NAME), Map.of(name, c), from);
            return List.of(new CorpusEntry(dest, to));
        }

        private void change(Path from, String sandboxName, Path dest) throws IOException {
            long size = Files.size(from);
            changed.add(sandboxName);
            controlBytes += size;
            if (variant == CorpusVariant.ABSENT) {
                return;
            }
            long tail = ResizedTail.lengthFor(size);
            Files.createDirectories(dest.getParent());
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dest), 1 << 16)) {
                Files.copy(from, out);
                ResizedTail.write(sandboxName, tail, out);
            }
            variantBytes += size + tail;
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to);
    }

    private static void writeManifest(Path file, Map<String, Category> categories, Path source) throws IOException {
        StringBuilder yaml = new StringBuilder("# Written by egress-audit for a differential run: variant of ")
                .append(source.toString().replace('\n', ' ')).append("\nfiles:\n");
        categories.forEach((k, v) -> yaml.append("  \"").append(k.replace("\\", "\\\\").replace("\"", "\\\""))
                .append("\": ").append(v.id()).append('\n'));
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
    }
}
