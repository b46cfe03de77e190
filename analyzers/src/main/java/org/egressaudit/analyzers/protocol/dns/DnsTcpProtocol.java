package org.egressaudit.analyzers.protocol.dns;

import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.TcpProtocol;
import org.egressaudit.analyzers.protocol.raw.RawLimits;

/**
 * DNS over TCP (RFC 7766) to server port 53: a 2-byte length of at least a header, then a query header
 * (QR = 0, a defined opcode, at least one question, few of them). Port 853 is DNS over TLS and is left to TLS.
 */
public final class DnsTcpProtocol implements TcpProtocol {
    private static final int NEEDED = 2 + DnsMessageParser.HEADER_LENGTH;

    private final DnsRecorder recorder;
    private final RawLimits rawLimits;

    public DnsTcpProtocol(DnsRecorder recorder, RawLimits rawLimits) {
        this.recorder = recorder;
        this.rawLimits = rawLimits;
    }

    @Override
    public String name() {
        return "dns-tcp";
    }

    @Override
    public Recognition recognize(FlowKey key, byte[] prefix, int length) {
        if (key.serverPort() != 53) {
            return Recognition.NO;
        }
        if (length >= 2) {
            int msgLen = ((prefix[0] & 0xff) << 8) | (prefix[1] & 0xff);
            if (msgLen < DnsMessageParser.HEADER_LENGTH) {
                return Recognition.NO;
            }
        }
        if (length < NEEDED) {
            return Recognition.NEED_MORE;
        }
        int flags = ((prefix[4] & 0xff) << 8) | (prefix[5] & 0xff);
        int opcode = (flags >> 11) & 0xF;
        int qd = ((prefix[6] & 0xff) << 8) | (prefix[7] & 0xff);
        boolean query = (flags & 0x8000) == 0;
        boolean knownOpcode = opcode == 0 || opcode == 1 || opcode == 2 || opcode == 4 || opcode == 5;
        return query && knownOpcode && qd >= 1 && qd <= 16 ? Recognition.YES : Recognition.NO;
    }

    @Override
    public TcpConnectionHandler create(FlowKey key, boolean handshakeSeen, long firstSeenNanos,
                                       ProtocolContext context) {
        return new DnsTcpHandler(key, context, recorder, rawLimits);
    }
}
