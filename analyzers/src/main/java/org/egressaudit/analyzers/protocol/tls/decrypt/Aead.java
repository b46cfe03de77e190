package org.egressaudit.analyzers.protocol.tls.decrypt;

/**
 * An AEAD cipher in decryption direction with a fixed key. Not thread-safe: one instance per record stream.
 * {@link #open} never throws on attacker input: a forged or damaged record is an authentication failure.
 */
public interface Aead {

    /** Bytes of the authentication tag at the end of every ciphertext. */
    int tagLength();

    /**
     * Decrypts and authenticates {@code in[off, off+len)} (ciphertext followed by the tag) into {@code out} from
     * {@code outOff}; returns the plaintext length, or -1 when authentication fails or the input is too short.
     * {@code out} must have room for {@code len - tagLength()} bytes.
     */
    int open(byte[] nonce, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff);

    /** The AEAD for this kind and key, built on the JDK's providers. */
    static Aead create(AeadKind kind, byte[] key) {
        return switch (kind) {
            case AES_GCM -> JceAead.aesGcm(key);
            case CHACHA20_POLY1305 -> JceAead.chaCha20Poly1305(key);
            case AES_CCM -> new AesCcm(key, 16);
            case AES_CCM_8 -> new AesCcm(key, 8);
        };
    }
}
