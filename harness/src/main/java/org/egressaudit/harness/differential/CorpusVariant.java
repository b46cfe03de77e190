package org.egressaudit.harness.differential;

import java.util.Locale;

/**
 * How the variant corpus of a differential run differs from the corpus as planted. Only the private files (those
 * whose category the policy forbids to leave) change; every other file, every name outside them and every other
 * input stays the same, so a transmission whose size follows the change follows the private content.
 */
public enum CorpusVariant {
    /** The private files are not planted at all (and dropped from the manifests). */
    ABSENT("absent"),
    /**
     * Each private file is planted under the same name with different, larger content: its bytes followed by a
     * deterministic pseudo-random tail. An agent that only reads names (or hashes, or sizes) sees the same
     * number of files with the same names, so per-file metadata requests keep their count and size.
     */
    RESIZED("resized");

    private final String id;

    CorpusVariant(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Parses "absent" or "resized" (case-insensitive); the error lists the valid names. */
    public static CorpusVariant fromId(String s) {
        String n = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        for (CorpusVariant v : values()) {
            if (v.id.equals(n)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown corpus variant '" + s + "' (valid: absent, resized)");
    }

    @Override
    public String toString() {
        return id;
    }
}
