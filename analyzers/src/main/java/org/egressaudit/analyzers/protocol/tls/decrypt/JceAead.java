package org.egressaudit.analyzers.protocol.tls.decrypt;

import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** AES-GCM and ChaCha20-Poly1305 from the JDK (javax.crypto; AES-GCM uses the CPU's AES/CLMUL intrinsics). */
final class JceAead implements Aead {
    private final Cipher cipher;
    private final SecretKeySpec key;
    private final boolean gcm;

    private JceAead(String transformation, SecretKeySpec key, boolean gcm) {
        try {
            this.cipher = Cipher.getInstance(transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(transformation + " is required of the Java platform", e);
        }
        this.key = key;
        this.gcm = gcm;
    }

    static JceAead aesGcm(byte[] key) {
        return new JceAead("AES/GCM/NoPadding", new SecretKeySpec(key, "AES"), true);
    }

    static JceAead chaCha20Poly1305(byte[] key) {
        return new JceAead("ChaCha20-Poly1305", new SecretKeySpec(key, "ChaCha20"), false);
    }

    @Override
    public int tagLength() {
        return 16;
    }

    @Override
    public int open(byte[] nonce, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff) {
        if (len < 16) {
            return -1;
        }
        AlgorithmParameterSpec spec = gcm ? new GCMParameterSpec(128, nonce) : new IvParameterSpec(nonce);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, spec);
            cipher.updateAAD(aad);
            return cipher.doFinal(in, off, len, out, outOff);
        } catch (GeneralSecurityException | IllegalStateException e) {
            // AEADBadTagException above all: a wrong key or a damaged record, never an engine failure.
            return -1;
        }
    }
}
