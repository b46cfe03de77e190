package org.egressaudit.analyzers.protocol.http;

import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.protocol.ProtocolContext;

/**
 * The client-to-server side: requests, each emitted as a transmission whose roots are the raw head
 * ("http-headers"), the raw query string ("http-query") and the body ("http-body", or "http-chunked" holding the
 * de-chunked bytes). Remembers each request's method for the response decoder.
 */
final class HttpRequestDecoder extends HttpMessageDecoder {

    private static final Map<String, String> QUERY_HINTS = Map.of("content-type", "application/x-www-form-urlencoded");

    private final PendingRequests pending;
    private HttpLineParser.RequestLine requestLine;
    private int requestLineLength;
    private String lastDestination;
    /** Set after a request that may switch the connection to another protocol (CONNECT, Upgrade). */
    private String tunnelContext;

    HttpRequestDecoder(FlowKey flow, ProtocolContext context, HttpLimits limits, PendingRequests pending) {
        super(flow, context, limits, Direction.CLIENT_TO_SERVER);
        this.pending = pending;
    }

    @Override
    boolean startLinePlausible(byte[] data, int length) {
        return RequestLineRecognizer.plausibleStart(data, length);
    }

    @Override
    void parseStartLine(HttpMessage m, byte[] data, int offset, int length) throws HttpParseException {
        requestLine = HttpLineParser.parseRequestLine(data, offset, length, m.notes);
        requestLineLength = length;
        tunnelContext = null;
    }

    @Override
    BodyFraming describeHead(HttpMessage m, byte[] head) {
        HttpLineParser.RequestLine rl = requestLine;
        HttpHeaders headers = m.headers;
        boolean connect = rl.method().equals("CONNECT");
        String authority = connect ? rl.target() : HttpText.absoluteFormAuthority(rl.target());
        // RFC 9112 §3.2.2: an absolute-form target overrides Host.
        String host = authority != null ? HttpText.hostWithoutPort(authority)
                : HttpText.hostWithoutPort(headers.first("host"));
        if (headers.all("host").size() > 1) {
            m.notes.add("more than one Host header: " + headers.joined("host"));
        }
        m.destination = host != null ? host : flow.serverAddress();
        lastDestination = m.destination;
        m.summary = HttpText.decode(head, 0, requestLineLength);
        m.attributes.put("method", rl.method());
        m.attributes.put("uri", rl.target());
        if (host != null) {
            m.attributes.put("host", host);
        }
        m.attributes.put("http-version", rl.version());
        m.attributes.putAll(headers.toAttributes("header:"));

        m.headRoots.add(ContentObject.root("http-headers", null, head, null));
        int[] query = queryRange(head, requestLineLength);
        if (query != null) {
            m.headRoots.add(new ContentObject(null, "http-query", null, head, query[0], query[1] - query[0], -1,
                    query[1] - query[0], false, QUERY_HINTS));
        }

        BodyFraming framing = BodyFraming.forRequest(headers, rl.version());
        m.bodyLayer = framing.kind() == BodyFraming.Kind.CHUNKED ? "http-chunked" : "http-body";
        copyHint(headers, m, "content-type");
        copyHint(headers, m, "content-encoding");

        pending.add(new PendingRequests.Request(rl.method(), rl.target(), m.destination));
        if (connect) {
            tunnelContext = "CONNECT " + rl.target();
        } else if (headers.contains("upgrade")) {
            tunnelContext = "Upgrade: " + headers.joined("upgrade");
        }
        return framing;
    }

    @Override
    String rawDestination() {
        return lastDestination != null ? lastDestination : flow.serverAddress();
    }

    @Override
    String rawSummaryAfterFailure() {
        return tunnelContext != null ? "tunnel after " + tunnelContext : super.rawSummaryAfterFailure();
    }

    @Override
    String tunnelSummary(HttpMessage m) {
        return "tunnel after " + m.summary;
    }

    private static void copyHint(HttpHeaders headers, HttpMessage m, String name) {
        String v = headers.joined(name);
        if (v != null) {
            m.bodyHints.put(name, v);
        }
    }

    /**
     * The query of the request line {@code line[0, length)}: the bytes after the first '?' of the target up to a
     * '#' or the target's end, as {@code {start, end}}; null when there is no non-empty query.
     */
    static int[] queryRange(byte[] line, int length) {
        int firstSp = -1;
        int lastSp = -1;
        for (int i = 0; i < length; i++) {
            if (line[i] == HttpText.SP) {
                if (firstSp < 0) {
                    firstSp = i;
                }
                lastSp = i;
            }
        }
        if (firstSp < 0 || lastSp == firstSp) {
            return null;
        }
        int targetEnd = lastSp;
        while (targetEnd > firstSp && HttpText.isWhitespace(line[targetEnd - 1])) {
            targetEnd--;
        }
        for (int i = firstSp + 1; i < targetEnd; i++) {
            if (line[i] == '?') {
                int end = i + 1;
                while (end < targetEnd && line[end] != '#') {
                    end++;
                }
                return end > i + 1 ? new int[] {i + 1, end} : null;
            }
        }
        return null;
    }
}
