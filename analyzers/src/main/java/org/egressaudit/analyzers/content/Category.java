package org.egressaudit.analyzers.content;

import java.util.Locale;

/** Sample categories a policy allows or forbids to leave the machine. */
public enum Category {
    EXECUTABLE("executable"),
    SCRIPT("script"),
    DOCUMENT("document"),
    SOURCE_CODE("source-code"),
    ARCHIVE("archive"),
    IMAGE("image"),
    DATA("data"),
    /** Hashes, names, counters: a transmission that carries no planted content. */
    METADATA("metadata");

    private final String id;

    Category(String id) {
        this.id = id;
    }

    /** The name used in policy files and reports. */
    public String id() {
        return id;
    }

    /** Parses a policy/manifest name; throws IllegalArgumentException listing the valid names. */
    public static Category fromId(String s) {
        String n = s.trim().toLowerCase(Locale.ROOT);
        for (Category c : values()) {
            if (c.id.equals(n)) {
                return c;
            }
        }
        StringBuilder valid = new StringBuilder();
        for (Category c : values()) {
            valid.append(valid.length() == 0 ? "" : ", ").append(c.id);
        }
        throw new IllegalArgumentException("unknown category '" + s + "' (valid: " + valid + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
