package org.egressaudit.analyzers.detect;

import java.nio.ByteBuffer;
import org.egressaudit.analyzers.content.Category;

/**
 * A file planted on the audited machine. {@code content} is a read-only view of the whole file (heap or
 * mapped); use absolute gets or {@code duplicate()}.
 *
 * @param id        dense index 0..n-1 within the corpus
 * @param name      path relative to the corpus root with '/' separators; members of planted archives are
 *                  named {@code archive.zip!/path/in/archive}
 * @param container for an archive member, the planted archive it came from; else null
 */
public record PlantedFile(int id, String name, Category category, long size, String sha256, ByteBuffer content,
                          String container) {

    /** Identity is the id: a record's generated equals/hashCode would hash the whole file content on every lookup. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PlantedFile f && f.id == id && f.name.equals(name);
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(id);
    }

    @Override
    public String toString() {
        return name + " (" + category + ", " + size + " bytes)";
    }
}
