package org.egressaudit.harness.tls;

import org.bouncycastle.tls.crypto.TlsSecret;
import org.bouncycastle.tls.crypto.impl.AbstractTlsSecret;

/**
 * Reads the bytes of a live BouncyCastle secret without destroying it. {@link TlsSecret#extract()} would destroy
 * the secret the connection still needs; {@link AbstractTlsSecret} offers a copy only to its subclasses, hence this
 * (abstract, never instantiated) subclass.
 */
abstract class SecretBytes extends AbstractTlsSecret {

    private SecretBytes() {
        super(new byte[0]);
    }

    /**
     * @return a copy of the secret's bytes
     * @throws IllegalStateException when the secret is of an unknown kind or already destroyed
     */
    static byte[] copy(TlsSecret secret) {
        if (!(secret instanceof AbstractTlsSecret s)) {
            throw new IllegalStateException("cannot read a " + (secret == null ? "missing" : secret.getClass().getName())
                    + " secret");
        }
        return copyData(s);
    }
}
