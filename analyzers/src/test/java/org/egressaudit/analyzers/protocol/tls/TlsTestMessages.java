package org.egressaudit.analyzers.protocol.tls;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/** TLS messages for tests: a real ClientHello from the JDK, hand-built hellos and records. */
final class TlsTestMessages {
    private TlsTestMessages() {
    }

    /** The TLS records of the ClientHello a JDK SSLEngine sends (no network involved). */
    static byte[] jdkClientHello(String sni, String... alpn) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        SSLEngine engine = ctx.createSSLEngine(sni, 443);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(sni)));
        p.setApplicationProtocols(alpn);
        engine.setSSLParameters(p);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }

    static final class Bytes {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u8(int v) {
            out.write(v);
            return this;
        }

        Bytes u16(int v) {
            return u8(v >> 8).u8(v);
        }

        Bytes u24(int v) {
            return u8(v >> 16).u16(v);
        }

        Bytes raw(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        Bytes vec16(byte[] b) {
            return u16(b.length).raw(b);
        }

        Bytes vec8(byte[] b) {
            return u8(b.length).raw(b);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    static byte[] ext(int type, byte[] data) {
        return new Bytes().u16(type).vec16(data).bytes();
    }

    static byte[] u16s(int... v) {
        Bytes b = new Bytes();
        for (int x : v) {
            b.u16(x);
        }
        return b.bytes();
    }

    /** A ClientHello handshake message with GREASE values everywhere JA3 must drop them. */
    static byte[] greaseClientHello(String sni) {
        byte[] host = sni.getBytes(StandardCharsets.US_ASCII);
        byte[] sniExt = new Bytes().vec16(new Bytes().u8(0).vec16(host).bytes()).bytes();
        byte[] alpn = new Bytes().vec16(new Bytes().vec8("h2".getBytes(StandardCharsets.US_ASCII))
                .vec8("http/1.1".getBytes(StandardCharsets.US_ASCII)).bytes()).bytes();
        Bytes exts = new Bytes()
                .raw(ext(0x1a1a, new byte[0]))
                .raw(ext(0, sniExt))
                .raw(ext(10, new Bytes().vec16(u16s(0x2a2a, 29, 23)).bytes()))
                .raw(ext(11, new Bytes().vec8(new byte[] {0}).bytes()))
                .raw(ext(16, alpn))
                .raw(ext(43, new Bytes().vec8(u16s(0x3a3a, 0x0304, 0x0303)).bytes()));
        byte[] body = new Bytes().u16(0x0303).raw(new byte[32]).vec8(new byte[32])
                .vec16(u16s(0x0a0a, 0x1301, 0xc02f)).vec8(new byte[] {0}).vec16(exts.bytes()).bytes();
        return new Bytes().u8(1).u24(body.length).raw(body).bytes();
    }

    /** A TLS 1.3 ServerHello handshake message choosing TLS_AES_128_GCM_SHA256. */
    static byte[] serverHello13() {
        byte[] exts = new Bytes().raw(ext(43, u16s(0x0304))).raw(ext(51, new byte[36])).bytes();
        byte[] body = new Bytes().u16(0x0303).raw(filled(32, 7)).vec8(new byte[32]).u16(0x1301).u8(0)
                .vec16(exts).bytes();
        return new Bytes().u8(2).u24(body.length).raw(body).bytes();
    }

    static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    /** Wraps a payload into records of {@code type}, at most {@code maxFragment} bytes each. */
    static byte[] records(int type, byte[] payload, int maxFragment) {
        Bytes b = new Bytes();
        for (int p = 0; p < payload.length; p += maxFragment) {
            int n = Math.min(maxFragment, payload.length - p);
            b.u8(type).u16(0x0303).u16(n).raw(Arrays.copyOfRange(payload, p, p + n));
        }
        return b.bytes();
    }

    static byte[] concat(byte[]... parts) {
        Bytes b = new Bytes();
        for (byte[] p : parts) {
            b.raw(p);
        }
        return b.bytes();
    }
}
