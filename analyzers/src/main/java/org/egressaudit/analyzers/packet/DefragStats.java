package org.egressaudit.analyzers.packet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Counters of {@link IpDefragmenter} and its first warnings (overlap conflicts are possible evasion). */
public final class DefragStats {
    private final int maxWarnings;
    private final List<String> warnings = new ArrayList<>();
    long fragments;
    long reassembled;
    long timedOut;
    long evicted;
    long incompleteAtEnd;
    long overlapsConsistent;
    long overlapsConflicting;
    long oversized;
    long tooManyFragments;
    long inconsistentLength;
    long truncatedFragments;

    DefragStats(int maxWarnings) {
        this.maxWarnings = maxWarnings;
    }

    void warn(String text) {
        if (warnings.size() < maxWarnings) {
            warnings.add(text);
        }
    }

    boolean wantsWarning() {
        return warnings.size() < maxWarnings;
    }

    /** Fragments offered. */
    public long fragments() {
        return fragments;
    }

    /** Datagrams completed and returned. */
    public long reassembled() {
        return reassembled;
    }

    /** Incomplete datagrams dropped because their fragments stopped arriving within the timeout. */
    public long timedOut() {
        return timedOut;
    }

    /** Incomplete datagrams dropped to respect the datagram-count or memory limit. */
    public long evicted() {
        return evicted;
    }

    /** Incomplete datagrams still pending when the capture ended. */
    public long incompleteAtEnd() {
        return incompleteAtEnd;
    }

    /** Overlapping fragments whose common bytes agreed (retransmission-like, harmless). */
    public long overlapsConsistent() {
        return overlapsConsistent;
    }

    /** Overlapping fragments whose common bytes differed: the first copy was kept (possible evasion). */
    public long overlapsConflicting() {
        return overlapsConflicting;
    }

    /** Datagrams dropped because a fragment reached beyond the maximum datagram size. */
    public long oversized() {
        return oversized;
    }

    /** Datagrams dropped for having too many fragments. */
    public long tooManyFragments() {
        return tooManyFragments;
    }

    /** Fragments disagreeing about the datagram's end (second last fragment, data past the end). */
    public long inconsistentLength() {
        return inconsistentLength;
    }

    /** Fragments cut by the snap length; their datagram is delivered with a truncated payload. */
    public long truncatedFragments() {
        return truncatedFragments;
    }

    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    @Override
    public String toString() {
        return "DefragStats{fragments=" + fragments + ", reassembled=" + reassembled + ", timedOut=" + timedOut
                + ", evicted=" + evicted + ", incompleteAtEnd=" + incompleteAtEnd + ", overlapsConsistent="
                + overlapsConsistent + ", overlapsConflicting=" + overlapsConflicting + ", oversized=" + oversized
                + ", tooManyFragments=" + tooManyFragments + ", inconsistentLength=" + inconsistentLength + "}";
    }
}
