package org.egressaudit.analyzers.protocol.http;

import java.nio.charset.StandardCharsets;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.protocol.ProtocolContext;

/**
 * The server-to-client side: responses, paired with their requests through {@link PendingRequests} so that
 * responses to HEAD and interim 1xx responses are framed right. Each response becomes a transmission (a download:
 * recorded, never a leak) with its body as an "http-response-body" root, and its status line is reported as an
 * "http-response" event.
 */
final class HttpResponseDecoder extends HttpMessageDecoder {

    private static final byte[] VERSION_PREFIX = "HTTP/1.".getBytes(StandardCharsets.US_ASCII);

    private final PendingRequests pending;
    private HttpLineParser.StatusLine statusLine;
    private String statusLineText;
    private String lastDestination;

    HttpResponseDecoder(FlowKey flow, ProtocolContext context, HttpLimits limits, PendingRequests pending) {
        super(flow, context, limits, Direction.SERVER_TO_CLIENT);
        this.pending = pending;
    }

    @Override
    boolean startLinePlausible(byte[] data, int length) {
        for (int i = 0; i < Math.min(length, VERSION_PREFIX.length); i++) {
            if (data[i] != VERSION_PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    void parseStartLine(HttpMessage m, byte[] data, int offset, int length) throws HttpParseException {
        statusLine = HttpLineParser.parseStatusLine(data, offset, length);
        statusLineText = HttpText.decode(data, offset, length);
    }

    @Override
    BodyFraming describeHead(HttpMessage m, byte[] head) {
        HttpLineParser.StatusLine sl = statusLine;
        boolean interim = sl.status() / 100 == 1 && sl.status() != 101;
        // An interim response leaves its request waiting for the final one.
        PendingRequests.Request request = interim ? pending.peek() : pending.poll();
        if (request == null) {
            m.notes.add(pending.overflowed()
                    ? "more pipelined requests than " + limits.maxPendingRequests() + ": request unknown"
                    : "response without a pending request");
        }
        m.destination = request != null ? request.destination() : flow.serverAddress();
        lastDestination = m.destination;
        m.summary = request != null
                ? statusLineText + " (response to " + request.method() + " " + request.target() + ")"
                : statusLineText;
        m.attributes.put("status", Integer.toString(sl.status()));
        m.attributes.put("reason", sl.reason());
        m.attributes.put("http-version", sl.version());
        if (request != null) {
            m.attributes.put("request-method", request.method());
            m.attributes.put("request-uri", request.target());
        }
        m.attributes.putAll(m.headers.toAttributes("header:"));
        m.bodyLayer = "http-response-body";
        for (String hint : new String[] {"content-type", "content-encoding"}) {
            String v = m.headers.joined(hint);
            if (v != null) {
                m.bodyHints.put(hint, v);
            }
        }
        context.sink().event(flow, Direction.SERVER_TO_CLIENT, "http-response", m.summary, m.firstNanos);
        return BodyFraming.forResponse(sl.status(), request != null ? request.method() : null, m.headers,
                sl.version());
    }

    @Override
    String rawDestination() {
        return lastDestination != null ? lastDestination : flow.serverAddress();
    }

    @Override
    String tunnelSummary(HttpMessage m) {
        return "tunnel after " + statusLineText;
    }
}
