package org.egressaudit.analyzers.protocol.tls.decrypt;

/**
 * The cipher suites whose records can be decrypted: every TLS 1.3 suite and the TLS 1.2 AEAD suites (GCM,
 * ChaCha20-Poly1305, CCM). TLS 1.2 CBC suites (MAC-then-encrypt) are not supported: {@link #of} returns null and
 * their sessions stay opaque.
 *
 * @param fixedIvLength TLS 1.2: the implicit part of the nonce from the key block (4 for GCM/CCM, 12 for
 *                      ChaCha20); TLS 1.3: always 12
 * @param explicitNonce TLS 1.2 GCM/CCM records start with 8 bytes of nonce sent in the clear
 */
public enum CipherSuite {
    TLS_AES_128_GCM_SHA256(0x1301, true, AeadKind.AES_GCM, 16, 12, false, "HmacSHA256"),
    TLS_AES_256_GCM_SHA384(0x1302, true, AeadKind.AES_GCM, 32, 12, false, "HmacSHA384"),
    TLS_CHACHA20_POLY1305_SHA256(0x1303, true, AeadKind.CHACHA20_POLY1305, 32, 12, false, "HmacSHA256"),
    TLS_AES_128_CCM_SHA256(0x1304, true, AeadKind.AES_CCM, 16, 12, false, "HmacSHA256"),
    TLS_AES_128_CCM_8_SHA256(0x1305, true, AeadKind.AES_CCM_8, 16, 12, false, "HmacSHA256"),

    TLS_RSA_WITH_AES_128_GCM_SHA256(0x009c, false, AeadKind.AES_GCM, 16, 4, true, "HmacSHA256"),
    TLS_RSA_WITH_AES_256_GCM_SHA384(0x009d, false, AeadKind.AES_GCM, 32, 4, true, "HmacSHA384"),
    TLS_DHE_RSA_WITH_AES_128_GCM_SHA256(0x009e, false, AeadKind.AES_GCM, 16, 4, true, "HmacSHA256"),
    TLS_DHE_RSA_WITH_AES_256_GCM_SHA384(0x009f, false, AeadKind.AES_GCM, 32, 4, true, "HmacSHA384"),
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256(0xc02b, false, AeadKind.AES_GCM, 16, 4, true, "HmacSHA256"),
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384(0xc02c, false, AeadKind.AES_GCM, 32, 4, true, "HmacSHA384"),
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256(0xc02f, false, AeadKind.AES_GCM, 16, 4, true, "HmacSHA256"),
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384(0xc030, false, AeadKind.AES_GCM, 32, 4, true, "HmacSHA384"),
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256(0xcca8, false, AeadKind.CHACHA20_POLY1305, 32, 12, false, "HmacSHA256"),
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256(0xcca9, false, AeadKind.CHACHA20_POLY1305, 32, 12, false, "HmacSHA256"),
    TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256(0xccaa, false, AeadKind.CHACHA20_POLY1305, 32, 12, false, "HmacSHA256"),
    TLS_RSA_WITH_AES_128_CCM(0xc09c, false, AeadKind.AES_CCM, 16, 4, true, "HmacSHA256"),
    TLS_RSA_WITH_AES_256_CCM(0xc09d, false, AeadKind.AES_CCM, 32, 4, true, "HmacSHA256"),
    TLS_DHE_RSA_WITH_AES_128_CCM(0xc09e, false, AeadKind.AES_CCM, 16, 4, true, "HmacSHA256"),
    TLS_DHE_RSA_WITH_AES_256_CCM(0xc09f, false, AeadKind.AES_CCM, 32, 4, true, "HmacSHA256"),
    TLS_RSA_WITH_AES_128_CCM_8(0xc0a0, false, AeadKind.AES_CCM_8, 16, 4, true, "HmacSHA256"),
    TLS_RSA_WITH_AES_256_CCM_8(0xc0a1, false, AeadKind.AES_CCM_8, 32, 4, true, "HmacSHA256"),
    TLS_ECDHE_ECDSA_WITH_AES_128_CCM(0xc0ac, false, AeadKind.AES_CCM, 16, 4, true, "HmacSHA256"),
    TLS_ECDHE_ECDSA_WITH_AES_256_CCM(0xc0ad, false, AeadKind.AES_CCM, 32, 4, true, "HmacSHA256"),
    TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8(0xc0ae, false, AeadKind.AES_CCM_8, 16, 4, true, "HmacSHA256"),
    TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8(0xc0af, false, AeadKind.AES_CCM_8, 32, 4, true, "HmacSHA256");

    private final int id;
    private final boolean tls13;
    private final AeadKind aead;
    private final int keyLength;
    private final int fixedIvLength;
    private final boolean explicitNonce;
    private final String hmac;

    CipherSuite(int id, boolean tls13, AeadKind aead, int keyLength, int fixedIvLength, boolean explicitNonce,
                String hmac) {
        this.id = id;
        this.tls13 = tls13;
        this.aead = aead;
        this.keyLength = keyLength;
        this.fixedIvLength = fixedIvLength;
        this.explicitNonce = explicitNonce;
        this.hmac = hmac;
    }

    /** The suite with this IANA code point, or null when its records cannot be decrypted. */
    public static CipherSuite of(int id) {
        for (CipherSuite s : values()) {
            if (s.id == id) {
                return s;
            }
        }
        return null;
    }

    public int id() {
        return id;
    }

    public boolean tls13() {
        return tls13;
    }

    public AeadKind aead() {
        return aead;
    }

    public int keyLength() {
        return keyLength;
    }

    public int fixedIvLength() {
        return fixedIvLength;
    }

    public boolean explicitNonce() {
        return explicitNonce;
    }

    /** The HMAC of the suite's hash (HKDF in TLS 1.3, the PRF in TLS 1.2). */
    public String hmac() {
        return hmac;
    }

    public int hashLength() {
        return hmac.equals("HmacSHA384") ? 48 : 32;
    }

    public int tagLength() {
        return aead == AeadKind.AES_CCM_8 ? 8 : 16;
    }
}
