package org.egressaudit.analyzers.detect;

/**
 * One recognition inside one content object.
 *
 * @param file         the planted file (WHOLE, FRAGMENT), or null for a marker
 * @param marker       the marker text (MARKER), else null
 * @param objectOffset where the match starts in the object
 * @param length       matched bytes
 * @param fileOffset   where the matched range starts in the planted file (FRAGMENT, WHOLE = 0), else -1
 */
public record Match(MatchKind kind, PlantedFile file, String marker, long objectOffset, long length, long fileOffset) {
}
