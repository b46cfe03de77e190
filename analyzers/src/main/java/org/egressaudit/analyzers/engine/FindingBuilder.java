package org.egressaudit.analyzers.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.detect.Match;
import org.egressaudit.analyzers.detect.MatchKind;
import org.egressaudit.analyzers.detect.PlantedFile;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.analyzers.protocol.Transmission;

/**
 * Turns the matches of one analysed transmission into findings and judges each against the policy. Where the same
 * planted content shows at several layers (the multipart body and the part inside it) only the deepest layer is
 * reported: its decode chain explains the others.
 */
final class FindingBuilder {
    private static final int EXCERPT_CONTEXT = 32;
    private static final int EXCERPT_MATCH = 64;

    private final Policy policy;

    FindingBuilder(Policy policy) {
        this.policy = policy;
    }

    /** Findings for one outbound transmission (ids are assigned later). */
    List<Finding> build(Transmission t, List<ObjectAnalysis> nodes) {
        List<Finding> out = new ArrayList<>();
        Map<ContentObject, PlantedFile> wholeAt = new IdentityHashMap<>();
        for (ObjectAnalysis n : nodes) {
            for (Match m : n.matches()) {
                if (m.kind() == MatchKind.WHOLE) {
                    wholeAt.put(n.object(), m.file());
                }
            }
        }
        boolean carriesPlanted = false;
        for (ObjectAnalysis n : nodes) {
            Map<PlantedFile, List<Match>> byFile = new LinkedHashMap<>();
            Map<String, List<Match>> byMarker = new LinkedHashMap<>();
            for (Match m : n.matches()) {
                if (m.kind() == MatchKind.MARKER) {
                    if (!insideLongerMarker(m, n.matches())) {
                        byMarker.computeIfAbsent(m.marker(), k -> new ArrayList<>()).add(m);
                    }
                } else {
                    byFile.computeIfAbsent(m.file(), k -> new ArrayList<>()).add(m);
                }
            }
            for (Map.Entry<PlantedFile, List<Match>> e : byFile.entrySet()) {
                PlantedFile f = e.getKey();
                if (explainedByAncestor(n.object(), f, wholeAt) || foundDeeper(n.object(), f, nodes)) {
                    continue;
                }
                carriesPlanted = true;
                out.add(fileFinding(t, n, f, e.getValue(), nodes));
            }
            for (Map.Entry<String, List<Match>> e : byMarker.entrySet()) {
                if (markerFoundDeeper(n.object(), e.getKey(), nodes)) {
                    continue;
                }
                carriesPlanted = true;
                PlantedFile within = wholePlantedAbove(n.object(), wholeAt);
                if (within != null && !policy.allows(within.category())) {
                    // The file's own finding already fails and names the marker: one finding, not several.
                    continue;
                }
                out.add(markerFinding(t, n, e.getKey(), e.getValue(), wholeAt));
            }
            if (OpaqueMeter.hasLimitNote(n.object())) {
                out.add(limitFinding(t, n));
            }
        }
        if (!carriesPlanted && !policy.allows(Category.METADATA)) {
            out.add(new Finding(0, FindingKind.METADATA, Verdict.FAIL, null, Category.METADATA, null, t.id(),
                    t.flow().toString(), t.protocol(), t.destination(), t.summary(), t.firstNanos(), t.lastNanos(),
                    List.of(), List.of(), contentBytes(nodes),
                    "transmission without planted content, but the policy does not allow metadata to leave", null));
        }
        return out;
    }

    private Finding fileFinding(Transmission t, ObjectAnalysis n, PlantedFile f, List<Match> matches,
                                List<ObjectAnalysis> nodes) {
        boolean whole = matches.stream().anyMatch(m -> m.kind() == MatchKind.WHOLE);
        List<Finding.Range> ranges = new ArrayList<>();
        long bytes = 0;
        for (Match m : matches) {
            if (whole && m.kind() != MatchKind.WHOLE) {
                continue;
            }
            ranges.add(new Finding.Range(m.objectOffset(), m.fileOffset(), m.length()));
            bytes += m.length();
        }
        Verdict effect = policy.allows(f.category()) ? Verdict.PASS : Verdict.FAIL;
        String detail;
        if (f.category() == Category.ARCHIVE && membersFound(n.object(), f, nodes)) {
            effect = Verdict.PASS;
            detail = "planted archive " + f.name() + " left whole; judged by its members (see their findings)";
        } else if (whole) {
            detail = "planted file " + f.name() + " (" + f.category() + ", " + f.size() + " bytes) left whole"
                    + (effect == Verdict.PASS ? "; its category is allowed" : "; category not allowed")
                    + markersBelow(n.object(), nodes);
        } else {
            detail = bytes + " of " + f.size() + " bytes of planted file " + f.name() + " (" + f.category()
                    + ") left in " + ranges.size() + " range(s)"
                    + (effect == Verdict.PASS ? "; its category is allowed" : "; category not allowed");
        }
        Match first = matches.get(0);
        return new Finding(0, whole ? FindingKind.WHOLE : FindingKind.FRAGMENT, effect, f.name(), f.category(), null,
                t.id(), t.flow().toString(), t.protocol(), t.destination(), t.summary(), t.firstNanos(),
                t.lastNanos(), chain(t, n), ranges, bytes, detail, excerpt(n.object(), first));
    }

    /** The object's decode chain; content decrypted from TLS starts at "tls" (tls > http-body > ...). */
    private static List<String> chain(Transmission t, ObjectAnalysis n) {
        List<String> c = n.object().chain();
        if (!"decrypted".equals(t.attributes().get("tls"))) {
            return c;
        }
        List<String> out = new ArrayList<>(c.size() + 1);
        out.add("tls");
        out.addAll(c);
        return out;
    }

