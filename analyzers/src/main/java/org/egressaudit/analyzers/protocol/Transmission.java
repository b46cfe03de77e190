package org.egressaudit.analyzers.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;

/**
 * One application-level unit of data seen on the wire: an HTTP request (head and body as two roots),
 * a DNS query, a raw TCP/UDP stream piece, an opaque TLS stream. {@link Direction#CLIENT_TO_SERVER}
 * transmissions left the machine; server-to-client ones (downloads) are recorded but never leaks.
 *
 * @param id            ordinal assigned by the producer's sink, unique per analysis
 * @param flow          the connection it travelled on
 * @param protocol      "http", "dns", "tls", "tcp", "udp", "icmp"
 * @param destination   the best name for where it went: HTTP Host, TLS SNI, DNS parent domain, else server address
 * @param summary       what a person reads first: request line, DNS query name, "raw stream"
 * @param firstNanos    time of the first byte
 * @param lastNanos     time of the last byte
 * @param streamOffset  offset of the first byte in its flow direction's stream (-1 when not stream-based)
 * @param attributes    protocol details for the report (method, uri, host, status, sni, alpn, headers...)
 * @param roots         content to analyse; each root's layer names its kind ("http-headers", "http-body", ...)
 * @param opaqueBytes   bytes that were seen but cannot be inspected at all (e.g. TLS application data
 *                      without keys); they count against the opaque budget as they are
 * @param notes         protocol anomalies (malformed request, limit reached, missing bytes inside the body)
 * @param reservedBytes bytes of the shared {@code MemoryBudget} held by the roots, released once analysed
 */
public record Transmission(long id, FlowKey flow, Direction direction, String protocol, String destination,
                           String summary, long firstNanos, long lastNanos, long streamOffset,
                           Map<String, String> attributes, List<ContentObject> roots, long opaqueBytes,
                           List<String> notes, long reservedBytes) {

    public Transmission {
        attributes = attributes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        roots = roots == null ? List.of() : List.copyOf(roots);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /** True when the bytes left the audited machine. */
    public boolean outbound() {
        return direction == Direction.CLIENT_TO_SERVER;
    }

    /** Total bytes of all roots. */
    public long contentBytes() {
        long n = 0;
        for (ContentObject r : roots) {
            n += r.length();
        }
        return n;
    }
}
