package org.egressaudit.analyzers.detect;

import java.util.List;

/**
 * What one pass over an object's bytes found.
 *
 * @param matches        whole-file, fragment and marker matches, ordered by object offset
 * @param entropy        Shannon entropy of the bytes in bits per byte (0..8)
 * @param printableRatio share of bytes that are printable ASCII, tab, CR or LF (0..1)
 * @param omittedMatches matches found but not listed because a per-object cap was reached (marker occurrences
 *                       beyond {@link ContentScanner#MAX_MARKER_MATCHES}, fragment ranges beyond
 *                       {@link ContentScanner#MAX_FRAGMENT_MATCHES}); 0 normally
 */
public record ScanResult(List<Match> matches, double entropy, double printableRatio, long omittedMatches) {

    public ScanResult {
        matches = List.copyOf(matches);
    }

    /** A result with nothing omitted. */
    public ScanResult(List<Match> matches, double entropy, double printableRatio) {
        this(matches, entropy, printableRatio, 0);
    }
}
