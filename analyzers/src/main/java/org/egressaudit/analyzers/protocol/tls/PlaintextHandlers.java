package org.egressaudit.analyzers.protocol.tls;

import java.util.ArrayList;
import java.util.List;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.TcpProtocol;
import org.egressaudit.analyzers.protocol.raw.RawLimits;
import org.egressaudit.analyzers.protocol.raw.RawStreamHandler;

/**
 * Chooses the handler for a decrypted TLS stream. ALPN "h2" goes to the protocol named "h2" when the engine has
 * one, else to a raw handler with the note "h2 inside TLS not analysed"; otherwise the plaintext is recognised by
 * content among the engine's protocols (TLS itself excluded), the HTTP/2 connection preface counting as h2.
 */
final class PlaintextHandlers {
    static final String H2_NOT_ANALYSED = "h2 inside TLS not analysed";
    private static final byte[] H2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private PlaintextHandlers() {
    }

    static TcpConnectionHandler create(FlowKey key, long firstNanos, ProtocolContext context, String alpn,
                                       TlsDecryption decryption, RawLimits rawLimits, List<String> notes) {
        List<TcpProtocol> available = decryption.innerProtocols().get();
        TcpProtocol h2 = null;
        List<TcpProtocol> inner = new ArrayList<>();
        for (TcpProtocol p : available) {
            if (p.name().equals("tls")) {
                continue; // TLS inside TLS is not decrypted: it would be analysed as opaque TLS again
            }
            if (p.name().equals("h2") && h2 == null) {
                h2 = p;
            }
            inner.add(p);
        }
        if ("h2".equals(alpn)) {
            if (h2 != null) {
                return h2.create(key, true, firstNanos, context);
            }
            return unanalysedH2(key, context, rawLimits, notes);
        }
        if (h2 == null) {
            inner.add(0, new H2Preface(rawLimits, notes));
        }
        return decryption.nested().create(key, firstNanos, context, List.copyOf(inner));
    }

    private static RawStreamHandler unanalysedH2(FlowKey key, ProtocolContext context, RawLimits rawLimits,
                                                 List<String> notes) {
        notes.add(H2_NOT_ANALYSED + "; its plaintext is analysed as a raw stream");
        RawStreamHandler raw = new RawStreamHandler(key, context, rawLimits);
        raw.addNote(H2_NOT_ANALYSED);
        return raw;
    }

    /** Claims streams that start with the HTTP/2 preface when no h2 protocol is available. */
    private static final class H2Preface implements TcpProtocol {
        private final RawLimits rawLimits;
        private final List<String> notes;

        H2Preface(RawLimits rawLimits, List<String> notes) {
            this.rawLimits = rawLimits;
            this.notes = notes;
        }

        @Override
        public String name() {
            return "h2-preface";
        }

        @Override
        public Recognition recognize(FlowKey key, byte[] prefix, int length) {
            int n = Math.min(length, H2_PREFACE.length);
            for (int i = 0; i < n; i++) {
                if (prefix[i] != H2_PREFACE[i]) {
                    return Recognition.NO;
                }
            }
            return n == H2_PREFACE.length ? Recognition.YES : Recognition.NEED_MORE;
        }

        @Override
        public TcpConnectionHandler create(FlowKey key, boolean handshakeSeen, long firstSeenNanos,
                                           ProtocolContext context) {
            return unanalysedH2(key, context, rawLimits, notes);
        }
    }
}
