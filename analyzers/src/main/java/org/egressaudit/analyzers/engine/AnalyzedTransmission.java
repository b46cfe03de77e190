package org.egressaudit.analyzers.engine;

import java.util.List;
import org.egressaudit.analyzers.protocol.Transmission;

/**
 * A transmission after analysis, without its bytes (kept small: a long capture has many of them).
 *
 * @param transmission the transmission's metadata; its roots are dropped once analysed
 * @param contentBytes bytes of its root objects as carried on the wire (after protocol framing)
 * @param objects      every decode-tree node, pre-order
 * @param opaqueBytes  undecodable bytes in this transmission (TLS without keys, high-entropy leaves, bombs)
 * @param findings     its findings, judged against the policy, not yet numbered
 */
public record AnalyzedTransmission(Transmission transmission, long contentBytes, List<ObjectSummary> objects, long opaqueBytes,
                                   List<Finding> findings) {

    /** One decode-tree node as the report shows it. */
    public record ObjectSummary(String chain, String type, long bytes, long declaredBytes, boolean truncated,
                                double entropy, List<String> notes) {
    }
}
