package org.egressaudit.analyzers.detect;

/** How planted content was recognised. */
public enum MatchKind {
    /** The object is byte for byte a planted file (SHA-256). */
    WHOLE,
    /** A contiguous range of a planted file, at least the configured fragment size. */
    FRAGMENT,
    /** A canary token or classification marking. */
    MARKER
}
