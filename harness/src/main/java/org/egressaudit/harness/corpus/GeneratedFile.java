package org.egressaudit.harness.corpus;

import java.util.Objects;
import org.egressaudit.analyzers.content.Category;

/**
 * One generated file as the manifest lists it.
 *
 * @param name     path relative to the corpus directory, '/'-separated
 * @param category the category the analysis judges it by
 * @param size     bytes
 * @param sha256   lower-case hex SHA-256 of the bytes
 */
public record GeneratedFile(String name, Category category, long size, String sha256) {
    public GeneratedFile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(sha256, "sha256");
    }
}
