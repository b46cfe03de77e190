package org.egressaudit.analyzers.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.detect.PlantedFile;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.analyzers.engine.AnalyzedTransmission;
import org.egressaudit.analyzers.engine.Finding;
import org.egressaudit.analyzers.protocol.Transmission;

/**
 * The machine-readable report. Top level: schemaVersion, verdict, findings, then the context a reviewer needs
 * (capture, corpus, policy, transmissions, connections, DNS queries, coverage, warnings, limits). Field names are
 * part of the contract CI pipelines rely on: add, never rename.
 */
public final class JsonReport {
    public static final String SCHEMA_VERSION = "1";

    private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final String toolVersion;

    public JsonReport(String toolVersion) {
        this.toolVersion = toolVersion;
    }

    public void write(AnalysisResult r, Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        mapper.writeValue(tmp.toFile(), toJson(r));
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public String toJsonString(AnalysisResult r) throws IOException {
        return mapper.writeValueAsString(toJson(r));
    }

    public ObjectNode toJson(AnalysisResult r) {
        ObjectNode root = mapper.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("tool", "egress-audit " + toolVersion);
        root.put("verdict", r.verdict().name());
        ArrayNode findings = root.putArray("findings");
        for (Finding f : r.findings()) {
            findings.add(finding(f));
        }
        ObjectNode cap = root.putObject("capture");
        cap.put("file", r.capture().file());
        cap.put("format", r.capture().format());
        cap.put("packets", r.capture().packets());
        cap.put("ipPackets", r.capture().ipPackets());
        cap.put("bytes", r.capture().bytes());
        cap.put("first", time(r.capture().firstNanos()));
        cap.put("last", time(r.capture().lastNanos()));
        cap.put("complete", r.capture().complete());
        ObjectNode corpus = root.putObject("corpus");
        corpus.put("directory", r.corpus().root().toString());
        ArrayNode files = corpus.putArray("files");
        for (PlantedFile f : r.corpus().topLevelFiles()) {
            ObjectNode o = files.addObject();
            o.put("name", f.name());
            o.put("category", f.category().id());
            o.put("size", f.size());
            o.put("sha256", f.sha256());
        }
        corpus.put("membersIndexed", r.corpus().files().size() - r.corpus().topLevelFiles().size());
        ObjectNode pol = root.putObject("policy");
        ArrayNode allow = pol.putArray("allow");
        r.policy().allow().stream().sorted().map(Category::id).forEach(allow::add);
        pol.put("opaqueBytesBudget", r.policy().opaqueBytesBudget());
        ArrayNode markers = pol.putArray("markers");
        r.policy().markers().forEach(markers::add);
        pol.put("minFragmentBytes", r.policy().minFragmentBytes());
        ArrayNode cov = root.putArray("coverage");
        for (AnalysisResult.Coverage c : r.coverage()) {
            ObjectNode o = cov.addObject();
            o.put("plantedFile", c.plantedFile());
            o.put("category", c.category());
            o.put("size", c.size());
            o.put("bytesSeen", c.bytesSeen());
            o.put("whole", c.whole());
        }
        ObjectNode totals = root.putObject("totals");
        totals.put("outboundTransmissions", r.totals().outboundTransmissions());
        totals.put("outboundBytes", r.totals().outboundBytes());
        totals.put("inboundTransmissions", r.totals().inboundTransmissions());
        totals.put("inboundBytes", r.totals().inboundBytes());
        totals.put("transmissionRecordsOmitted", r.totals().transmissionRecordsOmitted());
        totals.put("dnsRecordsOmitted", r.totals().dnsRecordsOmitted());
        ArrayNode tx = root.putArray("transmissions");
        for (AnalyzedTransmission at : r.transmissions()) {
            tx.add(transmission(at));
        }
        ArrayNode conns = root.putArray("connections");
        for (AnalysisResult.ConnectionRecord c : r.connections()) {
            ObjectNode o = conns.addObject();
            o.put("flow", c.flow());
            o.put("transport", c.transport());
            o.put("client", c.client());
            o.put("server", c.server());
            o.put("protocol", c.protocol());
            o.put("first", time(c.firstNanos()));
            o.put("last", time(c.lastNanos()));
            o.put("bytesToServer", c.bytesToServer());
            o.put("bytesToClient", c.bytesToClient());
            o.put("missingBytes", c.missingBytes());
            o.put("truncatedBytes", c.truncatedBytes());
            o.put("handshakeSeen", c.handshakeSeen());
        }
        ArrayNode dns = root.putArray("dnsQueries");
        for (AnalysisResult.DnsQueryRecord q : r.dnsQueries()) {
            ObjectNode o = dns.addObject();
            o.put("time", time(q.timestampNanos()));
            o.put("flow", q.flow());
            o.put("name", q.name());
            o.put("type", q.type());
        }
        ArrayNode warnings = root.putArray("warnings");
        r.warnings().forEach(warnings::add);
        ObjectNode limits = root.putObject("limits");
        limits.put("bufferTruncatedBytes", r.limits().bufferTruncatedBytes());
        limits.put("reassemblyTruncatedBytes", r.limits().reassemblyTruncatedBytes());
        limits.put("missingBytes", r.limits().missingBytes());
        limits.put("decodeLimitHits", r.limits().decodeLimitHits());
        return root;
    }

    private ObjectNode finding(Finding f) {
        ObjectNode o = mapper.createObjectNode();
        o.put("id", f.id());
        o.put("kind", f.kind().id());
        o.put("effect", f.effect().name());
        o.put("plantedFile", f.plantedFile());
        o.put("category", f.category() == null ? null : f.category().id());
        if (f.marker() != null) {
            o.put("marker", f.marker());
        }
        o.put("detail", f.detail());
        o.put("flow", f.flow());
        o.put("protocol", f.protocol());
        o.put("destination", f.destination());
        o.put("request", f.summary());
        o.put("transmission", f.transmissionId());
        o.put("firstSeen", time(f.firstNanos()));
        o.put("lastSeen", time(f.lastNanos()));
        o.put("decodeChain", String.join(" > ", f.decodeChain()));
        o.put("bytes", f.bytes());
        ArrayNode ranges = o.putArray("ranges");
        for (Finding.Range r : f.ranges()) {
            ObjectNode x = ranges.addObject();
            x.put("objectOffset", r.objectOffset());
            if (r.fileOffset() >= 0) {
                x.put("fileOffset", r.fileOffset());
            }
            x.put("length", r.length());
        }
        if (f.excerpt() != null) {
            ObjectNode e = o.putObject("excerpt");
            e.put("objectOffset", f.excerpt().offset());
            e.put("hex", f.excerpt().hex());
            e.put("text", f.excerpt().text());
            e.put("matchStart", f.excerpt().matchStart());
            e.put("matchLength", f.excerpt().matchLength());
        }
        return o;
    }

    private ObjectNode transmission(AnalyzedTransmission at) {
        Transmission t = at.transmission();
        ObjectNode o = mapper.createObjectNode();
        o.put("id", t.id());
        o.put("direction", t.outbound() ? "out" : "in");
        o.put("protocol", t.protocol());
        o.put("flow", t.flow().toString());
        o.put("destination", t.destination());
        o.put("summary", t.summary());
        o.put("first", time(t.firstNanos()));
        o.put("last", time(t.lastNanos()));
        if (t.streamOffset() >= 0) {
            o.put("streamOffset", t.streamOffset());
        }
        o.put("bytes", at.contentBytes());
        o.put("opaqueBytes", at.opaqueBytes());
        ObjectNode attrs = o.putObject("attributes");
        t.attributes().forEach(attrs::put);
        ArrayNode objects = o.putArray("objects");
        for (AnalyzedTransmission.ObjectSummary n : at.objects()) {
            objects.add(object(n));
        }
        ArrayNode notes = o.putArray("notes");
        t.notes().forEach(notes::add);
        return o;
    }

    private ObjectNode object(AnalyzedTransmission.ObjectSummary c) {
        ObjectNode x = mapper.createObjectNode();
        x.put("chain", c.chain());
        x.put("type", c.type());
        x.put("bytes", c.bytes());
        if (c.truncated()) {
            x.put("truncated", true);
            x.put("declaredBytes", c.declaredBytes());
        }
        if (!Double.isNaN(c.entropy())) {
            x.put("entropy", Math.round(c.entropy() * 100) / 100.0);
        }
        if (!c.notes().isEmpty()) {
            ArrayNode n = x.putArray("notes");
            c.notes().forEach(n::add);
        }
        return x;
    }

    static String time(long nanos) {
        if (nanos == 0) {
            return null;
        }
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L))
                .toString();
    }
}
