package org.egressaudit.harness.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.egressaudit.analyzers.corpus.CorpusManifest;
import org.egressaudit.harness.corpus.CorpusGenerator;
import org.egressaudit.harness.scenario.CorpusEntry;

/**
 * Turns a scenario's generated corpus entries into ordinary copied ones: entry number {@code i} is generated into
 * {@code <dir>/<i>/} (kept in the run folder, so the evidence holds the planted bytes) and then planted and indexed
 * like a 'from' directory. Generating is done once per run: a later call finds the directory and reuses it.
 */
final class GeneratedCorpora {
    private GeneratedCorpora() {
    }

    static List<CorpusEntry> materialize(List<CorpusEntry> entries, Path dir) throws IOException {
        List<CorpusEntry> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            CorpusEntry e = entries.get(i);
            if (!e.isGenerated()) {
                out.add(e);
                continue;
            }
            CorpusEntry.Generated g = e.generate().orElseThrow();
            Path target = dir.resolve(Integer.toString(i)).toAbsolutePath().normalize();
            // The manifest is written last: its presence means an earlier call of this run finished the corpus.
            if (!Files.isRegularFile(target.resolve(CorpusManifest.FILE_NAME))) {
                if (Files.isDirectory(target)) {
                    deleteTree(target); // a generation interrupted half-way
                }
                CorpusGenerator.generate(target, g.corpusRecipe(), g.seed());
            }
            out.add(new CorpusEntry(target, e.to()));
        }
        return out;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
