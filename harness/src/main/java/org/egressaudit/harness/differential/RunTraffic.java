package org.egressaudit.harness.differential;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.analyzers.engine.AnalyzedTransmission;
import org.egressaudit.analyzers.protocol.Transmission;

/**
 * One run's outbound traffic reduced to what the differential compares: per request shape, total bytes, opaque
 * bytes, number of requests and a bounded sample of the transmissions as evidence. Kept small on purpose: a
 * differential holds several runs at once.
 *
 * @param runId    the run's id (its folder name), used as evidence
 * @param shapes   per shape, sorted by shape key
 * @param warnings reasons why this run's totals may not be the whole truth (records the analysis left out, a
 *                 truncated capture, bytes past a limit)
 */
public record RunTraffic(String runId, Map<RequestShape, ShapeTraffic> shapes, List<String> warnings) {
    /** Distinct shapes kept per run; the agent chooses its paths and names, so their number is bounded. */
    static final int MAX_SHAPES = 2000;
    /** Transmissions listed as evidence per shape and run. */
    static final int MAX_EVIDENCE = 20;
    /** Where the transmissions of shapes past {@link #MAX_SHAPES} are counted. */
    static final RequestShape OVERFLOW = new RequestShape("*", "*", "(shapes past the limit of " + MAX_SHAPES + ")");

    public RunTraffic {
        Objects.requireNonNull(runId, "runId");
        shapes = Collections.unmodifiableMap(new TreeMap<>(shapes));
        warnings = List.copyOf(warnings);
    }

    /**
     * A shape's traffic in one run.
     *
     * @param bytes       bytes that left: content as carried (HTTP head and body, DNS name, stream data) plus
     *                    bytes the analysis could not open at all (TLS without keys)
     * @param opaqueBytes of those, bytes the analysis judged opaque (undecodable, random-looking)
     * @param requests    requests (HTTP message, DNS query) or, for raw and TLS shapes, connections/flows
     * @param example     a representative summary (the first transmission's, without its piece number)
     * @param evidence    the first {@link #MAX_EVIDENCE} transmissions
     * @param transmissions transmissions counted (pieces of one request count separately here)
     */
    public record ShapeTraffic(RequestShape shape, long bytes, long opaqueBytes, long requests, String example,
                               List<Evidence> evidence, long transmissions) {
        public ShapeTraffic {
            evidence = List.copyOf(evidence);
        }
    }

    /** One transmission as evidence: its id in the run's report, its flow, its summary and size. */
    public record Evidence(long transmissionId, String flow, String summary, long bytes) {
    }

    /** Extracts the outbound traffic of an analysis. */
    public static RunTraffic of(String runId, AnalysisResult result) {
        Map<RequestShape, Acc> acc = new LinkedHashMap<>();
        for (AnalyzedTransmission at : result.transmissions()) {
            Transmission t = at.transmission();
            if (!t.outbound() || t.attributes().containsKey("assembled-chars")) {
                continue; // downloads never leak; DNS label assemblies repeat bytes their queries already count
            }
            long size = sizeOf(at);
            if (size == 0) {
                continue; // a record carrying only notes (e.g. missing bytes): nothing left the machine
            }
            RequestShape shape = RequestShape.of(t);
            if (!acc.containsKey(shape) && acc.size() >= MAX_SHAPES) {
                shape = OVERFLOW;
            }
            acc.computeIfAbsent(shape, s -> new Acc()).add(at, size);
        }
        Map<RequestShape, ShapeTraffic> shapes = new LinkedHashMap<>();
        acc.forEach((s, a) -> shapes.put(s, a.toTraffic(s)));
        List<String> warnings = new ArrayList<>();
        AnalysisResult.Totals totals = result.totals();
        if (totals != null && totals.transmissionRecordsOmitted() > 0) {
            warnings.add(runId + ": the analysis kept no record of " + totals.transmissionRecordsOmitted()
                    + " transmissions (record limit): its per-shape totals undercount; raise the analysis record "
                    + "limit for differential runs");
        }
        if (result.capture() != null && !result.capture().complete()) {
            warnings.add(runId + ": the capture is truncated or corrupt: totals cover only what was read");
        }
        AnalysisResult.Limits l = result.limits();
        if (l != null && (l.bufferTruncatedBytes() > 0 || l.reassemblyTruncatedBytes() > 0 || l.missingBytes() > 0)) {
            warnings.add(runId + ": " + (l.bufferTruncatedBytes() + l.reassemblyTruncatedBytes())
                    + " bytes past analysis limits and " + l.missingBytes() + " bytes missing from the capture: "
                    + "totals may differ from what was sent");
        }
        if (acc.containsKey(OVERFLOW)) {
            warnings.add(runId + ": more than " + MAX_SHAPES + " request shapes; the rest are counted together");
        }
        return new RunTraffic(runId, shapes, warnings);
    }

    /**
     * Bytes that left in a transmission: its content roots, minus the HTTP query root (a view of bytes the head
     * root already holds), plus the bytes that were never opened (TLS application data without keys).
     */
    static long sizeOf(AnalyzedTransmission at) {
        long size = at.contentBytes() + at.transmission().opaqueBytes();
        for (AnalyzedTransmission.ObjectSummary o : at.objects()) {
            if (o.chain().equals("http-query")) {
                size -= o.bytes();
            }
        }
        return Math.max(0, size);
    }

    /** Summary without the " [piece N]" the parsers add to split messages. */
    static String withoutPiece(String summary) {
        if (summary == null) {
            return "";
        }
        int i = summary.lastIndexOf(" [piece ");
        return i >= 0 && summary.endsWith("]") ? summary.substring(0, i) : summary;
    }

    private static final class Acc {
        long bytes;
        long opaque;
        long requests;
        long transmissions;
        String example;
        final List<Evidence> evidence = new ArrayList<>();
        final Set<String> flows = new HashSet<>();

        void add(AnalyzedTransmission at, long size) {
            Transmission t = at.transmission();
            RequestShape s = RequestShape.of(t);
            bytes += size;
            opaque += Math.min(size, at.opaqueBytes());
            transmissions++;
            String flow = t.flow() == null ? "?" : t.flow().toString();
            if (s.request().equals("raw") || s.request().equals("session")) {
                // Streams are split into pieces of the analyzer's choosing: count connections, not pieces.
                if (flows.size() < 100_000 && flows.add(flow)) {
                    requests++;
                }
            } else {
                String piece = t.attributes().get("piece");
                if (piece == null || piece.equals("1")) {
                    requests++;
                }
            }
            String summary = withoutPiece(t.summary());
            if (example == null) {
                example = summary;
            }
            if (evidence.size() < MAX_EVIDENCE) {
                evidence.add(new Evidence(t.id(), flow, summary.length() > 200 ? summary.substring(0, 199) + "…"
                        : summary, size));
            }
        }

        ShapeTraffic toTraffic(RequestShape s) {
            return new ShapeTraffic(s, bytes, opaque, requests, example == null ? "" : example, evidence,
                    transmissions);
        }
    }
}
