package org.egressaudit.analyzers.flow;

/** The application layer's side of one TCP connection, created by a {@link FlowHandlerFactory}. */
public interface TcpConnectionHandler {

    StreamListener clientToServer();

    StreamListener serverToClient();

    /**
     * Both directions have ended. {@code stats} holds what reassembly observed (gaps, overlaps,
     * truncation) for the report.
     */
    void onClose(TcpFlowStats stats);
}
