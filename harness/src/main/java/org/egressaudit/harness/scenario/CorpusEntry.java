package org.egressaudit.harness.scenario;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.egressaudit.harness.corpus.CorpusRecipe;

/**
 * Planted content: a host file or directory copied into the sandbox, or a corpus generated for the run from a
 * recipe and a seed; either way later handed to the analysis as the corpus whose leaving the machine is judged.
 *
 * @param from     absolute, normalised host path; null for a generated entry
 * @param to       absolute path inside the sandbox
 * @param generate the recipe and seed of a generated entry; empty for a copied one
 */
public record CorpusEntry(Path from, String to, Optional<Generated> generate) {

    /**
     * A corpus generated at run time ({@code corpus: - {generate: standard, seed: 42, to: ...}}).
     *
     * @param recipe a name from {@link CorpusRecipe#NAMES}
     * @param seed   the generator's seed: the same seed plants the same bytes
     */
    public record Generated(String recipe, long seed) {
        public Generated {
            Objects.requireNonNull(recipe, "recipe");
            if (CorpusRecipe.named(recipe).isEmpty()) {
                throw new IllegalArgumentException("unknown corpus recipe '" + recipe + "' (known: "
                        + String.join(", ", CorpusRecipe.NAMES) + ")");
            }
        }

        public CorpusRecipe corpusRecipe() {
            return CorpusRecipe.named(recipe).orElseThrow();
        }
    }

    public CorpusEntry {
        Objects.requireNonNull(generate, "generate");
        if ((from == null) == generate.isEmpty()) {
            throw new IllegalArgumentException("a corpus entry is either copied ('from') or generated ('generate')");
        }
        SandboxPath.check(Objects.requireNonNull(to, "to"));
    }

    /** A host file or directory copied in. */
    public CorpusEntry(Path from, String to) {
        this(Objects.requireNonNull(from, "from"), to, Optional.empty());
    }

    /** A corpus generated for the run. */
    public static CorpusEntry generated(String recipe, long seed, String to) {
        return new CorpusEntry(null, to, Optional.of(new Generated(recipe, seed)));
    }

    public boolean isGenerated() {
        return generate.isPresent();
    }
}
