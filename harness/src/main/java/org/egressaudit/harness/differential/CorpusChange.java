package org.egressaudit.harness.differential;

import java.util.List;
import java.util.Objects;

/**
 * What the variant runs changed, for the wording of findings: which files, how, by how many bytes.
 *
 * @param kind         absent or resized
 * @param files        sandbox paths of the changed files (no leading '/')
 * @param controlBytes their total size in the control runs
 * @param variantBytes their total size in the variant runs
 */
public record CorpusChange(CorpusVariant kind, List<String> files, long controlBytes, long variantBytes) {
    private static final int NAMES_SHOWN = 3;

    public CorpusChange {
        Objects.requireNonNull(kind, "kind");
        files = List.copyOf(files);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a corpus change names at least one changed file");
        }
    }

    public static CorpusChange of(VariantCorpus.Variant v) {
        return new CorpusChange(v.kind(), v.changedFiles(), v.controlBytes(), v.variantBytes());
    }

    /** The label whose runs hold more private content: the control runs when the variant removes it. */
    public RunLabel moreContent() {
        return kind == CorpusVariant.ABSENT ? RunLabel.CONTROL : RunLabel.VARIANT;
    }

    /** "when home/user/Documents/secret.docx was present", "when the 2 private files (a, b) were 9,000 bytes larger". */
    public String condition() {
        if (kind == CorpusVariant.ABSENT) {
            return files.size() == 1 ? "when " + files.get(0) + " was present"
                    : "when the " + files.size() + " private files (" + names() + ") were present";
        }
        String larger = Measure.n(variantBytes - controlBytes) + " bytes larger";
        return files.size() == 1 ? "when " + files.get(0) + " was " + larger
                : "when the " + files.size() + " private files (" + names() + ") were " + larger + " in total";
    }

    private String names() {
        if (files.size() <= NAMES_SHOWN) {
            return String.join(", ", files);
        }
        return String.join(", ", files.subList(0, NAMES_SHOWN)) + " and " + (files.size() - NAMES_SHOWN) + " more";
    }
}
