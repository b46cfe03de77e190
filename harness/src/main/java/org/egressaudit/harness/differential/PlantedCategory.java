package org.egressaudit.harness.differential;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.content.FileTypeSniffer;
import org.egressaudit.analyzers.corpus.CorpusException;
import org.egressaudit.analyzers.corpus.CorpusManifest;

/**
 * The category the analysis will give a planted file, decided the same way: the manifest's entry when there is
 * one, else the file's sniffed type (as {@code CorpusLoader} does for unlisted files). The differential must
 * change exactly the files the analysis would call private, or the comparison tests something else.
 */
final class PlantedCategory {
    /** CorpusLoader sniffs whole files up to this size (zip directories sit at the end), else the first MiB. */
    private static final long WHOLE_SNIFF_LIMIT = 64L << 20;
    private static final int HEAD_BYTES = 1 << 20;

    private PlantedCategory() {
    }

    /** {@code listed} if not null, else the sniffed category of {@code file}. */
    static Category of(Path file, String nameHint, Category listed) throws IOException {
        if (listed != null) {
            return listed;
        }
        long size = Files.size(file);
        byte[] head;
        if (size <= WHOLE_SNIFF_LIMIT) {
            head = Files.readAllBytes(file);
        } else {
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(HEAD_BYTES);
            }
        }
        return FileTypeSniffer.sniff(head, 0, head.length, nameHint).category();
    }
}
