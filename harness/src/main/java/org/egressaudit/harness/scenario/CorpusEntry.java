package org.egressaudit.harness.scenario;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Planted content: a host file or directory copied into the sandbox, and later handed to the analysis as the
 * corpus whose leaving the machine is judged.
 *
 * @param from absolute, normalised host path
 * @param to   absolute path inside the sandbox
 */
public record CorpusEntry(Path from, String to) {
    public CorpusEntry {
        Objects.requireNonNull(from, "from");
        SandboxPath.check(Objects.requireNonNull(to, "to"));
    }
}
