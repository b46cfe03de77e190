package org.egressaudit.analyzers.protocol.tls;

/**
 * What the server chose.
 *
 * @param selectedVersion    supported_versions' choice when present (TLS 1.3), else the legacy version
 * @param helloRetryRequest  the message is a HelloRetryRequest (RFC 8446 4.1.3 special random)
 * @param error              why parsing stopped, or null
 */
public record TlsServerHello(int legacyVersion, int selectedVersion, int cipherSuite, boolean helloRetryRequest,
                             String error) {

    public boolean ok() {
        return error == null;
    }
}
