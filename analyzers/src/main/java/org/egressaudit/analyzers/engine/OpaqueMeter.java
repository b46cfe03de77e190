package org.egressaudit.analyzers.engine;

import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.detect.Match;
import org.egressaudit.analyzers.detect.MatchKind;

/**
 * Decides how many bytes of a decode-tree node could not be inspected. A node is opaque when nothing decoded it
 * further, it is not text, its byte distribution looks random, and it is not planted content we recognised.
 * Digest-sized values (hash look-ups) are metadata, not opaque. A node where decoding hit a limit is opaque too:
 * what is behind the limit was not inspected.
 */
final class OpaqueMeter {
    /** Entropy relative to the maximum possible for the length, above which bytes look random or compressed. */
    static final double RANDOM_NORMALISED_ENTROPY = 0.85;
    /** Mostly printable content is inspectable text, whatever its entropy. */
    static final double TEXT_PRINTABLE_RATIO = 0.95;

    long opaqueBytes(ObjectAnalysis n) {
        ContentObject o = n.object();
        if (hasLimitNote(o)) {
            return o.length();
        }
        if (!o.children().isEmpty() || o.length() == 0) {
            return 0;
        }
        if (n.scan().printableRatio() >= TEXT_PRINTABLE_RATIO) {
            return 0;
        }
        if (isDigestSized(o.length())) {
            return 0;
        }
        if (normalisedEntropy(n.scan().entropy(), o.length()) < RANDOM_NORMALISED_ENTROPY) {
            return 0;
        }
        long recognised = 0;
        for (Match m : n.matches()) {
            if (m.kind() == MatchKind.WHOLE) {
                return 0;
            }
            if (m.kind() == MatchKind.FRAGMENT) {
                recognised += m.length();
            }
        }
        return Math.max(0, o.length() - recognised);
    }

    static boolean hasLimitNote(ContentObject o) {
        for (String note : o.notes()) {
            if (note.startsWith("decode-limit")) {
                return true;
            }
        }
        return false;
    }

    static boolean isDigestSized(int length) {
        // MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512 values sent for reputation look-ups.
        return length == 16 || length == 20 || length == 28 || length == 32 || length == 48 || length == 64;
    }

    static double normalisedEntropy(double entropy, int length) {
        if (length < 16 || Double.isNaN(entropy)) {
            return 0;
        }
        double max = Math.log(Math.min(256, length)) / Math.log(2);
        return entropy / max;
    }
}
