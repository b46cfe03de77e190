package org.egressaudit.analyzers.protocol.dns;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.Transmission;

/**
 * Reassembles data hidden in the labels of many DNS queries (DNS tunnelling / exfiltration), so that the
 * decode layer can find base32/base64/hex runs that no single query holds whole.
 *
 * <p>Policy, in order:
 * <ol>
 *   <li>Client queries are grouped by parent domain ({@link ParentDomains}).</li>
 *   <li>A name seen again (case-insensitively) within {@link DnsLimits#retransmitWindowNanos()} of its previous
 *       sighting is a retransmission (resolver retry, A+AAAA pair) and is dropped.</li>
 *   <li>Within a group, the longest label suffix shared by more than half of the names (at least the parent) is
 *       the tunnel's zone; the labels before it are data. Names outside that zone are assembled again, in the
 *       same way, as a group of their own (so decoy queries neither break nor hide the main stream).</li>
 *   <li>If every name's first (else last) data label is a short decimal or hex counter, with distinct values in
 *       a dense range, names are ordered by it and the counter label is dropped; a repeated counter value on an
 *       identical name is a late retransmission. Otherwise capture order is kept.</li>
 *   <li>The remaining data labels are concatenated without dots.</li>
 * </ol>
 * At {@link #finish} every concatenation of at least {@link DnsLimits#minAssembledChars()} characters becomes a
 * "dns-labels" transmission. Group count and kept bytes are bounded; a reached limit is recorded as an event and
 * as a note on the affected transmission.
 */
public final class DnsLabelExfilAssembler {

    /** One query kept for assembly. */
    record Entry(List<String> labels, List<String> lowerLabels, String lowerName, long timestampNanos,
                 FlowKey flow, long sequence) {
    }

    /** The result of assembling one group (or one zone of a group). */
    public record Assembly(String parent, String zone, int queries, int flows, String counter, String text,
                           FlowKey firstFlow, long firstNanos, long lastNanos, List<String> notes) {
    }

    private static final class Group {
        final String parent;
        final int parentLabels;
        final List<Entry> entries = new ArrayList<>();
        final Map<String, Long> lastSeen = new HashMap<>();
        long bytes;
        int retransmissions;
        long refusedQueries;

        Group(String parent, int parentLabels) {
            this.parent = parent;
            this.parentLabels = parentLabels;
        }
    }

    private final ProtocolContext context;
    private final DnsLimits limits;
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private long totalBytes;
    private long sequence;
    private long queriesOverGroupLimit;
    private long queriesOverTotalLimit;
    private FlowKey groupLimitFlow;
    private boolean finished;

    public DnsLabelExfilAssembler(ProtocolContext context, DnsLimits limits) {
        this.context = context;
        this.limits = limits;
    }

    /** A query the client sent. */
    public void onQuery(FlowKey flow, DnsName name, long timestampNanos) {
        if (finished || name.labelCount() == 0) {
            return;
        }
        int parentLabels = ParentDomains.parentLabelCount(name);
        String parent = name.suffix(parentLabels).lowerText();
        Group g = groups.get(parent);
        if (g == null) {
            if (groups.size() >= limits.maxLabelGroups()) {
                if (queriesOverGroupLimit++ == 0) {
                    groupLimitFlow = flow;
                    context.sink().event(flow, Direction.CLIENT_TO_SERVER, "limit",
                            "dns label assembly: more than " + limits.maxLabelGroups()
                                    + " parent domains; queries to new ones are not assembled", timestampNanos);
                }
                return;
            }
            g = new Group(parent, parentLabels);
            groups.put(parent, g);
        }
        String lower = name.lowerText();
        Long last = g.lastSeen.get(lower);
        if (last != null && timestampNanos - last <= limits.retransmitWindowNanos()) {
            g.lastSeen.put(lower, timestampNanos);
            g.retransmissions++;
            return;
        }
        int cost = name.wireLength();
        if (g.bytes + cost > limits.maxBytesPerGroup()) {
            if (g.refusedQueries++ == 0) {
                context.sink().event(flow, Direction.CLIENT_TO_SERVER, "limit",
                        "dns label assembly: " + parent + " reached " + limits.maxBytesPerGroup()
                                + " bytes; later queries are not assembled", timestampNanos);
            }
            return;
        }
        if (totalBytes + cost > limits.maxLabelBytesTotal()) {
            g.refusedQueries++;
            if (queriesOverTotalLimit++ == 0) {
                context.sink().event(flow, Direction.CLIENT_TO_SERVER, "limit",
                        "dns label assembly: " + limits.maxLabelBytesTotal()
                                + " bytes kept over all domains; later queries are not assembled", timestampNanos);
            }
            return;
        }
        g.bytes += cost;
        totalBytes += cost;
        g.lastSeen.put(lower, timestampNanos);
        List<String> labels = new ArrayList<>(name.labelCount());
        List<String> lowerLabels = new ArrayList<>(name.labelCount());
        for (int i = 0; i < name.labelCount(); i++) {
            String l = name.label(i);
            labels.add(l);
            lowerLabels.add(l.toLowerCase(Locale.ROOT));
        }
        g.entries.add(new Entry(List.copyOf(labels), List.copyOf(lowerLabels), lower, timestampNanos, flow,
                sequence++));
    }

