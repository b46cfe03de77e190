package org.egressaudit.analyzers.engine;

import java.util.List;
import org.egressaudit.analyzers.corpus.Corpus;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.analyzers.policy.Verdict;

/**
 * Everything one analysis produced, ready for reports.
 *
 * @param transmissions every transmission in capture order, outbound and downloads
 * @param coverage      per planted file, how much of it left (only files with findings)
 * @param warnings      capture, decoding and limit warnings: anything that makes the result less than complete
 */
public record AnalysisResult(Verdict verdict, List<Finding> findings, CaptureSummary capture, Corpus corpus,
                             Policy policy, List<AnalyzedTransmission> transmissions, List<ConnectionRecord> connections,
                             List<DnsQueryRecord> dnsQueries, List<Coverage> coverage, List<String> warnings,
                             Limits limits, Totals totals) {

    /**
     * The same result with findings added from outside the capture (e.g. the harness's record of TLS sessions
     * the client refused); findings are renumbered in time order and the verdict recomputed.
     */
    public AnalysisResult withExtraFindings(List<Finding> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        List<Finding> all = new java.util.ArrayList<>(findings);
        all.addAll(extra);
        all.sort(java.util.Comparator.comparingLong(Finding::firstNanos).thenComparingLong(Finding::transmissionId));
        List<Finding> numbered = new java.util.ArrayList<>(all.size());
        Verdict v = Verdict.PASS;
        for (int i = 0; i < all.size(); i++) {
            Finding f = all.get(i).withId(i + 1);
            numbered.add(f);
            v = v.worst(f.effect());
        }
        return new AnalysisResult(v, numbered, capture, corpus, policy, transmissions, connections, dnsQueries,
                coverage, warnings, limits, totals);
    }

    /**
     * Counts over every transmission, including those whose records were left out of {@code transmissions}
     * (past the record limit, transmissions without findings or opaque bytes are counted only).
     */
    public record Totals(long outboundTransmissions, long outboundBytes, long inboundTransmissions,
                         long inboundBytes, long transmissionRecordsOmitted, long dnsRecordsOmitted) {
    }

    /**
     * @param packets        packets read
     * @param ipPackets      packets decoded as IPv4/IPv6
     * @param bytes          capture file bytes read
     * @param firstNanos     first packet time
     * @param lastNanos      last packet time
     * @param complete       false when the capture was truncated or corrupt (analysed as far as it went)
     */
    public record CaptureSummary(String file, String format, long packets, long ipPackets, long bytes,
                                 long firstNanos, long lastNanos, boolean complete) {
    }

    /** A TCP connection (or UDP/ICMP flow) the audited machine took part in. */
    public record ConnectionRecord(String flow, String transport, String client, String server, String protocol,
                                   long firstNanos, long lastNanos, long bytesToServer, long bytesToClient,
                                   long missingBytes, long truncatedBytes, boolean handshakeSeen) {
    }

    public record DnsQueryRecord(long timestampNanos, String flow, String name, String type) {
    }

    /** How much of a planted file left, union over all findings. */
    public record Coverage(String plantedFile, String category, long size, long bytesSeen, boolean whole) {
    }

    /** Bytes the engine could not look at because a limit was reached: non-zero means the result is partial. */
    public record Limits(long bufferTruncatedBytes, long reassemblyTruncatedBytes, long missingBytes,
                         long decodeLimitHits) {
    }
}
