package org.egressaudit.analyzers.detect;

import java.util.List;

/**
 * What one pass over an object's bytes found.
 *
 * @param matches        whole-file, fragment and marker matches, ordered by object offset
 * @param entropy        Shannon entropy of the bytes in bits per byte (0..8)
 * @param printableRatio share of bytes that are printable ASCII, tab, CR or LF (0..1)
 */
public record ScanResult(List<Match> matches, double entropy, double printableRatio) {
}