    /** Assembles every group as it stands (no transmissions emitted); for reports and tests. */
    public List<Assembly> assemble() {
        List<Assembly> out = new ArrayList<>();
        for (Group g : groups.values()) {
            out.addAll(assembleGroup(g));
        }
        return out;
    }

    /** End of capture: emits one "dns-labels" transmission per assembly long enough to carry data. */
    public void finish(long lastTimestampNanos) {
        if (finished) {
            return;
        }
        finished = true;
        for (Assembly a : assemble()) {
            if (a.text().length() < limits.minAssembledChars()) {
                continue;
            }
            emit(a);
        }
        if (queriesOverGroupLimit > 0) {
            context.sink().event(groupLimitFlow, Direction.CLIENT_TO_SERVER, "limit", "dns label assembly: "
                    + queriesOverGroupLimit + " queries not assembled (parent domain limit)", lastTimestampNanos);
        }
        groups.clear();
    }

    private void emit(Assembly a) {
        byte[] data = a.text().getBytes(StandardCharsets.ISO_8859_1);
        List<String> notes = new ArrayList<>(a.notes());
        List<ContentObject> roots = new ArrayList<>();
        long reserved = 0;
        long opaque = 0;
        if (context.budget() == null || context.budget().tryReserve(data.length)) {
            reserved = context.budget() == null ? 0 : data.length;
            roots.add(ContentObject.root("dns-labels", null, data, Map.of()));
        } else {
            opaque = data.length;
            notes.add(data.length + " bytes of assembled labels not analysed: memory budget exhausted");
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("parent", a.parent());
        attrs.put("zone", a.zone());
        attrs.put("queries", Integer.toString(a.queries()));
        attrs.put("flows", Integer.toString(a.flows()));
        attrs.put("counter", a.counter());
        attrs.put("assembled-chars", Integer.toString(a.text().length()));
        context.sink().accept(new Transmission(context.sink().nextId(), a.firstFlow(), Direction.CLIENT_TO_SERVER,
                "dns", a.parent(), "labels of " + a.queries() + " queries to " + a.parent(), a.firstNanos(),
                a.lastNanos(), -1, attrs, roots, opaque, notes, reserved));
    }

    private List<Assembly> assembleGroup(Group g) {
        List<Assembly> out = new ArrayList<>();
        List<Entry> remaining = g.entries;
        boolean firstZone = true;
        while (!remaining.isEmpty()) {
            int zoneLabels = majorityZone(remaining, g.parentLabels);
            List<Entry> members = new ArrayList<>();
            List<Entry> rest = new ArrayList<>();
            if (zoneLabels == g.parentLabels) {
                members = remaining;
            } else {
                List<String> zone = lastLabels(remaining.stream()
                        .filter(e -> e.labels.size() > zoneLabels).findFirst().orElseThrow(), zoneLabels);
                for (Entry e : remaining) {
                    (e.labels.size() > zoneLabels && lastLabels(e, zoneLabels).equals(zone) ? members : rest).add(e);
                }
            }
            List<String> notes = new ArrayList<>();
            if (firstZone) {
                if (g.retransmissions > 0) {
                    notes.add(g.retransmissions + " retransmitted queries dropped");
                }
                if (g.refusedQueries > 0) {
                    notes.add(g.refusedQueries + " queries not assembled: label assembly limit reached");
                }
            }
            out.add(assembleZone(g.parent, members, zoneLabels, notes));
            remaining = rest;
            firstZone = false;
        }
        return out;
    }

    /** Labels of the longest suffix shared by more than half of the names that extend it; at least the parent. */
    private static int majorityZone(List<Entry> entries, int parentLabels) {
        int best = parentLabels;
        int maxLabels = 0;
        for (Entry e : entries) {
            maxLabels = Math.max(maxLabels, e.labels.size());
        }
        for (int k = parentLabels + 1; k < maxLabels; k++) {
            Map<List<String>, Integer> counts = new HashMap<>();
            int top = 0;
            for (Entry e : entries) {
                if (e.labels.size() > k) {
                    top = Math.max(top, counts.merge(lastLabels(e, k), 1, Integer::sum));
                }
            }
            if (top * 2 <= entries.size()) {
                break;
            }
            best = k;
        }
        return best;
    }

    private static List<String> lastLabels(Entry e, int k) {
        return e.lowerLabels.subList(e.lowerLabels.size() - k, e.lowerLabels.size());
    }

    private Assembly assembleZone(String parent, List<Entry> members, int zoneLabels, List<String> notes) {
        List<Entry> ordered = new ArrayList<>(members);
        String counter = "none";
        int skipFirst = 0;
        int skipLast = 0;
        CounterOrder first = counterOrder(ordered, zoneLabels, true);
        CounterOrder chosen = first != null ? first : counterOrder(ordered, zoneLabels, false);
        if (chosen != null) {
            ordered = chosen.ordered;
            counter = (chosen.hex ? "hex" : "decimal") + (chosen == first ? " first label" : " last label");
            if (chosen == first) {
                skipFirst = 1;
            } else {
                skipLast = 1;
            }
            if (chosen.lateRetransmissions > 0) {
                notes.add(chosen.lateRetransmissions + " queries repeating a counter value dropped");
            }
        }
        StringBuilder sb = new StringBuilder();
        Set<FlowKey> flows = new HashSet<>();
        long firstNanos = Long.MAX_VALUE;
        long lastNanos = Long.MIN_VALUE;
        FlowKey firstFlow = null;
        long firstSeq = Long.MAX_VALUE;
        for (Entry e : ordered) {
            int dataEnd = e.labels.size() - zoneLabels - skipLast;
            for (int i = skipFirst; i < dataEnd; i++) {
                sb.append(e.labels.get(i));
            }
            if (flows.size() < 100_000) {
                flows.add(e.flow);
            }
            firstNanos = Math.min(firstNanos, e.timestampNanos);
            lastNanos = Math.max(lastNanos, e.timestampNanos);
            if (e.sequence < firstSeq) {
                firstSeq = e.sequence;
                firstFlow = e.flow;
            }
        }
        String zone = members.isEmpty() ? parent : String.join(".", lastLabels(members.get(0), zoneLabels));
        return new Assembly(parent, zone, ordered.size(), flows.size(), counter, sb.toString(), firstFlow,
                firstNanos, lastNanos, List.copyOf(notes));
    }

    private record CounterOrder(List<Entry> ordered, boolean hex, int lateRetransmissions) {
    }

    /**
     * Orders by a counter label at the first (or last) data position if every name has one; null when the labels
     * there are not a counter: not all numeric, values repeating with different data, or too sparse to be a
     * sequence (random hex data would be).
     */
    private CounterOrder counterOrder(List<Entry> entries, int zoneLabels, boolean firstLabel) {
        if (entries.size() < 2) {
            return null;
        }
        boolean hex = false;
        for (Entry e : entries) {
            int dataLabels = e.labels.size() - zoneLabels;
            if (dataLabels < 1) {
                return null;
            }
            String l = e.lowerLabels.get(firstLabel ? 0 : dataLabels - 1);
            if (l.isEmpty() || l.length() > limits.maxCounterLabelChars()) {
                return null;
            }
            for (int i = 0; i < l.length(); i++) {
                char c = l.charAt(i);
                if (c >= 'a' && c <= 'f') {
                    hex = true;
                } else if (c < '0' || c > '9') {
                    return null;
                }
            }
        }
        Map<Long, Entry> byValue = new HashMap<>();
        int late = 0;
        for (Entry e : entries) {
            int dataLabels = e.labels.size() - zoneLabels;
            long v = Long.parseLong(e.lowerLabels.get(firstLabel ? 0 : dataLabels - 1), hex ? 16 : 10);
            Entry prev = byValue.putIfAbsent(v, e);
            if (prev != null) {
                if (!prev.lowerName.equals(e.lowerName)) {
                    return null;
                }
                late++;
            }
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long v : byValue.keySet()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        int n = byValue.size();
        if (max - min + 1 > 4L * n + 16) {
            return null;
        }
        List<Map.Entry<Long, Entry>> sorted = new ArrayList<>(byValue.entrySet());
        sorted.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
        List<Entry> ordered = new ArrayList<>(n);
        for (Map.Entry<Long, Entry> me : sorted) {
            ordered.add(me.getValue());
        }
        return new CounterOrder(ordered, hex, late);
    }
}
