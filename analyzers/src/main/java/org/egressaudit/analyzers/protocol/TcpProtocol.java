package org.egressaudit.analyzers.protocol;

import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;

/**
 * A TCP application protocol recognised by content, not by port. The dispatcher shows each recogniser the first
 * bytes the client sent and creates the handler of the first one that claims them; the handler then receives the
 * whole stream from offset 0 (the dispatcher replays the bytes it held back).
 */
public interface TcpProtocol {

    enum Recognition {
        /** These bytes are this protocol. */
        YES,
        /** Not this protocol. */
        NO,
        /** Cannot tell yet: show me more bytes (the dispatcher decides for raw after a bounded prefix). */
        NEED_MORE
    }

    String name();

    /** Looks at the client's first {@code length} bytes ({@code prefix[0..length)}). */
    Recognition recognize(FlowKey key, byte[] prefix, int length);

    TcpConnectionHandler create(FlowKey key, boolean handshakeSeen, long firstSeenNanos, ProtocolContext context);
}
