package org.egressaudit.analyzers.engine;

import java.util.ArrayList;
import java.util.List;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.content.FileTypeSniffer;
import org.egressaudit.analyzers.decode.DecodeContext;
import org.egressaudit.analyzers.decode.DecodeLimits;
import org.egressaudit.analyzers.decode.DecoderRegistry;
import org.egressaudit.analyzers.detect.ContentDetectors;
import org.egressaudit.analyzers.detect.ContentScanner;
import org.egressaudit.analyzers.detect.Match;
import org.egressaudit.analyzers.detect.MatchKind;
import org.egressaudit.analyzers.detect.ScanResult;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.analyzers.protocol.Transmission;

/**
 * Analyses one transmission: sniffs, scans and decodes every object recursively (within the decode limits),
 * measures what stayed opaque, and judges the matches against the policy. Thread-safe; one call per transmission.
 */
public final class TransmissionAnalyzer {
    private final ContentScanner scanner;
    /** Researchers' detectors (META-INF/services), run on every object after the scanner. */
    private final ContentDetectors detectors;
    private final DecoderRegistry decoders;
    private final DecodeLimits limits;
    private final FindingBuilder findings;
    private final OpaqueMeter opaque = new OpaqueMeter();
    /** Decode-tree nodes listed per transmission in the report beyond those with matches or notes. */
    static final int MAX_OBJECT_SUMMARIES = 200;

    public TransmissionAnalyzer(ContentScanner scanner, DecoderRegistry decoders, DecodeLimits limits, Policy policy) {
        this.scanner = scanner;
        this.detectors = ContentDetectors.load();
        this.decoders = decoders;
        this.limits = limits;
        this.findings = new FindingBuilder(policy);
    }

    public AnalyzedTransmission analyze(Transmission t) {
        List<ObjectAnalysis> nodes = new ArrayList<>();
        if (!t.outbound()) {
            // Downloads never count as leaks: record what they are, spend no decoding on them.
            List<AnalyzedTransmission.ObjectSummary> objects = new ArrayList<>();
            for (ContentObject root : t.roots()) {
                root.setType(FileTypeSniffer.sniff(root.data(), root.offset(), root.length(), root.name()));
                objects.add(summary(root, Double.NaN));
            }
            return new AnalyzedTransmission(strip(t), t.contentBytes(), objects, 0, List.of());
        }
        DecodeContext ctx = new DecodeContext(limits);
        for (ContentObject root : t.roots()) {
            analyze(root, ctx, nodes);
        }
        long opaqueBytes = t.opaqueBytes();
        List<AnalyzedTransmission.ObjectSummary> objects = new ArrayList<>(nodes.size());
        int omitted = 0;
        for (ObjectAnalysis n : nodes) {
            opaqueBytes += opaque.opaqueBytes(n);
            // A log body can decode into a million tiny hex ids: keep the tree's first nodes and every node with
            // a match or a note, count the rest, so a transmission's record stays small.
            if (objects.size() < MAX_OBJECT_SUMMARIES || !n.matches().isEmpty() || !n.object().notes().isEmpty()) {
                objects.add(summary(n.object(), n.scan().entropy()));
            } else {
                omitted++;
            }
        }
        if (omitted > 0) {
            objects.add(new AnalyzedTransmission.ObjectSummary("(" + omitted + " more decoded objects without "
                    + "matches, not listed)", "summary", 0, 0, false, Double.NaN, List.of()));
        }
        return new AnalyzedTransmission(strip(t), t.contentBytes(), objects, opaqueBytes, findings.build(t, nodes));
    }

    private void analyze(ContentObject obj, DecodeContext ctx, List<ObjectAnalysis> out) {
        obj.setType(FileTypeSniffer.sniff(obj.data(), obj.offset(), obj.length(), obj.name()));
        ScanResult scan = detectors.addTo(scanner.scan(obj.data(), obj.offset(), obj.length()), obj);
        obj.setEntropy(scan.entropy());
        out.add(new ObjectAnalysis(obj, scan));
        if (isWholePlantedNonArchive(scan, obj)) {
            // Its members are planted files of the same category: expanding it again only repeats the match.
            // Planted archives are still expanded: an archive is judged by its members.
            return;
        }
        if (decoders.decodeOne(obj, ctx)) {
            for (ContentObject child : obj.children()) {
                analyze(child, ctx, out);
            }
        }
    }

    private static boolean isWholePlantedNonArchive(ScanResult scan, ContentObject obj) {
        for (Match m : scan.matches()) {
            if (m.kind() == MatchKind.WHOLE && m.length() == obj.length() && m.file().category() != Category.ARCHIVE) {
                return true;
            }
        }
        return false;
    }

    private static AnalyzedTransmission.ObjectSummary summary(ContentObject o, double entropy) {
        return new AnalyzedTransmission.ObjectSummary(String.join(" > ", o.chain()), o.type().id(), o.length(),
                o.declaredLength(), o.truncated(), entropy, List.copyOf(o.notes()));
    }

    /** Keeps the metadata, drops the bytes: the report needs the former, the heap cannot keep the latter. */
    private static Transmission strip(Transmission t) {
        return new Transmission(t.id(), t.flow(), t.direction(), t.protocol(), t.destination(), t.summary(),
                t.firstNanos(), t.lastNanos(), t.streamOffset(), t.attributes(), List.of(), t.opaqueBytes(), t.notes(),
                0);
    }
}
