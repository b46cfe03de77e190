package org.egressaudit.analyzers.protocol.tls;

import java.nio.charset.StandardCharsets;

/**
 * Fields of handshake messages that decryption needs and the hello parsers do not keep: the randoms, and the
 * negotiated ALPN protocol (ServerHello in TLS 1.2, EncryptedExtensions in TLS 1.3). Pure, exception-free: a
 * malformed message yields null.
 */
final class TlsHandshakeFields {
    static final int CLIENT_HELLO = 1;
    static final int SERVER_HELLO = 2;
    static final int NEW_SESSION_TICKET = 4;
    static final int ENCRYPTED_EXTENSIONS = 8;
    static final int FINISHED = 20;
    static final int KEY_UPDATE = 24;

    private TlsHandshakeFields() {
    }

    /** The 32-byte random of a ClientHello or ServerHello (header included), or null. */
    static byte[] random(byte[] msg, int len) {
        if (len < 4 + 2 + 32) {
            return null;
        }
        return java.util.Arrays.copyOfRange(msg, 6, 38);
    }

    /** The ALPN protocol a ServerHello selected, or null. */
    static String serverHelloAlpn(byte[] msg, int len) {
        TlsClientHelloParser.Reader r = new TlsClientHelloParser.Reader(msg, 0, len);
        if (!r.has(4 + 2 + 32 + 1)) {
            return null;
        }
        r.skip(4 + 2 + 32);
        int sid = r.u8();
        if (!r.has(sid + 3)) {
            return null;
        }
        r.skip(sid + 3);
        return alpnIn(r);
    }

    /** The ALPN protocol of an EncryptedExtensions message, or null. */
    static String encryptedExtensionsAlpn(byte[] msg, int len) {
        TlsClientHelloParser.Reader r = new TlsClientHelloParser.Reader(msg, 0, len);
        if (!r.has(4)) {
            return null;
        }
        r.skip(4);
        return alpnIn(r);
    }

    private static String alpnIn(TlsClientHelloParser.Reader r) {
        if (!r.has(2)) {
            return null;
        }
        int extLen = r.u16();
        if (!r.has(extLen)) {
            return null;
        }
        r.end = r.pos + extLen;
        while (r.has(4)) {
            int type = r.u16();
            int el = r.u16();
            if (!r.has(el)) {
                return null;
            }
            if (type == TlsClientHelloParser.EXT_ALPN && el >= 3) {
                int listLen = ((r.buf[r.pos] & 0xff) << 8) | (r.buf[r.pos + 1] & 0xff);
                int l = r.buf[r.pos + 2] & 0xff;
                if (listLen == el - 2 && l > 0 && l + 1 <= listLen) {
                    return new String(r.buf, r.pos + 3, l, StandardCharsets.ISO_8859_1);
                }
                return null;
            }
            r.skip(el);
        }
        return null;
    }
}
