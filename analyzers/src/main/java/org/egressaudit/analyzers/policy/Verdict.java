package org.egressaudit.analyzers.policy;

/** Outcome of an analysis, worst first when combined. */
public enum Verdict {
    PASS,
    /** Content left that could not be inspected beyond the tolerated budget. */
    OPAQUE,
    /** Planted content of a forbidden category, or a marker, left the machine. */
    FAIL;

    public Verdict worst(Verdict other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
