package org.egressaudit.analyzers.protocol.tls;

import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.TcpProtocol;
import org.egressaudit.analyzers.protocol.raw.RawLimits;

/**
 * Recognises TLS on any port by its first record: type 22 (handshake), version 3.0-3.4, a plausible length, and
 * a ClientHello as the first handshake message.
 */
public final class TlsProtocol implements TcpProtocol {
    private final TlsLimits limits;
    private final RawLimits rawLimits;
    private final TlsDecryption decryption;

    public TlsProtocol(TlsLimits limits, RawLimits rawLimits) {
        this(limits, rawLimits, TlsDecryption.NONE);
    }

    /** TLS that is decrypted where {@code decryption}'s key log has the session's secrets. */
    public TlsProtocol(TlsLimits limits, RawLimits rawLimits, TlsDecryption decryption) {
        this.limits = limits;
        this.rawLimits = rawLimits;
        this.decryption = decryption;
    }

    public TlsProtocol() {
        this(TlsLimits.DEFAULTS, RawLimits.DEFAULTS);
    }

    @Override
    public String name() {
        return "tls";
    }

    @Override
    public Recognition recognize(FlowKey key, byte[] prefix, int length) {
        if (length >= 1 && (prefix[0] & 0xff) != 0x16) {
            return Recognition.NO;
        }
        if (length >= 2 && (prefix[1] & 0xff) != 0x03) {
            return Recognition.NO;
        }
        if (length >= 3 && (prefix[2] & 0xff) > 0x04) {
            return Recognition.NO;
        }
        if (length >= 5) {
            int recLen = ((prefix[3] & 0xff) << 8) | (prefix[4] & 0xff);
            if (recLen < 4 || recLen > limits.maxRecordLength()) {
                return Recognition.NO;
            }
        }
        if (length >= 6) {
            return (prefix[5] & 0xff) == 1 ? Recognition.YES : Recognition.NO;
        }
        return Recognition.NEED_MORE;
    }

    @Override
    public TcpConnectionHandler create(FlowKey key, boolean handshakeSeen, long firstSeenNanos,
                                       ProtocolContext context) {
        return new TlsStreamHandler(key, context, limits, rawLimits, decryption);
    }
}
