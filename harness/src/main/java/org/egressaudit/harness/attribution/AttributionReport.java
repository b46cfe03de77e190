package org.egressaudit.harness.attribution;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The attribution part of a run report: per connection and per DNS query the process (or why none), the process
 * stories, and counts.
 */
public record AttributionReport(List<Attribution> connections, List<Attribution> dnsQueries,
                                List<ProcessStory> stories) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public AttributionReport {
        connections = List.copyOf(connections);
        dnsQueries = List.copyOf(dnsQueries);
        stories = List.copyOf(stories);
    }

    public long attributedConnections() {
        return connections.stream().filter(Attribution::attributed).count();
    }

    public long unattributedConnections() {
        return connections.size() - attributedConnections();
    }

    public long attributedDnsQueries() {
        return dnsQueries.stream().filter(Attribution::attributed).count();
    }

    public long unattributedDnsQueries() {
        return dnsQueries.size() - attributedDnsQueries();
    }

    /**
     * {@code {"connections": [...], "dnsQueries": [...], "stories": [...], "counts": {...}}}; each entry has flow
     * and either pid, hostPid, ppid, exe, cmdline, user, uid, source, or "unattributed": true and reason.
     */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode c = root.putArray("connections");
        connections.forEach(a -> c.add(entry(a)));
        ArrayNode d = root.putArray("dnsQueries");
        dnsQueries.forEach(a -> d.add(entry(a)));
        ArrayNode s = root.putArray("stories");
        for (ProcessStory story : stories) {
            ObjectNode o = s.addObject();
            process(o, story.process());
            ArrayNode reads = o.putArray("plantedReads");
            story.reads().forEach(reads::add);
            ArrayNode ids = o.putArray("findings");
            story.findings().forEach(f -> ids.add(f.id()));
            ArrayNode text = o.putArray("sentences");
            story.sentences().forEach(text::add);
        }
        ObjectNode counts = root.putObject("counts");
        counts.put("connectionsAttributed", attributedConnections());
        counts.put("connectionsUnattributed", unattributedConnections());
        counts.put("dnsQueriesAttributed", attributedDnsQueries());
        counts.put("dnsQueriesUnattributed", unattributedDnsQueries());
        return root;
    }

    private static ObjectNode entry(Attribution a) {
        ObjectNode o = JSON.createObjectNode();
        o.put("flow", a.flow());
        if (a.dnsName() != null) {
            o.put("name", a.dnsName());
        }
        o.put("at", StraceProcesses.instantOf(a.atNanos()).toString());
        if (a.process().isPresent()) {
            process(o, a.process().get());
            o.put("source", a.source());
        } else {
            o.put("unattributed", true);
            o.put("reason", a.reason());
        }
        return o;
    }

    private static void process(ObjectNode o, ProcessInfo p) {
        o.put("pid", p.pid());
        if (p.hostPid() >= 0) {
            o.put("hostPid", p.hostPid());
        }
        if (p.ppid() >= 0) {
            o.put("ppid", p.ppid());
        }
        if (p.exe() != null) {
            o.put("exe", p.exe());
        }
        if (p.cmdline() != null) {
            o.put("cmdline", p.cmdline());
            if (p.cmdlineTruncated()) {
                o.put("cmdlineTruncated", true);
            }
        }
        if (p.uid() >= 0) {
            o.put("uid", p.uid());
        }
        if (p.user() != null) {
            o.put("user", p.user());
        }
        if (p.started() != null) {
            o.put("started", p.started().toString());
        }
    }

    /** Console lines: the stories, then one line per connection and query, then the counts. */
    public List<String> sentences() {
        List<String> out = new ArrayList<>();
        stories.forEach(s -> out.addAll(s.sentences()));
        for (Attribution a : connections) {
            out.add(line(a.flow(), a));
        }
        for (Attribution a : dnsQueries) {
            out.add(line("DNS query " + a.dnsName() + " (" + a.flow() + ")", a));
        }
        out.add(String.format(Locale.ROOT, "process attribution: %d of %d connections and %d of %d DNS queries "
                        + "attributed", attributedConnections(), connections.size(), attributedDnsQueries(),
                dnsQueries.size()));
        return out;
    }

    private static String line(String what, Attribution a) {
        if (a.process().isEmpty()) {
            return what + ": unattributed: " + a.reason();
        }
        ProcessInfo p = a.process().get();
        StringBuilder sb = new StringBuilder(what).append(": ").append(p.name()).append(" (pid ").append(p.pid());
        if (p.user() != null) {
            sb.append(", user ").append(p.user());
        } else if (p.uid() >= 0) {
            sb.append(", uid ").append(p.uid());
        }
        sb.append(')');
        if (p.cmdline() != null) {
            String cmd = p.cmdline().length() > 200 ? p.cmdline().substring(0, 200) + "..." : p.cmdline();
            sb.append(" `").append(cmd).append('`');
        }
        return sb.append(" [").append(a.source()).append(']').toString();
    }
}
