package org.egressaudit.harness.tls;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Vector;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateEntry;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The BouncyCastle server side of one intercepted connection: presents the minted leaf (EC P-256), speaks TLS 1.2
 * (ECDHE-ECDSA with AES-GCM or ChaCha20-Poly1305) and TLS 1.3 (AES-GCM, ChaCha20-Poly1305), accepts the client's
 * preferred ALPN among h2 and http/1.1, and keeps what the key log and the events need: the secrets (copied, never
 * destroyed), the ALPN offered, the alerts either side sent.
 */
final class InterceptingTlsServer extends DefaultTlsServer {
    /** Cipher suites offered, with the names used in events. */
    static final Map<Integer, String> SUITES = orderedSuites();
    private static final List<ProtocolName> ALPN = List.of(ProtocolName.HTTP_2_TLS, ProtocolName.HTTP_1_1);

    private final BcTlsCrypto crypto;
    private final LeafCertificates.Leaf leaf;
    private List<String> offeredAlpn = List.of();
    private final List<TlsKeyLog.Secret> handshakeSecrets = new ArrayList<>();
    private List<TlsKeyLog.Secret> secrets = List.of();
    private byte[] clientRandom;
    private String keyFailure;
    private boolean complete;
    private String alertReceived;
    private String alertRaised;

    InterceptingTlsServer(BcTlsCrypto crypto, LeafCertificates.Leaf leaf) {
        super(crypto);
        this.crypto = crypto;
        this.leaf = leaf;
    }

