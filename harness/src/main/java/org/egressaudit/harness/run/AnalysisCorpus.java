package org.egressaudit.harness.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.corpus.CorpusException;
import org.egressaudit.analyzers.corpus.CorpusManifest;
import org.egressaudit.harness.scenario.CorpusEntry;

/**
 * Builds the corpus the analysis looks for: every planted file at its sandbox path (so findings name
 * {@code home/user/Documents/secret.docx}), with the categories the source directories' {@code corpus.yaml}
 * manifests give. Manifests themselves are never planted.
 */
final class AnalysisCorpus {
    private AnalysisCorpus() {
    }

    /** Copies the entries under {@code out} and writes the merged manifest; returns the manifest's entries. */
    static Map<String, Category> build(List<CorpusEntry> entries, Path out) throws IOException, CorpusException {
        Files.createDirectories(out);
        Map<String, Category> categories = new LinkedHashMap<>();
        for (CorpusEntry e : entries) {
            String target = e.to().substring(1);
            if (Files.isDirectory(e.from())) {
                Map<String, Category> manifest = manifestOf(e.from());
                try (Stream<Path> files = Files.walk(e.from())) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        String rel = e.from().relativize(f).toString().replace('\\', '/');
                        if (rel.equals(CorpusManifest.FILE_NAME)) {
                            continue;
                        }
                        copy(f, out.resolve(target).resolve(rel));
                        Category c = manifest.get(rel);
                        if (c != null) {
                            categories.put(target + "/" + rel, c);
                        }
                    }
                }
            } else {
                copy(e.from(), out.resolve(target));
                Category c = CorpusManifest.listedAbove(e.from());
                if (c != null) {
                    categories.put(target, c);
                }
            }
        }
        StringBuilder yaml = new StringBuilder("# Written by egress-audit run: categories of the planted files\nfiles:\n");
        categories.forEach((k, v) -> yaml.append("  \"").append(k.replace("\"", "\\\"")).append("\": ")
                .append(v.id()).append('\n'));
        Files.writeString(out.resolve(CorpusManifest.FILE_NAME), yaml);
        return categories;
    }

    private static Map<String, Category> manifestOf(Path dir) throws CorpusException {
        Path m = dir.resolve(CorpusManifest.FILE_NAME);
        return Files.isRegularFile(m) ? CorpusManifest.load(m).categories() : Map.of();
    }

    private static void copy(Path from, Path to) {
        try {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
