package org.egressaudit.harness.differential;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.analyzers.engine.AnalyzedTransmission;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.analyzers.protocol.Transmission;

/** Builds synthetic analysis results: transmissions as the analyzers report them, without bytes. */
final class Traffic {
    static final long CLIENT = 0xC0000202L; // 192.0.2.2
    static final long SERVER = 0xCB007107L; // 203.0.113.7

    private final List<AnalyzedTransmission> transmissions = new ArrayList<>();
    private long nextId = 1;
    private int clientPort = 40000;
    private long omitted;

    static FlowKey tcp(int clientPort, int serverPort) {
        return new FlowKey(4, 6, 0, CLIENT, clientPort, 0, SERVER, serverPort);
    }

    static FlowKey udp(int clientPort, int serverPort) {
        return new FlowKey(4, 17, 0, CLIENT, clientPort, 0, SERVER, serverPort);
    }

    /** An HTTP request of {@code bytes} (head and body) of which {@code opaque} were opaque. */
    Traffic http(String host, int port, String method, String uri, long bytes, long opaque) {
        return add(transmission("http", tcp(clientPort++, port), host, method + " " + uri + " HTTP/1.1",
                Map.of("method", method, "uri", uri, "host", host), 0), bytes, opaque, List.of());
    }

    /** An HTTP request split into two pieces of the given sizes. */
    Traffic httpInPieces(String host, int port, String method, String uri, long first, long second) {
        FlowKey f = tcp(clientPort++, port);
        String line = method + " " + uri + " HTTP/1.1";
        add(transmission("http", f, host, line + " [piece 1]", Map.of("method", method, "uri", uri, "piece", "1"), 0),
                first, 0, List.of());
        return add(transmission("http", f, host, line + " [piece 2]",
                Map.of("method", method, "uri", uri, "piece", "2"), 0), second, 0, List.of());
    }

    /** An HTTP GET whose query string the analyzer also reports as an http-query root of {@code queryBytes}. */
    Traffic httpWithQuery(String host, String uri, long headBytes, long queryBytes) {
        AnalyzedTransmission.ObjectSummary head = new AnalyzedTransmission.ObjectSummary("http-headers", "text",
                headBytes, headBytes, false, 4.0, List.of());
        AnalyzedTransmission.ObjectSummary query = new AnalyzedTransmission.ObjectSummary("http-query", "text",
                queryBytes, queryBytes, false, 4.0, List.of());
        return add(transmission("http", tcp(clientPort++, 80), host, "GET " + uri + " HTTP/1.1",
                Map.of("method", "GET", "uri", uri), 0), headBytes + queryBytes, 0, List.of(head, query));
    }

    Traffic dns(String qname, String parent, String qtype, long bytes) {
        return add(transmission("dns", udp(clientPort++, 53), parent, qtype + " " + qname,
                Map.of("qname", qname, "qtype", qtype, "transport", "udp"), 0), bytes, 0, List.of());
    }

    /** A TLS connection without keys: {@code opaque} bytes of application data that were never opened. */
    Traffic tls(String sni, long opaque) {
        return add(transmission("tls", tcp(clientPort++, 443), sni, "TLS to " + sni + " (opaque)", Map.of("sni", sni),
                opaque), 20 + opaque, opaque, List.of());
    }

    /** Raw TCP stream data in pieces on one connection. */
    Traffic raw(int port, long... pieces) {
        FlowKey f = tcp(clientPort++, port);
        for (int i = 0; i < pieces.length; i++) {
            add(transmission("tcp", f, f.serverAddress(), "raw stream", Map.of("piece", Integer.toString(i)), 0),
                    pieces[i], 0, List.of());
        }
        return this;
    }

    /** A download, never counted. */
    Traffic inbound(String host, long bytes) {
        Transmission t = new Transmission(nextId++, tcp(clientPort++, 80), Direction.SERVER_TO_CLIENT, "http", host,
                "HTTP/1.1 200 OK", 0, 0, 0, Map.of("status", "200"), List.of(), 0, List.of(), 0);
        transmissions.add(new AnalyzedTransmission(t, bytes, List.of(), 0, List.of()));
        return this;
    }

    Traffic omitted(long n) {
        this.omitted = n;
        return this;
    }

    AnalysisResult result() {
        AnalysisResult.Totals totals = new AnalysisResult.Totals(transmissions.size(), 0, 0, 0, omitted, 0);
        return new AnalysisResult(Verdict.PASS, List.of(), new AnalysisResult.CaptureSummary("capture.pcap", "pcap",
                0, 0, 0, 0, 0, true), null, null, List.copyOf(transmissions), List.of(), List.of(), List.of(),
                List.of(), new AnalysisResult.Limits(0, 0, 0, 0), totals);
    }

    RunTraffic traffic(String runId) {
        return RunTraffic.of(runId, result());
    }

    private Transmission transmission(String protocol, FlowKey flow, String destination, String summary,
                                      Map<String, String> attributes, long transmissionOpaque) {
        return new Transmission(nextId++, flow, Direction.CLIENT_TO_SERVER, protocol, destination, summary, 0, 0, 0,
                new LinkedHashMap<>(attributes), List.of(), transmissionOpaque, List.of(), 0);
    }

    private Traffic add(Transmission t, long bytes, long opaque, List<AnalyzedTransmission.ObjectSummary> objects) {
        // contentBytes excludes what the transmission itself reports as never opened (TLS application data).
        transmissions.add(new AnalyzedTransmission(t, bytes - t.opaqueBytes(), objects, opaque, List.of()));
        return this;
    }
}
