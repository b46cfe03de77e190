package org.egressaudit.analyzers.protocol.tls.decrypt;

/** The AEAD constructions TLS 1.2 and 1.3 use. */
public enum AeadKind {
    AES_GCM,
    CHACHA20_POLY1305,
    /** AES-CCM with a 16-byte tag (RFC 6655, RFC 8446). */
    AES_CCM,
    /** AES-CCM with an 8-byte tag. */
    AES_CCM_8
}
