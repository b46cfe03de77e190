package org.egressaudit.analyzers.protocol.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a ClientHello (RFC 8446 4.1.2, RFC 5246 7.4.1.2), pure and exception-free: a malformed hello yields a
 * result with {@link TlsClientHello#error()} and the fields read so far.
 */
public final class TlsClientHelloParser {
    static final int EXT_SERVER_NAME = 0;
    static final int EXT_SUPPORTED_GROUPS = 10;
    static final int EXT_SIGNATURE_ALGORITHMS = 13;
    static final int EXT_EC_POINT_FORMATS = 11;
    static final int EXT_ALPN = 16;
    static final int EXT_SUPPORTED_VERSIONS = 43;

    private TlsClientHelloParser() {
    }

    /**
     * Parses a ClientHello from TLS records {@code buf[off, off+len)}: consecutive handshake records are joined,
     * so a hello spread over several records is handled.
     */
    public static TlsClientHello parseRecords(byte[] buf, int off, int len, TlsLimits limits) {
        byte[] hs = new byte[Math.min(limits.maxHelloBytes(), Math.max(0, len))];
        int have = 0;
        int p = off;
        int end = off + len;
        int needed = -1;
        while (p < end) {
            if (end - p < 5) {
                return failure("TLS record header truncated");
            }
            int type = buf[p] & 0xff;
            int recLen = ((buf[p + 3] & 0xff) << 8) | (buf[p + 4] & 0xff);
            if (type != 22) {
                return failure("record of type " + type + " before the ClientHello was complete");
            }
            if ((buf[p + 1] & 0xff) != 3) {
                return failure("record version is not 3.x");
            }
            int avail = Math.min(recLen, end - p - 5);
            int take = Math.min(avail, hs.length - have);
            System.arraycopy(buf, p + 5, hs, have, take);
            have += take;
            if (needed < 0 && have >= 4) {
                needed = 4 + (((hs[1] & 0xff) << 16) | ((hs[2] & 0xff) << 8) | (hs[3] & 0xff));
                if (needed > limits.maxHelloBytes()) {
                    return failure("ClientHello of " + needed + " bytes exceeds the limit of " + limits.maxHelloBytes());
                }
            }
            if (needed >= 0 && have >= needed) {
                return parseMessage(hs, 0, needed);
            }
            if (avail < recLen) {
                break;
            }
            p += 5 + recLen;
        }
        return failure("ClientHello incomplete: " + have + " of " + (needed < 0 ? "?" : String.valueOf(needed))
                + " bytes");
    }

    public static TlsClientHello parseRecords(byte[] records) {
        return parseRecords(records, 0, records.length, TlsLimits.DEFAULTS);
    }

    /** Parses one handshake message (4-byte handshake header included). */
    public static TlsClientHello parseMessage(byte[] buf, int off, int len) {
        Builder b = new Builder();
        Reader r = new Reader(buf, off, off + len);
        if (len < 4) {
            return b.fail("handshake message shorter than its header");
        }
        int type = r.u8();
        int bodyLen = r.u24();
        b.messageLength = 4 + bodyLen;
        if (type != 1) {
            return b.fail("handshake message type " + type + " is not a ClientHello");
        }
        if (bodyLen > r.remaining()) {
            return b.fail("ClientHello body truncated: " + r.remaining() + " of " + bodyLen + " bytes");
        }
        r.end = r.pos + bodyLen;
        if (r.remaining() < 2 + 32 + 1) {
            return b.fail("ClientHello shorter than version, random and session id");
        }
        b.legacyVersion = r.u16();
        r.skip(32);
        int sid = r.u8();
        if (sid > 32 || !r.has(sid)) {
            return b.fail("bad session id length " + sid);
        }
        r.skip(sid);
        if (!r.has(2)) {
            return b.fail("cipher suites missing");
        }
        int csLen = r.u16();
        if (csLen % 2 != 0 || !r.has(csLen)) {
            return b.fail("bad cipher suites length " + csLen);
        }
        for (int i = 0; i < csLen / 2; i++) {
            b.ciphers.add(r.u16());
        }
        if (!r.has(1)) {
            return b.fail("compression methods missing");
        }
        int cmLen = r.u8();
        if (cmLen < 1 || !r.has(cmLen)) {
            return b.fail("bad compression methods length " + cmLen);
        }
        r.skip(cmLen);
        if (r.remaining() == 0) {
            return b.build(null); // no extensions (SSL 3.0 / old TLS clients)
        }
        if (!r.has(2)) {
            return b.fail("extensions length truncated");
        }
        int extLen = r.u16();
        if (extLen != r.remaining()) {
            return b.fail("extensions length " + extLen + " does not match the " + r.remaining() + " bytes left");
        }
        while (r.remaining() > 0) {
            if (!r.has(4)) {
                return b.fail("extension header truncated");
            }
            int et = r.u16();
            int el = r.u16();
            if (!r.has(el)) {
                return b.fail("extension " + et + " runs past the end");
            }
            b.extensions.add(et);
            Reader e = new Reader(buf, r.pos, r.pos + el);
            r.skip(el);
            String err = switch (et) {
                case EXT_SERVER_NAME -> serverName(e, b);
                case EXT_ALPN -> alpn(e, b);
                case EXT_SUPPORTED_GROUPS -> u16List(e, b.groups, 2, "supported_groups");
                case EXT_SIGNATURE_ALGORITHMS -> u16List(e, b.signatureAlgorithms, 2, "signature_algorithms");
                case EXT_EC_POINT_FORMATS -> u8List(e, b.pointFormats);
                case EXT_SUPPORTED_VERSIONS -> u16List(e, b.versions, 1, "supported_versions");
                default -> null;
            };
            if (err != null) {
                return b.fail(err);
            }
        }
        return b.build(null);
    }

    private static String serverName(Reader e, Builder b) {
        if (e.remaining() == 0) {
            return null; // server's empty acknowledgement form; harmless in a hello
        }
        if (!e.has(2) || e.u16() != e.remaining()) {
            return "bad server_name list length";
        }
        while (e.remaining() > 0) {
            if (!e.has(3)) {
                return "server_name entry truncated";
            }
            int nameType = e.u8();
            int nl = e.u16();
            if (!e.has(nl)) {
                return "server_name runs past the extension";
            }
            if (nameType == 0 && b.sniBytes == null) {
                b.sniBytes = new byte[nl];
                System.arraycopy(e.buf, e.pos, b.sniBytes, 0, nl);
            }
            e.skip(nl);
        }
        return null;
    }

    private static String alpn(Reader e, Builder b) {
        if (!e.has(2) || e.u16() != e.remaining()) {
            return "bad ALPN list length";
        }
        while (e.remaining() > 0) {
            int l = e.u8();
            if (l == 0 || !e.has(l)) {
                return "bad ALPN protocol length " + l;
            }
            if (b.alpn.size() < 64) {
                b.alpn.add(new String(e.buf, e.pos, l, StandardCharsets.ISO_8859_1));
            }
            e.skip(l);
        }
        return null;
    }

    private static String u16List(Reader e, List<Integer> out, int lengthBytes, String what) {
        if (!e.has(lengthBytes)) {
            return what + " truncated";
        }
        int l = lengthBytes == 1 ? e.u8() : e.u16();
        if (l % 2 != 0 || l != e.remaining()) {
            return "bad " + what + " length " + l;
        }
        while (e.remaining() > 0) {
            out.add(e.u16());
        }
        return null;
    }

    private static String u8List(Reader e, List<Integer> out) {
        if (!e.has(1)) {
            return "ec_point_formats truncated";
        }
        int l = e.u8();
        if (l != e.remaining()) {
            return "bad ec_point_formats length " + l;
        }
        while (e.remaining() > 0) {
            out.add(e.u8());
        }
        return null;
    }

    private static TlsClientHello failure(String error) {
        return new Builder().fail(error);
    }

    private static final class Builder {
        int legacyVersion = -1;
        int messageLength;
        byte[] sniBytes;
        final List<Integer> versions = new ArrayList<>();
        final List<String> alpn = new ArrayList<>();
        final List<Integer> ciphers = new ArrayList<>();
        final List<Integer> extensions = new ArrayList<>();
        final List<Integer> groups = new ArrayList<>();
        final List<Integer> pointFormats = new ArrayList<>();
        final List<Integer> signatureAlgorithms = new ArrayList<>();

        TlsClientHello fail(String error) {
            return build(error);
        }

        TlsClientHello build(String error) {
            String sni = sniBytes == null ? null : new String(sniBytes, StandardCharsets.ISO_8859_1);
            return new TlsClientHello(legacyVersion, versions, sni, sniBytes, alpn, ciphers, extensions, groups,
                    pointFormats, signatureAlgorithms, messageLength, error);
        }
    }

    /** Bounds-checked big-endian reads; callers check {@link #has} first. */
    static final class Reader {
        final byte[] buf;
        int pos;
        int end;

        Reader(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        int remaining() {
            return end - pos;
        }

        boolean has(int n) {
            return n >= 0 && n <= end - pos;
        }

        int u8() {
            return buf[pos++] & 0xff;
        }

        int u16() {
            int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
            pos += 2;
            return v;
        }

        int u24() {
            int v = ((buf[pos] & 0xff) << 16) | ((buf[pos + 1] & 0xff) << 8) | (buf[pos + 2] & 0xff);
            pos += 3;
            return v;
        }

        void skip(int n) {
            pos += n;
        }
    }
}
