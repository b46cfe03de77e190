package org.egressaudit.harness.tls;

import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/**
 * Server certificates for the names the agent dials, signed by the run CA: one per SNI name, or per original
 * destination address when the client sent no SNI (an IP SAN then). EC P-256, SAN + serverAuth, valid exactly as
 * long as the CA. Minted on first use and cached; the cache is bounded because the agent chooses the names.
 */
public final class LeafCertificates {
    /** Names kept before the least recently used is forgotten (and minted again if it comes back). */
    public static final int DEFAULT_MAX_CACHED = 4096;
    /** A DNS name as it may appear in a dNSName SAN (underscores are tolerated: real agents use them). */
    private static final Pattern HOST = Pattern.compile(
            "(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\\.?");

    /** A minted certificate, its key and the chain presented (leaf first, then the run CA). */
    public record Leaf(String name, X509Certificate certificate, PrivateKey key, List<X509Certificate> chain) {
        public Leaf {
            chain = List.copyOf(chain);
        }

        /** Subject distinguished name, RFC 2253. */
        public String subject() {
            return certificate.getSubjectX500Principal().getName();
        }

        /** Lower-case hex SHA-256 of the leaf certificate's DER. */
        public String sha256() {
            return RunCertificateAuthority.sha256(certificate);
        }
    }

    private final RunCertificateAuthority ca;
    private final Map<String, Leaf> cache;

    public LeafCertificates(RunCertificateAuthority ca) {
        this(ca, DEFAULT_MAX_CACHED);
    }

    public LeafCertificates(RunCertificateAuthority ca, int maxCached) {
        this.ca = Objects.requireNonNull(ca, "ca");
        if (maxCached < 1) {
            throw new IllegalArgumentException("maxCached must be at least 1, was " + maxCached);
        }
        this.cache = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Leaf> eldest) {
                return size() > maxCached;
            }
        };
    }

    /** True when {@code name} can be a dNSName SAN (what {@link #forServerName} accepts). */
    public static boolean isValidServerName(String name) {
        return name != null && HOST.matcher(name.toLowerCase(Locale.ROOT)).matches();
    }

    /**
     * The certificate for an SNI host name.
     *
     * @throws IllegalArgumentException when the name cannot be a DNS name in a certificate
     */
    public Leaf forServerName(String serverName) {
        if (!isValidServerName(serverName)) {
            throw new IllegalArgumentException("not a DNS host name a certificate can name: '" + serverName + "'");
        }
        String name = serverName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return cached(name, new GeneralName(GeneralName.dNSName, name));
    }

    /** The certificate for a client that sent no SNI: names the address it dialled. */
    public Leaf forAddress(InetAddress address) {
        String name = address.getHostAddress();
        return cached(name, new GeneralName(GeneralName.iPAddress, name));
    }

    /** Certificates minted and still cached. */
    public synchronized int cached() {
        return cache.size();
    }

    private Leaf cached(String name, GeneralName san) {
        synchronized (this) {
            Leaf l = cache.get(name);
            if (l != null) {
                return l;
            }
        }
        Leaf minted = mint(name, san); // outside the lock: two racing mints of one name are harmless
        synchronized (this) {
            return cache.computeIfAbsent(name, n -> minted);
        }
    }

    private Leaf mint(String name, GeneralName san) {
        KeyPair pair = RunCertificateAuthority.newKeyPair();
        X509Certificate caCert = ca.certificate();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "egress-audit interception")
                .addRDN(BCStyle.CN, name)
                .build();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, RunCertificateAuthority.serial(),
                    caCert.getNotBefore(), caCert.getNotAfter(), subject, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(caCert));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(RunCertificateAuthority.signer(ca.privateKey())));
            return new Leaf(name, cert, pair.getPrivate(), List.of(cert, caCert));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot mint a certificate for " + name, e);
        }
    }
}
