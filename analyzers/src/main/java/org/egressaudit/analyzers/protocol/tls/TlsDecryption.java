package org.egressaudit.analyzers.protocol.tls;

import java.util.List;
import java.util.function.Supplier;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.TcpProtocol;
import org.egressaudit.analyzers.protocol.tls.keylog.KeyLog;

/**
 * What TLS decryption needs from the engine: the key log (a supplier, because a pcapng capture can add secrets
 * while it is read), the application protocols to recognise in the plaintext, and a way to build a recognising
 * connection handler over them (the dispatcher's machinery).
 *
 * @param keys           the secrets known now; an empty log means no decryption, and TLS stays opaque as without
 * @param innerProtocols recognisers for the decrypted stream (HTTP, h2, DNS...); "tls" among them is ignored
 * @param nested         builds a handler that recognises the plaintext's protocol among the given ones
 */
public record TlsDecryption(Supplier<KeyLog> keys, Supplier<List<TcpProtocol>> innerProtocols,
                            NestedConnectionFactory nested) {

    /** No keys: every TLS connection is opaque. */
    public static final TlsDecryption NONE = new TlsDecryption(KeyLog::empty, List::of, null);

    /** A handler for a stream nested in another protocol, chosen by content among {@code protocols}. */
    @FunctionalInterface
    public interface NestedConnectionFactory {
        TcpConnectionHandler create(FlowKey key, long firstSeenNanos, ProtocolContext context,
                                    List<TcpProtocol> protocols);
    }

    boolean possible() {
        KeyLog log = keys.get();
        return nested != null && log != null && !log.isEmpty();
    }
}
