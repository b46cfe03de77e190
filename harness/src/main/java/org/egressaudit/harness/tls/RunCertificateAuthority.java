package org.egressaudit.harness.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificate authority of one run: the sandbox is made to trust it, and every certificate the harness presents
 * to the agent is signed by it. A fresh one per run (EC P-256, valid {@link #VALIDITY}), written to the run folder
 * as {@value #CERTIFICATE_FILE} and {@value #KEY_FILE} (owner-only) so a reviewer can check what the agent was shown;
 * an existing CA is used only when {@link #load} is given its files explicitly.
 */
public final class RunCertificateAuthority {
    public static final String CERTIFICATE_FILE = "tls-ca.pem";
    public static final String KEY_FILE = "tls-ca-key.pem";
    /** Short: the key sits in a run folder; nothing should trust it beyond the run. */
    public static final Duration VALIDITY = Duration.ofDays(7);
    /** Certificates start this long in the past, so a sandbox clock slightly behind the host still accepts them. */
    static final Duration BACKDATE = Duration.ofHours(1);
    static final int MAX_RUN_ID = 64;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final Path certificateFile;

    private RunCertificateAuthority(X509Certificate certificate, PrivateKey key, Path certificateFile) {
        this.certificate = certificate;
        this.key = key;
        this.certificateFile = certificateFile;
    }

    /**
     * Makes a new CA named "egress-audit run &lt;runId&gt; CA" and writes it to {@code dir}.
     *
     * @throws IOException when the files cannot be written, or already exist (a CA is never silently replaced)
     */
    public static RunCertificateAuthority create(String runId, Path dir) throws IOException {
        Objects.requireNonNull(runId, "runId");
        if (runId.isBlank() || runId.length() > MAX_RUN_ID || !runId.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("run id must be 1.." + MAX_RUN_ID + " printable ASCII characters, was '"
                    + runId + "'");
        }
        KeyPair pair = newKeyPair();
        Instant now = Instant.now();
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "egress-audit")
                .addRDN(BCStyle.CN, "egress-audit run " + runId + " CA")
                .build();
        X509Certificate cert;
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(VALIDITY)), name, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(pair.getPublic()));
            cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(pair.getPrivate())));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot make the run CA certificate", e);
        }
        Files.createDirectories(dir);
        Path certFile = dir.resolve(CERTIFICATE_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        for (Path p : new Path[] {certFile, keyFile}) {
            if (Files.exists(p)) {
                throw new FileAlreadyExistsException(p.toString(), null, "a run CA is never replaced");
            }
        }
        writeOwnerOnly(keyFile, Pem.privateKey(pair.getPrivate()));
        Files.writeString(certFile, Pem.certificate(cert), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
        return new RunCertificateAuthority(cert, pair.getPrivate(), certFile);
    }

    /**
     * Uses an existing CA (certificate and unencrypted private key, PEM). It must be a CA certificate, currently
     * valid, and the key must be its key.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static RunCertificateAuthority load(Path certificatePem, Path keyPem) throws IOException {
        X509Certificate cert = Pem.readCertificate(certificatePem);
        PrivateKey key = Pem.readPrivateKey(keyPem);
        if (cert.getBasicConstraints() < 0) {
            throw new IOException(certificatePem + ": not a CA certificate (basicConstraints CA:TRUE missing)");
        }
        boolean[] usage = cert.getKeyUsage();
        if (usage != null && !usage[5]) {
            throw new IOException(certificatePem + ": key usage does not allow signing certificates (keyCertSign)");
        }
        try {
            cert.checkValidity();
        } catch (GeneralSecurityException e) {
            throw new IOException(certificatePem + ": not valid now (valid " + cert.getNotBefore() + " to "
                    + cert.getNotAfter() + ")", e);
        }
        if (!keyMatches(cert, key)) {
            throw new IOException(keyPem + ": is not the private key of " + certificatePem);
        }
        return new RunCertificateAuthority(cert, key, certificatePem.toAbsolutePath());
    }

    public X509Certificate certificate() {
        return certificate;
    }

    PrivateKey privateKey() {
        return key;
    }

    /** The PEM file of the certificate (what the sandbox is told to trust). */
    public Path certificateFile() {
        return certificateFile;
    }

    public String certificatePem() {
        return Pem.certificate(certificate);
    }

    /** Subject distinguished name, RFC 2253. */
    public String subject() {
        return certificate.getSubjectX500Principal().getName();
    }

    /** Lower-case hex SHA-256 of the certificate's DER. */
    public String sha256() {
        return sha256(certificate);
    }

    static String sha256(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot hash a certificate", e);
        }
    }

    /** "SHA256withECDSA" or "SHA256withRSA", by the key that signs. */
    static ContentSigner signer(PrivateKey key) {
        String alg = switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> throw new IllegalArgumentException("CA keys must be EC or RSA, not " + key.getAlgorithm());
        };
        try {
            return new JcaContentSignerBuilder(alg).build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign with " + alg, e);
        }
    }

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make EC P-256 keys", e);
        }
    }

    /** A positive random serial of 127 bits (RFC 5280: at most 20 octets, unpredictable). */
    static BigInteger serial() {
        return new BigInteger(127, RANDOM).setBit(126);
    }

    private static boolean keyMatches(X509Certificate cert, PrivateKey key) {
        try {
            String alg = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            byte[] probe = "egress-audit CA key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static void writeOwnerOnly(Path file, String text) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
