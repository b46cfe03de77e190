package org.egressaudit.analyzers.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.corpus.Corpus;
import org.egressaudit.analyzers.detect.PlantedFile;
import org.egressaudit.analyzers.flow.OverlapConflict;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.analyzers.protocol.Transmission;

/**
 * Judges analysed transmissions against the policy: per-transmission findings, TCP overlap conflicts, the opaque
 * budget per destination, coverage of planted files, and the overall verdict (FAIL over OPAQUE over PASS).
 */
final class VerdictBuilder {
    private final Policy policy;

    VerdictBuilder(Policy policy) {
        this.policy = policy;
    }

    AnalysisResult build(AnalysisResult.CaptureSummary capture, Corpus corpus, List<AnalyzedTransmission> analysed,
                         ConnectionRecorder recorder, List<AnalysisResult.DnsQueryRecord> dns, List<String> warnings,
                         long bufferTruncated, long reassemblyTruncated, AnalysisResult.Totals totals) {
        List<Finding> findings = new ArrayList<>();
        Map<String, Long> opaqueByDestination = new LinkedHashMap<>();
        Map<String, List<AnalyzedTransmission>> opaqueTransmissions = new HashMap<>();
        Map<String, String> protocolByFlow = new HashMap<>();
        long decodeLimitHits = 0;
        for (AnalyzedTransmission at : analysed) {
            Transmission t = at.transmission();
            protocolByFlow.merge(t.flow().toString(), t.protocol(), (a, b) -> a.equals(b) ? a : a);
            if (!t.outbound()) {
                continue;
            }
            List<Finding> fs = at.findings();
            for (Finding f : fs) {
                if (f.kind() == FindingKind.DECODE_LIMIT) {
                    decodeLimitHits++;
                }
            }
            findings.addAll(fs);
            if (at.opaqueBytes() > 0) {
                opaqueByDestination.merge(t.destination(), at.opaqueBytes(), Long::sum);
                opaqueTransmissions.computeIfAbsent(t.destination(), k -> new ArrayList<>()).add(at);
            }
        }
        for (ConnectionRecorder.Conflict c : recorder.conflicts()) {
            OverlapConflict oc = c.conflict();
            findings.add(new Finding(0, FindingKind.AMBIGUOUS_OVERLAP, Verdict.OPAQUE, null, null, null,
                    c.alternateTransmissionId(), c.flow().toString(), "tcp", c.flow().serverAddress(),
                    "overlapping TCP segments disagree (" + oc.direction() + ")", oc.timestampNanos(),
                    oc.timestampNanos(), List.of("tcp"), List.of(new Finding.Range(oc.streamOffset(), -1,
                    oc.alternateBytes().length)), oc.alternateBytes().length,
                    "TCP segments at stream offset " + oc.streamOffset() + " (packet #" + oc.packetIndex()
                            + ") carry different bytes for the same range: what the receiver read depends on its "
                            + "overlap policy (possible evasion); the first copy was kept and the other analysed as "
                            + "transmission " + c.alternateTransmissionId(), null));
        }
        for (Map.Entry<String, Long> e : opaqueByDestination.entrySet()) {
            if (e.getValue() > policy.opaqueBytesBudget()) {
                List<AnalyzedTransmission> ts = opaqueTransmissions.get(e.getKey());
                Transmission t0 = ts.get(0).transmission();
                Transmission tn = ts.get(ts.size() - 1).transmission();
                findings.add(new Finding(0, FindingKind.OPAQUE, Verdict.OPAQUE, null, null, null, t0.id(),
                        t0.flow().toString(), t0.protocol(), e.getKey(), t0.summary(), t0.firstNanos(), tn.lastNanos(),
                        List.of(), List.of(), e.getValue(),
                        e.getValue() + " bytes that could not be inspected went to " + e.getKey() + " in " + ts.size()
                                + " transmission(s), over the budget of " + policy.opaqueBytesBudget() + " bytes", null));
            }
        }
        findings.sort(Comparator.comparingLong(Finding::firstNanos).thenComparingLong(Finding::transmissionId));
        List<Finding> numbered = new ArrayList<>(findings.size());
        Verdict verdict = Verdict.PASS;
        for (int i = 0; i < findings.size(); i++) {
            Finding f = findings.get(i).withId(i + 1);
            numbered.add(f);
            verdict = verdict.worst(f.effect());
        }
        List<AnalysisResult.ConnectionRecord> conns = new ArrayList<>();
        for (AnalysisResult.ConnectionRecord c : recorder.connections()) {
            conns.add(new AnalysisResult.ConnectionRecord(c.flow(), c.transport(), c.client(), c.server(),
                    protocolByFlow.getOrDefault(c.flow(), c.transport()), c.firstNanos(), c.lastNanos(),
                    c.bytesToServer(), c.bytesToClient(), c.missingBytes(), c.truncatedBytes(), c.handshakeSeen()));
        }
        long missing = conns.stream().mapToLong(AnalysisResult.ConnectionRecord::missingBytes).sum();
        if (bufferTruncated > 0) {
            warnings.add(bufferTruncated + " bytes were not analysed because the analysis memory budget was full");
        }
        if (reassemblyTruncated > 0) {
            warnings.add(reassemblyTruncated + " out-of-order TCP bytes were dropped by the reassembly memory cap");
        }
        if (missing > 0) {
            warnings.add(missing + " TCP bytes were never captured (gaps); 'not seen' is not 'not sent' for them");
        }
        if (totals.transmissionRecordsOmitted() > 0 || totals.dnsRecordsOmitted() > 0) {
            warnings.add(totals.transmissionRecordsOmitted() + " transmission and " + totals.dnsRecordsOmitted()
                    + " DNS query records without findings are counted but not listed (record limit)");
        }
        return new AnalysisResult(verdict, numbered, capture, corpus, policy, analysed, conns, dns,
                coverage(corpus, numbered), warnings,
                new AnalysisResult.Limits(bufferTruncated, reassemblyTruncated, missing, decodeLimitHits), totals);
    }