    private static Map<Integer, String> orderedSuites() {
        Map<Integer, String> m = new java.util.LinkedHashMap<>();
        m.put(CipherSuite.TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256");
        m.put(CipherSuite.TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384");
        m.put(CipherSuite.TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256");
        m.put(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        m.put(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        m.put(CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
        return java.util.Collections.unmodifiableMap(m);
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.TLSv13.downTo(ProtocolVersion.TLSv12);
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        int[] all = SUITES.keySet().stream().mapToInt(Integer::intValue).toArray();
        return TlsUtils.getSupportedCipherSuites(getCrypto(), all);
    }

    @Override
    protected Vector getProtocolNames() {
        return new Vector<>(ALPN);
    }

    /** The client's order wins: "offer the ALPN the client offers", as the real server most likely would. */
    @Override
    protected ProtocolName selectProtocolName(Vector clientProtocolNames, Vector serverProtocolNames) {
        for (Object name : clientProtocolNames) {
            if (serverProtocolNames.contains(name)) {
                return (ProtocolName) name;
            }
        }
        return null;
    }

    @Override
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
        super.processClientExtensions(clientExtensions);
        if (clientProtocolNames != null) {
            List<String> names = new ArrayList<>();
            for (Object n : clientProtocolNames) {
                names.add(((ProtocolName) n).getUtf8Decoding());
            }
            offeredAlpn = List.copyOf(names);
        }
    }

    @Override
    public TlsCredentials getCredentials() throws IOException {
        SecurityParameters sp = context.getSecurityParametersHandshake();
        boolean tls13 = TlsUtils.isTLSv13(sp.getNegotiatedVersion());
        if (tls13) {
            // The only moment BC holds the handshake traffic secrets: they are replaced once the handshake is done.
            try {
                handshakeSecrets.add(new TlsKeyLog.Secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                        SecretBytes.copy(sp.getTrafficSecretClient())));
                handshakeSecrets.add(new TlsKeyLog.Secret("SERVER_HANDSHAKE_TRAFFIC_SECRET",
                        SecretBytes.copy(sp.getTrafficSecretServer())));
            } catch (RuntimeException e) {
                keyFailure = "handshake traffic secrets unreadable: " + e.getMessage();
            }
        }
        List<X509Bytes> chain = new ArrayList<>();
        for (java.security.cert.X509Certificate c : leaf.chain()) {
            chain.add(new X509Bytes(c));
        }
        TlsCertificate[] certs = new TlsCertificate[chain.size()];
        for (int i = 0; i < certs.length; i++) {
            certs[i] = crypto.createCertificate(chain.get(i).der());
        }
        Certificate certificate;
        if (tls13) {
            CertificateEntry[] entries = new CertificateEntry[certs.length];
            for (int i = 0; i < certs.length; i++) {
                entries[i] = new CertificateEntry(certs[i], null);
            }
            certificate = new Certificate(new byte[0], entries);
        } else {
            certificate = new Certificate(certs);
        }
        AsymmetricKeyParameter key = PrivateKeyFactory.createKey(leaf.key().getEncoded());
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, key, certificate,
                SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }

    private record X509Bytes(byte[] der) {
        X509Bytes(java.security.cert.X509Certificate c) {
            this(encoded(c));
        }

        private static byte[] encoded(java.security.cert.X509Certificate c) {
            try {
                return c.getEncoded();
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException("cannot encode a minted certificate", e);
            }
        }
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        SecurityParameters sp = context.getSecurityParametersConnection();
        clientRandom = sp.getClientRandom().clone();
        try {
            if (TlsUtils.isTLSv13(sp.getNegotiatedVersion())) {
                List<TlsKeyLog.Secret> s = new ArrayList<>(handshakeSecrets);
                s.add(new TlsKeyLog.Secret("CLIENT_TRAFFIC_SECRET_0", SecretBytes.copy(sp.getTrafficSecretClient())));
                s.add(new TlsKeyLog.Secret("SERVER_TRAFFIC_SECRET_0", SecretBytes.copy(sp.getTrafficSecretServer())));
                if (sp.getExporterMasterSecret() != null) {
                    s.add(new TlsKeyLog.Secret("EXPORTER_SECRET", SecretBytes.copy(sp.getExporterMasterSecret())));
                }
                secrets = List.copyOf(s);
            } else {
                secrets = List.of(new TlsKeyLog.Secret("CLIENT_RANDOM", SecretBytes.copy(sp.getMasterSecret())));
            }
        } catch (RuntimeException e) {
            keyFailure = "session secrets unreadable: " + e.getMessage();
            secrets = List.of();
        }
        complete = true;
    }

    @Override
    public void notifyAlertRaised(short alertLevel, short alertDescription, String message, Throwable cause) {
        if (alertLevel == AlertLevel.fatal && alertRaised == null) {
            alertRaised = AlertDescription.getText(alertDescription) + (message == null ? "" : ": " + message);
        }
    }

    @Override
    public void notifyAlertReceived(short alertLevel, short alertDescription) {
        if (alertReceived == null && alertDescription != AlertDescription.close_notify) {
            alertReceived = AlertDescription.getText(alertDescription)
                    + (alertLevel == AlertLevel.fatal ? "" : " (warning)");
        }
    }

    boolean complete() {
        return complete;
    }

    LeafCertificates.Leaf leaf() {
        return leaf;
    }

    List<String> offeredAlpn() {
        return offeredAlpn;
    }

    /** The secrets of the completed session in NSS key log order (empty when they could not be read). */
    List<TlsKeyLog.Secret> secrets() {
        return secrets;
    }

    byte[] clientRandom() {
        return clientRandom;
    }

    /** Why there are no secrets, or null. */
    String keyFailure() {
        return keyFailure;
    }

    /** The first non-close alert the client sent, e.g. "unknown_ca(48)", or null. */
    String alertReceived() {
        return alertReceived;
    }

    /** The first fatal alert the harness sent, or null. */
    String alertRaised() {
        return alertRaised;
    }

    /** "TLS 1.3", "TLS 1.2", or null before the ServerHello. */
    String version() {
        SecurityParameters sp = context == null ? null
                : context.getSecurityParametersConnection() != null ? context.getSecurityParametersConnection()
                : context.getSecurityParametersHandshake();
        return sp == null || sp.getNegotiatedVersion() == null ? null : sp.getNegotiatedVersion().getName();
    }

    /** The negotiated cipher suite's name, or null. */
    String cipherSuite() {
        SecurityParameters sp = context == null ? null : context.getSecurityParametersConnection();
        if (sp == null) {
            return null;
        }
        return SUITES.getOrDefault(sp.getCipherSuite(), String.format("0x%04x", sp.getCipherSuite()));
    }

    /** The ALPN protocol agreed, or null. */
    String applicationProtocol() {
        SecurityParameters sp = context == null ? null : context.getSecurityParametersConnection();
        return sp == null || sp.getApplicationProtocol() == null ? null : sp.getApplicationProtocol().getUtf8Decoding();
    }
}
