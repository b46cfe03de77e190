package org.egressaudit.benchmarks.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A planted corpus for benchmarks: the files of a base corpus (the repository's scenarios/corpora/basic) plus
 * generated documents (prose, CSV) and binary data files under {@code Generated/}, written with a
 * {@code corpus.yaml} so that {@code egress-audit analyze --corpus} and {@code CorpusLoader} accept it.
 * Deterministic from the seed.
 */
public final class SyntheticCorpus {

    /** A planted file as the generator embeds it in traffic. */
    public record File(String name, byte[] content) {
    }

    private SyntheticCorpus() {
    }

    /**
     * Writes the corpus into {@code dir} (created; existing files with the same names are replaced) and returns
     * its files.
     *
     * @param base           corpus directory to copy first, or null
     * @param generatedBytes approximate total size of generated files
     */
    public static List<File> write(Path dir, Path base, long generatedBytes, long seed) throws IOException {
        Files.createDirectories(dir);
        List<File> files = new ArrayList<>();
        Map<String, String> categories = new LinkedHashMap<>();
        if (base != null) {
            Path manifest = base.resolve("corpus.yaml");
            if (Files.isRegularFile(manifest)) {
                for (String line : Files.readAllLines(manifest)) {
                    String t = line.trim();
                    int colon = t.lastIndexOf(':');
                    if (t.startsWith("#") || t.startsWith("files:") || colon <= 0) {
                        continue;
                    }
                    categories.put(t.substring(0, colon).trim(), t.substring(colon + 1).trim());
                }
            }
            try (Stream<Path> s = Files.walk(base)) {
                for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                    String rel = base.relativize(p).toString().replace('\\', '/');
                    if (rel.equals("corpus.yaml") || rel.startsWith(".")) {
                        continue;
                    }
                    byte[] content = Files.readAllBytes(p);
                    Path target = dir.resolve(rel);
                    Files.createDirectories(target.getParent());
                    Files.write(target, content);
                    files.add(new File(rel, content));
                }
            }
        }
        SplittableRandom random = new SplittableRandom(seed ^ 0x5EED_C0DE_5EEDL);
        SyntheticText text = new SyntheticText(seed * 31 + 7);
        long written = 0;
        int n = 0;
        while (written < generatedBytes) {
            int size = (int) Math.min(generatedBytes - written, 64 * 1024 + random.nextInt(2 << 20));
            String name;
            byte[] content;
            String category;
            switch (n % 4) {
                case 0, 1 -> {
                    name = String.format("Generated/report-%03d-%s.txt", n, text.name());
                    content = text.prose(size);
                    category = "document";
                }
                case 2 -> {
                    name = String.format("Generated/ledger-%03d.csv", n);
                    content = text.csv(size);
                    category = "document";
                }
                default -> {
                    name = String.format("Generated/blob-%03d.bin", n);
                    content = new byte[size];
                    random.nextBytes(content);
                    category = "data";
                }
            }
            Path target = dir.resolve(name);
            Files.createDirectories(target.getParent());
            Files.write(target, content);
            files.add(new File(name, content));
            categories.put(name, category);
            written += size;
            n++;
        }
        StringBuilder yaml = new StringBuilder("# Benchmark corpus: scenarios/corpora/basic plus generated files.\nfiles:\n");
        categories.forEach((k, v) -> yaml.append("  ").append(k).append(": ").append(v).append('\n'));
        Files.writeString(dir.resolve("corpus.yaml"), yaml.toString(), StandardCharsets.UTF_8);
        return files;
    }

    /** Reads back a corpus directory written earlier (all regular files except the manifest). */
    public static List<File> read(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            List<File> out = new ArrayList<>();
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                String rel = dir.relativize(p).toString().replace('\\', '/');
                if (!rel.equals("corpus.yaml")) {
                    out.add(new File(rel, Files.readAllBytes(p)));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
