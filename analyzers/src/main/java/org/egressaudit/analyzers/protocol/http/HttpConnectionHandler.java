package org.egressaudit.analyzers.protocol.http;

import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.flow.StreamListener;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.flow.TcpFlowStats;
import org.egressaudit.analyzers.protocol.ProtocolContext;

/**
 * One HTTP/1.x connection: a request decoder on the client's stream and a response decoder on the server's,
 * sharing the queue of requests awaiting a response.
 */
public final class HttpConnectionHandler implements TcpConnectionHandler {

    private final HttpRequestDecoder requests;
    private final HttpResponseDecoder responses;

    public HttpConnectionHandler(FlowKey flow, ProtocolContext context, HttpLimits limits) {
        PendingRequests pending = new PendingRequests(limits.maxPendingRequests());
        this.requests = new HttpRequestDecoder(flow, context, limits, pending);
        this.responses = new HttpResponseDecoder(flow, context, limits, pending);
    }

    @Override
    public StreamListener clientToServer() {
        return requests;
    }

    @Override
    public StreamListener serverToClient() {
        return responses;
    }

    /** Both directions should have ended; one that did not is ended here so that what it holds is emitted. */
    @Override
    public void onClose(TcpFlowStats stats) {
        long last = stats != null ? stats.lastNanos() : 0;
        if (!requests.ended()) {
            requests.onEnd(StreamEnd.END_OF_CAPTURE, last);
        }
        if (!responses.ended()) {
            responses.onEnd(StreamEnd.END_OF_CAPTURE, last);
        }
    }
}
