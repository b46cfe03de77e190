package org.egressaudit.analyzers.protocol.tls;

/**
 * Limits of the TLS handlers.
 *
 * @param maxHelloBytes   largest ClientHello/ServerHello handshake message collected (default 64 KiB; real ones,
 *                        post-quantum key shares included, are a few KiB)
 * @param maxRecordLength largest record accepted as TLS (default 2^14 + 2048, the TLS 1.2 ciphertext limit);
 *                        a longer one means the stream is not TLS
 */
public record TlsLimits(int maxHelloBytes, int maxRecordLength) {

    public static final TlsLimits DEFAULTS = new TlsLimits(64 << 10, (1 << 14) + 2048);

    public TlsLimits {
        if (maxHelloBytes < 512 || maxRecordLength < 512) {
            throw new IllegalArgumentException("TLS limits out of range: " + this);
        }
    }
}