    /** Union of the planted-file ranges that left, per file. */
    private static List<AnalysisResult.Coverage> coverage(Corpus corpus, List<Finding> findings) {
        Map<String, PlantedFile> byName = new HashMap<>();
        for (PlantedFile f : corpus.files()) {
            byName.put(f.name(), f);
        }
        Map<String, TreeMap<Long, Long>> ranges = new TreeMap<>();
        Map<String, Boolean> whole = new HashMap<>();
        for (Finding f : findings) {
            if (f.plantedFile() == null || (f.kind() != FindingKind.WHOLE && f.kind() != FindingKind.FRAGMENT)) {
                continue;
            }
            PlantedFile pf = byName.get(f.plantedFile());
            if (pf == null) {
                continue;
            }
            TreeMap<Long, Long> r = ranges.computeIfAbsent(pf.name(), k -> new TreeMap<>());
            if (f.kind() == FindingKind.WHOLE) {
                whole.put(pf.name(), true);
                r.merge(0L, pf.size(), Math::max);
            } else {
                for (Finding.Range x : f.ranges()) {
                    r.merge(x.fileOffset(), x.fileOffset() + x.length(), Math::max);
                }
            }
        }
        List<AnalysisResult.Coverage> out = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Long, Long>> e : ranges.entrySet()) {
            PlantedFile pf = byName.get(e.getKey());
            long covered = 0;
            long curStart = -1;
            long curEnd = -1;
            for (Map.Entry<Long, Long> r : e.getValue().entrySet()) {
                if (r.getKey() > curEnd) {
                    covered += curEnd - curStart;
                    curStart = r.getKey();
                    curEnd = r.getValue();
                } else {
                    curEnd = Math.max(curEnd, r.getValue());
                }
            }
            covered += curEnd - curStart;
            Category c = pf.category();
            out.add(new AnalysisResult.Coverage(pf.name(), c.id(), pf.size(), covered,
                    whole.getOrDefault(pf.name(), false) || covered >= pf.size()));
        }
        return out;
    }
}
