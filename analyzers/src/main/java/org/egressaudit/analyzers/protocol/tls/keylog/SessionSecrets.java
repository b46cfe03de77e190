package org.egressaudit.analyzers.protocol.tls.keylog;

/**
 * The secrets a key log holds for one TLS session (one client random). Any of them may be null.
 *
 * @param masterSecret           TLS 1.2 and earlier: CLIENT_RANDOM's 48-byte master secret
 * @param clientHandshakeSecret  TLS 1.3 CLIENT_HANDSHAKE_TRAFFIC_SECRET
 * @param serverHandshakeSecret  TLS 1.3 SERVER_HANDSHAKE_TRAFFIC_SECRET
 * @param clientTrafficSecret    TLS 1.3 CLIENT_TRAFFIC_SECRET_0
 * @param serverTrafficSecret    TLS 1.3 SERVER_TRAFFIC_SECRET_0
 */
public record SessionSecrets(byte[] masterSecret, byte[] clientHandshakeSecret, byte[] serverHandshakeSecret,
                             byte[] clientTrafficSecret, byte[] serverTrafficSecret) {

    static final SessionSecrets NONE = new SessionSecrets(null, null, null, null, null);

    /** This session's secrets with the other's filled in where this has none (earlier lines win). */
    SessionSecrets orElse(SessionSecrets o) {
        return new SessionSecrets(pick(masterSecret, o.masterSecret), pick(clientHandshakeSecret, o.clientHandshakeSecret),
                pick(serverHandshakeSecret, o.serverHandshakeSecret), pick(clientTrafficSecret, o.clientTrafficSecret),
                pick(serverTrafficSecret, o.serverTrafficSecret));
    }

    /** Whether application data of a TLS 1.3 session can be read in at least one direction. */
    public boolean hasTls13TrafficSecrets() {
        return clientTrafficSecret != null || serverTrafficSecret != null;
    }

    private static byte[] pick(byte[] a, byte[] b) {
        return a != null ? a : b;
    }

    @Override
    public String toString() {
        return "SessionSecrets[" + (masterSecret != null ? "master " : "") + (clientHandshakeSecret != null ? "chs " : "")
                + (serverHandshakeSecret != null ? "shs " : "") + (clientTrafficSecret != null ? "cts0 " : "")
                + (serverTrafficSecret != null ? "sts0" : "") + "]"; // never the secrets themselves
    }
}
