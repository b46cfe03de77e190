package org.egressaudit.analyzers.protocol.tls.decrypt;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Test helper: seals TLS 1.3 records (header included) the way a peer would. GCM and ChaCha20 with the JDK; CCM with
 * a straightforward RFC 3610 encryption (CTR + CBC-MAC on AES/ECB), independent of {@link AesCcm}'s code.
 */
public final class TlsRecords {
    private TlsRecords() {
    }

    public static byte[] seal13(CipherSuite s, byte[] secret, long seq, int innerType, byte[] content) {
        byte[] key = TlsKdf.expandLabel(s.hmac(), secret, "key", new byte[0], s.keyLength());
        byte[] iv = TlsKdf.expandLabel(s.hmac(), secret, "iv", new byte[0], 12);
        for (int i = 0; i < 8; i++) {
            iv[4 + i] ^= (byte) (seq >>> (56 - 8 * i));
        }
        byte[] inner = new byte[content.length + 1];
        System.arraycopy(content, 0, inner, 0, content.length);
        inner[content.length] = (byte) innerType;
        int len = inner.length + s.tagLength();
        byte[] header = {23, 3, 3, (byte) (len >>> 8), (byte) len};
        byte[] ct;
        try {
            ct = switch (s.aead()) {
                case AES_GCM -> {
                    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
                    c.updateAAD(header);
                    yield c.doFinal(inner);
                }
                case CHACHA20_POLY1305 -> {
                    Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
                    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(iv));
                    c.updateAAD(header);
                    yield c.doFinal(inner);
                }
                case AES_CCM, AES_CCM_8 -> ccm(key, iv, header, inner, s.tagLength());
            };
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
        byte[] rec = new byte[5 + ct.length];
        System.arraycopy(header, 0, rec, 0, 5);
        System.arraycopy(ct, 0, rec, 5, ct.length);
        return rec;
    }

    /** RFC 3610 encryption with a 12-byte nonce (L = 3). */
    static byte[] ccm(byte[] key, byte[] nonce, byte[] aad, byte[] plain, int m) throws GeneralSecurityException {
        Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        java.io.ByteArrayOutputStream macInput = new java.io.ByteArrayOutputStream();
        byte[] b0 = new byte[16];
        b0[0] = (byte) (0x40 | ((m - 2) / 2) << 3 | 2);
        System.arraycopy(nonce, 0, b0, 1, 12);
        b0[13] = (byte) (plain.length >>> 16);
        b0[14] = (byte) (plain.length >>> 8);
        b0[15] = (byte) plain.length;
        macInput.writeBytes(b0);
        byte[] a = new byte[(2 + aad.length + 15) / 16 * 16];
        a[0] = (byte) (aad.length >>> 8);
        a[1] = (byte) aad.length;
        System.arraycopy(aad, 0, a, 2, aad.length);
        macInput.writeBytes(a);
        macInput.writeBytes(java.util.Arrays.copyOf(plain, (plain.length + 15) / 16 * 16));
        byte[] all = macInput.toByteArray();
        byte[] x = new byte[16];
        for (int i = 0; i < all.length; i += 16) {
            for (int j = 0; j < 16; j++) {
                x[j] ^= all[i + j];
            }
            x = aes.doFinal(x);
        }
        byte[] out = new byte[plain.length + m];
        for (int i = 0; i * 16 < plain.length + 16; i++) {
            byte[] ctr = new byte[16];
            ctr[0] = 2;
            System.arraycopy(nonce, 0, ctr, 1, 12);
            ctr[15] = (byte) i;
            ctr[14] = (byte) (i >>> 8);
            byte[] s = aes.doFinal(ctr);
            if (i == 0) {
                for (int j = 0; j < m; j++) {
                    out[plain.length + j] = (byte) (x[j] ^ s[j]);
                }
            } else {
                for (int j = 0; j < 16 && (i - 1) * 16 + j < plain.length; j++) {
                    out[(i - 1) * 16 + j] = (byte) (plain[(i - 1) * 16 + j] ^ s[j]);
                }
            }
        }
        return out;
    }
}
