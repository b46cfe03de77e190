package org.egressaudit.analyzers.protocol.tls.decrypt;

/**
 * The read state of one direction of a TLS connection: AEAD key, IV and record sequence number, with the nonce
 * and additional data rules of TLS 1.2 (RFC 5288, RFC 7905, RFC 6655) or TLS 1.3 (RFC 8446 5.2-5.3). The sequence
 * number advances with every record that authenticates. Not thread-safe.
 */
public final class RecordProtection {
    private final CipherSuite suite;
    private final Aead aead;
    private final byte[] iv;
    /** TLS 1.3 only: the traffic secret, for KeyUpdate. */
    private final byte[] secret;
    private final byte[] nonce = new byte[12];
    private final byte[] aad;
    private long sequence;

    private RecordProtection(CipherSuite suite, byte[] key, byte[] iv, byte[] secret) {
        this.suite = suite;
        this.aead = Aead.create(suite.aead(), key);
        this.iv = iv;
        this.secret = secret;
        this.aad = new byte[suite.tls13() ? 5 : 13];
    }

    /** TLS 1.3 keys from a traffic secret: key = HKDF-Expand-Label(secret, "key"), iv = ...("iv"). */
    public static RecordProtection tls13(CipherSuite suite, byte[] trafficSecret) {
        if (!suite.tls13()) {
            throw new IllegalArgumentException(suite + " is not a TLS 1.3 suite");
        }
        byte[] key = TlsKdf.expandLabel(suite.hmac(), trafficSecret, "key", new byte[0], suite.keyLength());
        byte[] iv = TlsKdf.expandLabel(suite.hmac(), trafficSecret, "iv", new byte[0], 12);
        return new RecordProtection(suite, key, iv, trafficSecret.clone());
    }

    /**
     * TLS 1.2 keys of both directions from the master secret: key_block = PRF(master, "key expansion",
     * server_random + client_random), cut into client key, server key, client IV, server IV (AEAD suites have no
     * MAC keys). Returns {client-to-server, server-to-client}.
     */
    public static RecordProtection[] tls12(CipherSuite suite, byte[] masterSecret, byte[] clientRandom,
                                           byte[] serverRandom) {
        if (suite.tls13()) {
            throw new IllegalArgumentException(suite + " is not a TLS 1.2 suite");
        }
        int k = suite.keyLength();
        int v = suite.fixedIvLength();
        byte[] seed = new byte[64];
        System.arraycopy(serverRandom, 0, seed, 0, 32);
        System.arraycopy(clientRandom, 0, seed, 32, 32);
        byte[] block = TlsKdf.prf(suite.hmac(), masterSecret, "key expansion", seed, 2 * k + 2 * v);
        byte[] ck = java.util.Arrays.copyOfRange(block, 0, k);
        byte[] sk = java.util.Arrays.copyOfRange(block, k, 2 * k);
        byte[] civ = java.util.Arrays.copyOfRange(block, 2 * k, 2 * k + v);
        byte[] siv = java.util.Arrays.copyOfRange(block, 2 * k + v, 2 * k + 2 * v);
        return new RecordProtection[] {new RecordProtection(suite, ck, civ, null),
                new RecordProtection(suite, sk, siv, null)};
    }

    /** TLS 1.3 KeyUpdate: the next generation, secret = HKDF-Expand-Label(secret, "traffic upd"), sequence 0. */
    public RecordProtection next() {
        if (secret == null) {
            throw new IllegalStateException("key update is TLS 1.3 only");
        }
        return tls13(suite, TlsKdf.expandLabel(suite.hmac(), secret, "traffic upd", new byte[0], suite.hashLength()));
    }

    /**
     * Decrypts one record body {@code body[0, len)} whose header had {@code type} and {@code version} into
     * {@code out} (room for {@code len} bytes). Returns the plaintext length (TLS 1.3: the inner plaintext,
     * content type and padding included) or -1 when the record does not authenticate; the sequence number
     * advances only on success.
     */
    public int open(int type, int version, byte[] body, int len, byte[] out) {
        int explicit = suite.explicitNonce() ? 8 : 0;
        int plain = len - explicit - aead.tagLength();
        if (plain < 0) {
            return -1;
        }
        if (suite.explicitNonce()) {
            System.arraycopy(iv, 0, nonce, 0, 4);
            System.arraycopy(body, 0, nonce, 4, 8);
        } else {
            System.arraycopy(iv, 0, nonce, 0, 12);
            for (int i = 0; i < 8; i++) {
                nonce[4 + i] ^= (byte) (sequence >>> (56 - 8 * i));
            }
        }
        if (suite.tls13()) {
            aad[0] = (byte) type;
            aad[1] = (byte) (version >>> 8);
            aad[2] = (byte) version;
            aad[3] = (byte) (len >>> 8);
            aad[4] = (byte) len;
        } else {
            for (int i = 0; i < 8; i++) {
                aad[i] = (byte) (sequence >>> (56 - 8 * i));
            }
            aad[8] = (byte) type;
            aad[9] = (byte) (version >>> 8);
            aad[10] = (byte) version;
            aad[11] = (byte) (plain >>> 8);
            aad[12] = (byte) plain;
        }
        int n = aead.open(nonce, aad, body, explicit, len - explicit, out, 0);
        if (n >= 0) {
            sequence++;
        }
        return n;
    }

    public long sequence() {
        return sequence;
    }

    public CipherSuite suite() {
        return suite;
    }
}
