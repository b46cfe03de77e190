package org.egressaudit.analyzers.corpus;

import java.nio.file.Path;
import java.util.List;
import org.egressaudit.analyzers.detect.PlantedFile;

/**
 * The files planted on the audited machine, with members of planted archives and documents listed as planted
 * files of their own (named {@code container!/member}).
 *
 * @param root     the corpus directory
 * @param files    every planted file, ids dense from 0
 * @param warnings problems met while loading (unreadable member, archive limit reached)
 */
public record Corpus(Path root, List<PlantedFile> files, List<String> warnings) {

    public Corpus {
        files = List.copyOf(files);
        warnings = List.copyOf(warnings);
    }

    /** Files planted as files, without archive members. */
    public List<PlantedFile> topLevelFiles() {
        return files.stream().filter(f -> f.container() == null).toList();
    }
}