    /** "SECRET//" inside an occurrence of "TOP SECRET//" is the same marking, not a second one. */
    private static boolean insideLongerMarker(Match m, List<Match> all) {
        for (Match o : all) {
            if (o != m && o.kind() == MatchKind.MARKER && o.length() > m.length()
                    && o.objectOffset() <= m.objectOffset()
                    && o.objectOffset() + o.length() >= m.objectOffset() + m.length()) {
                return true;
            }
        }
        return false;
    }

    private static PlantedFile fragmentPlantedAt(ObjectAnalysis n) {
        for (Match m : n.matches()) {
            if (m.kind() == MatchKind.FRAGMENT) {
                return m.file();
            }
        }
        return null;
    }

    private static PlantedFile wholePlantedAbove(ContentObject node, Map<ContentObject, PlantedFile> wholeAt) {
        for (ContentObject o = node; o != null; o = o.parent()) {
            PlantedFile f = wholeAt.get(o);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /** "; carries markers: A, B" for the markers found in a node and below it, else "". */
    private static String markersBelow(ContentObject node, List<ObjectAnalysis> nodes) {
        java.util.Set<String> markers = new java.util.LinkedHashSet<>();
        for (ObjectAnalysis o : nodes) {
            if (node.isAncestorOf(o.object())) {
                for (Match m : o.matches()) {
                    if (m.kind() == MatchKind.MARKER) {
                        markers.add(m.marker());
                    }
                }
            }
        }
        return markers.isEmpty() ? "" : "; carries markers: " + String.join(", ", markers);
    }

    private Finding markerFinding(Transmission t, ObjectAnalysis n, String marker, List<Match> matches,
                                  Map<ContentObject, PlantedFile> wholeAt) {
        PlantedFile within = wholePlantedAbove(n.object(), wholeAt);
        PlantedFile carrier = within != null ? within : fragmentPlantedAt(n);
        Category category = carrier != null ? carrier.category() : n.object().type().category();
        List<Finding.Range> ranges = new ArrayList<>();
        for (Match m : matches) {
            ranges.add(new Finding.Range(m.objectOffset(), -1, m.length()));
        }
        String detail = "marker '" + marker + "' left " + matches.size() + " time(s)"
                + (within != null ? " inside planted file " + within.name()
                : carrier != null ? " inside a fragment of planted file " + carrier.name() : "");
        return new Finding(0, FindingKind.MARKER, Verdict.FAIL, carrier != null ? carrier.name() : null, category,
                marker, t.id(), t.flow().toString(), t.protocol(), t.destination(), t.summary(), t.firstNanos(),
                t.lastNanos(), chain(t, n), ranges, matches.size(), detail, excerpt(n.object(), matches.get(0)));
    }

    private Finding limitFinding(Transmission t, ObjectAnalysis n) {
        String note = n.object().notes().stream().filter(s -> s.startsWith("decode-limit")).findFirst().orElse("");
        return new Finding(0, FindingKind.DECODE_LIMIT, Verdict.OPAQUE, null, n.object().type().category(), null,
                t.id(), t.flow().toString(), t.protocol(), t.destination(), t.summary(), t.firstNanos(), t.lastNanos(),
                chain(t, n), List.of(), n.object().length(), note, null);
    }

    /** A planted file whose container (or the container's container) already matched whole above this node. */
    private static boolean explainedByAncestor(ContentObject node, PlantedFile f, Map<ContentObject, PlantedFile> wholeAt) {
        for (ContentObject o = node.parent(); o != null; o = o.parent()) {
            PlantedFile g = wholeAt.get(o);
            if (g != null && g.category() != Category.ARCHIVE && f.name().startsWith(g.name() + "!/")) {
                return true;
            }
        }
        return false;
    }

    private static boolean foundDeeper(ContentObject node, PlantedFile f, List<ObjectAnalysis> nodes) {
        for (ObjectAnalysis o : nodes) {
            if (o.object() != node && node.isAncestorOf(o.object())) {
                for (Match m : o.matches()) {
                    if (m.file() == f) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean membersFound(ContentObject node, PlantedFile archive, List<ObjectAnalysis> nodes) {
        for (ObjectAnalysis o : nodes) {
            if (o.object() != node && node.isAncestorOf(o.object())) {
                for (Match m : o.matches()) {
                    if (m.file() != null && m.file().name().startsWith(archive.name() + "!/")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean markerFoundDeeper(ContentObject node, String marker, List<ObjectAnalysis> nodes) {
        for (ObjectAnalysis o : nodes) {
            if (o.object() != node && node.isAncestorOf(o.object())) {
                for (Match m : o.matches()) {
                    if (m.kind() == MatchKind.MARKER && marker.equals(m.marker())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static long contentBytes(List<ObjectAnalysis> nodes) {
        long n = 0;
        for (ObjectAnalysis o : nodes) {
            if (o.object().parent() == null) {
                n += o.object().length();
            }
        }
        return n;
    }

    static Finding.Excerpt excerpt(ContentObject o, Match m) {
        long start = Math.max(0, m.objectOffset() - EXCERPT_CONTEXT);
        long matchLen = Math.min(m.length(), EXCERPT_MATCH);
        long end = Math.min(o.length(), m.objectOffset() + matchLen + EXCERPT_CONTEXT);
        int from = o.offset() + (int) start;
        int len = (int) (end - start);
        byte[] b = new byte[len];
        System.arraycopy(o.data(), from, b, 0, len);
        StringBuilder text = new StringBuilder(len);
        for (byte x : b) {
            int c = x & 0xff;
            text.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
        }
        return new Finding.Excerpt(start, HexFormat.of().formatHex(b), text.toString(),
                (int) (m.objectOffset() - start), (int) matchLen);
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
