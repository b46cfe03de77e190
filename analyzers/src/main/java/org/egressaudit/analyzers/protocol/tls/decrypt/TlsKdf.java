package org.egressaudit.analyzers.protocol.tls.decrypt;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The key derivations of TLS: HKDF-Expand-Label (RFC 8446 7.1, RFC 5869) and the TLS 1.2 PRF (RFC 5246 5). */
public final class TlsKdf {
    private TlsKdf() {
    }

    /** HKDF-Expand-Label(secret, label, context, length) with the "tls13 " label prefix. */
    public static byte[] expandLabel(String hmac, byte[] secret, String label, byte[] context, int length) {
        byte[] l = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
        byte[] info = new byte[2 + 1 + l.length + 1 + context.length];
        info[0] = (byte) (length >>> 8);
        info[1] = (byte) length;
        info[2] = (byte) l.length;
        System.arraycopy(l, 0, info, 3, l.length);
        info[3 + l.length] = (byte) context.length;
        System.arraycopy(context, 0, info, 4 + l.length, context.length);
        return expand(hmac, secret, info, length);
    }

    /** HKDF-Expand (RFC 5869 2.3). */
    public static byte[] expand(String hmac, byte[] prk, byte[] info, int length) {
        Mac mac = mac(hmac, prk);
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        int have = 0;
        for (int i = 1; have < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            int n = Math.min(t.length, length - have);
            System.arraycopy(t, 0, out, have, n);
            have += n;
        }
        return out;
    }

    /** TLS 1.2 PRF: P_hash(secret, label + seed) truncated to {@code length} bytes. */
    public static byte[] prf(String hmac, byte[] secret, String label, byte[] seed, int length) {
        byte[] l = label.getBytes(StandardCharsets.US_ASCII);
        byte[] labelSeed = new byte[l.length + seed.length];
        System.arraycopy(l, 0, labelSeed, 0, l.length);
        System.arraycopy(seed, 0, labelSeed, l.length, seed.length);
        Mac mac = mac(hmac, secret);
        byte[] out = new byte[length];
        byte[] a = labelSeed; // A(0)
        int have = 0;
        while (have < length) {
            a = mac.doFinal(a); // A(i) = HMAC(secret, A(i-1))
            mac.update(a);
            byte[] block = mac.doFinal(labelSeed);
            int n = Math.min(block.length, length - have);
            System.arraycopy(block, 0, out, have, n);
            have += n;
        }
        return out;
    }

    private static Mac mac(String hmac, byte[] key) {
        try {
            Mac mac = Mac.getInstance(hmac);
            mac.init(new SecretKeySpec(key, hmac));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hmac + " is required of the Java platform", e);
        }
    }
}
