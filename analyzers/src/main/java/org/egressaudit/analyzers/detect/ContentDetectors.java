package org.egressaudit.analyzers.detect;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import org.egressaudit.analyzers.content.ContentObject;

/**
 * The {@link ContentDetector}s on the class path, and how their results join the scanner's: validated, capped and
 * merged into the object's {@link ScanResult}. A detector that throws or returns nonsense is recorded as a note on
 * the object ("detector-error: ...") and the analysis goes on. Immutable and thread-safe.
 */
public final class ContentDetectors {
    /** Matches kept per detector and object; the rest are counted in {@link ScanResult#omittedMatches()}. */
    public static final int MAX_MATCHES = 1_000;
    /** Longest marker text a detector may report (it is shown in findings and reports). */
    public static final int MAX_MARKER_CHARS = 200;

    private final List<ContentDetector> detectors;

    /** Exactly these detectors (tests, custom engines), sorted by name so results are stable. */
    public ContentDetectors(Collection<? extends ContentDetector> detectors) {
        List<ContentDetector> sorted = new ArrayList<>(detectors);
        sorted.sort(Comparator.comparing(ContentDetector::name));
        this.detectors = List.copyOf(sorted);
    }

    /** Every detector registered in META-INF/services/org.egressaudit.analyzers.detect.ContentDetector. */
    public static ContentDetectors load() {
        List<ContentDetector> found = new ArrayList<>();
        for (ContentDetector d : ServiceLoader.load(ContentDetector.class, ContentDetectors.class.getClassLoader())) {
            found.add(d);
        }
        return new ContentDetectors(found);
    }

    public List<ContentDetector> detectors() {
        return detectors;
    }

    /**
     * {@code scan} with every detector's matches on {@code obj} added, ordered by object offset; {@code scan}
     * itself when there are no detectors or none matched.
     */
    public ScanResult addTo(ScanResult scan, ContentObject obj) {
        if (detectors.isEmpty()) {
            return scan;
        }
        DetectContext ctx = DetectContext.of(obj);
        List<Match> added = new ArrayList<>();
        long omitted = 0;
        for (ContentDetector d : detectors) {
            List<Match> found;
            try {
                found = d.detect(obj.data(), obj.offset(), obj.length(), ctx);
            } catch (RuntimeException | StackOverflowError e) {
                obj.addNote("detector-error: " + d.name() + " failed: " + e);
                continue;
            }
            if (found == null) {
                continue;
            }
            int kept = 0;
            int invalid = 0;
            for (Match m : found) {
                if (!valid(m, obj.length())) {
                    invalid++;
                } else if (kept < MAX_MATCHES) {
                    added.add(m);
                    kept++;
                } else {
                    omitted++;
                }
            }
            if (invalid > 0) {
                obj.addNote("detector-error: " + d.name() + " returned " + invalid + " invalid match(es) (not MARKER, "
                        + "blank or over-long marker, or a range outside the object); ignored");
            }
        }
        if (added.isEmpty() && omitted == 0) {
            return scan;
        }
        List<Match> all = new ArrayList<>(scan.matches().size() + added.size());
        all.addAll(scan.matches());
        all.addAll(added);
        all.sort(Comparator.comparingLong(Match::objectOffset)); // stable: scanner matches first at equal offsets
        return new ScanResult(all, scan.entropy(), scan.printableRatio(), scan.omittedMatches() + omitted);
    }

    private static boolean valid(Match m, int objectLength) {
        return m != null && m.kind() == MatchKind.MARKER && m.marker() != null && !m.marker().isBlank()
                && m.marker().length() <= MAX_MARKER_CHARS && m.objectOffset() >= 0 && m.length() > 0
                && m.objectOffset() <= objectLength && m.length() <= objectLength - m.objectOffset();
    }
}
