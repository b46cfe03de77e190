package org.egressaudit.analyzers.engine;

import java.util.List;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.policy.Verdict;

/**
 * One thing the analysis found, with the evidence a person needs to check it.
 *
 * @param effect         what this finding does to the verdict: FAIL, OPAQUE, or PASS when the policy allows it
 * @param plantedFile    planted file name relative to the corpus (whole, fragment; a marker inside planted content), else null
 * @param category       category of the content that left (planted file's, or sniffed)
 * @param marker         the marker text for marker findings
 * @param transmissionId the transmission it was found in (-1 for per-destination findings)
 * @param flow           "tcp 10.0.0.2:40000 -> 192.0.2.10:80" (per-destination findings: the first flow)
 * @param decodeChain    layers from the wire to the matched object, ending with the member name
 * @param ranges         byte ranges: object offset, planted-file offset, length
 * @param bytes          bytes concerned (matched bytes, opaque bytes)
 * @param detail         one sentence for people
 * @param excerpt        bytes around the match, for the evidence view (null when not applicable)
 */
public record Finding(int id, FindingKind kind, Verdict effect, String plantedFile, Category category, String marker,
                      long transmissionId, String flow, String protocol, String destination, String summary,
                      long firstNanos, long lastNanos, List<String> decodeChain, List<Range> ranges, long bytes,
                      String detail, Excerpt excerpt) {

    public Finding {
        decodeChain = decodeChain == null ? List.of() : List.copyOf(decodeChain);
        ranges = ranges == null ? List.of() : List.copyOf(ranges);
    }

    /** A matched range: where in the object, where in the planted file (-1 when not a file), how long. */
    public record Range(long objectOffset, long fileOffset, long length) {
    }

    /** Bytes around a match: {@code offset} in the object, hex and printable text, and where the match sits in it. */
    public record Excerpt(long offset, String hex, String text, int matchStart, int matchLength) {
    }

    public Finding withId(int newId) {
        return new Finding(newId, kind, effect, plantedFile, category, marker, transmissionId, flow, protocol,
                destination, summary, firstNanos, lastNanos, decodeChain, ranges, bytes, detail, excerpt);
    }
}
