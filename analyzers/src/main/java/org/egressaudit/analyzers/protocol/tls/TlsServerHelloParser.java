package org.egressaudit.analyzers.protocol.tls;

/** Parses a ServerHello handshake message (header included); pure and exception-free. */
public final class TlsServerHelloParser {
    private static final byte[] HRR_RANDOM = java.util.HexFormat.of()
            .parseHex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

    private TlsServerHelloParser() {
    }

    public static TlsServerHello parseMessage(byte[] buf, int off, int len) {
        TlsClientHelloParser.Reader r = new TlsClientHelloParser.Reader(buf, off, off + len);
        if (len < 4) {
            return new TlsServerHello(-1, -1, -1, false, "handshake message shorter than its header");
        }
        int type = r.u8();
        int bodyLen = r.u24();
        if (type != 2) {
            return new TlsServerHello(-1, -1, -1, false, "handshake message type " + type + " is not a ServerHello");
        }
        if (bodyLen > r.remaining()) {
            return new TlsServerHello(-1, -1, -1, false, "ServerHello truncated");
        }
        r.end = r.pos + bodyLen;
        if (!r.has(2 + 32 + 1)) {
            return new TlsServerHello(-1, -1, -1, false, "ServerHello shorter than version, random and session id");
        }
        int legacy = r.u16();
        boolean hrr = java.util.Arrays.equals(buf, r.pos, r.pos + 32, HRR_RANDOM, 0, 32);
        r.skip(32);
        int sid = r.u8();
        if (sid > 32 || !r.has(sid + 3)) {
            return new TlsServerHello(legacy, legacy, -1, hrr, "bad session id length " + sid);
        }
        r.skip(sid);
        int cipher = r.u16();
        r.skip(1);
        int selected = legacy;
        if (r.remaining() >= 2) {
            int extLen = r.u16();
            if (extLen != r.remaining()) {
                return new TlsServerHello(legacy, selected, cipher, hrr, "extensions length mismatch");
            }
            while (r.remaining() > 0) {
                if (!r.has(4)) {
                    return new TlsServerHello(legacy, selected, cipher, hrr, "extension header truncated");
                }
                int et = r.u16();
                int el = r.u16();
                if (!r.has(el)) {
                    return new TlsServerHello(legacy, selected, cipher, hrr, "extension " + et + " runs past the end");
                }
                if (et == TlsClientHelloParser.EXT_SUPPORTED_VERSIONS && el == 2) {
                    selected = ((buf[r.pos] & 0xff) << 8) | (buf[r.pos + 1] & 0xff);
                }
                r.skip(el);
            }
        }
        return new TlsServerHello(legacy, selected, cipher, hrr, null);
    }
}
