package org.egressaudit.analyzers.protocol.http2;

import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.flow.StreamListener;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.flow.TcpFlowStats;
import org.egressaudit.analyzers.protocol.ProtocolContext;

/**
 * One cleartext HTTP/2 connection (h2c with prior knowledge, or the plaintext of TLS with ALPN h2): a decoder per
 * direction, each with its own frame reader and HPACK state, sharing the requests by stream id so that responses
 * name what they answer, and each applying the other's SETTINGS.
 */
public final class Http2ConnectionHandler implements TcpConnectionHandler {

    private final Http2DirectionDecoder client;
    private final Http2DirectionDecoder server;

    public Http2ConnectionHandler(FlowKey flow, ProtocolContext context, Http2Limits limits) {
        Http2Requests requests = new Http2Requests(limits.maxConcurrentStreams());
        this.client = new Http2DirectionDecoder(flow, context, limits, Direction.CLIENT_TO_SERVER, requests);
        this.server = new Http2DirectionDecoder(flow, context, limits, Direction.SERVER_TO_CLIENT, requests);
        client.setPeer(server);
        server.setPeer(client);
    }

    @Override
    public StreamListener clientToServer() {
        return client;
    }

    @Override
    public StreamListener serverToClient() {
        return server;
    }

    /** Both directions should have ended; one that did not is ended here so that what it holds is emitted. */
    @Override
    public void onClose(TcpFlowStats stats) {
        long last = stats != null ? stats.lastNanos() : 0;
        if (!client.ended()) {
            client.onEnd(StreamEnd.END_OF_CAPTURE, last);
        }
        if (!server.ended()) {
            server.onEnd(StreamEnd.END_OF_CAPTURE, last);
        }
    }
}
