package org.egressaudit.harness.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/** PEM text of certificates and PKCS#8 private keys, and reading them back (with errors naming the file). */
final class Pem {
    /** Larger PEM files than this are not a CA certificate or key: refuse instead of reading them. */
    static final long MAX_FILE = 1 << 20;

    private Pem() {
    }

    static String certificate(X509Certificate c) {
        return write(c);
    }

    static String privateKey(PrivateKey k) {
        return write(new PemObject("PRIVATE KEY", k.getEncoded()));
    }

    private static String write(Object o) {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write PEM to memory", e);
        }
        return s.toString();
    }

    /** The first certificate in a PEM file. */
    static X509Certificate readCertificate(Path file) throws IOException {
        Object o = readFirst(file, X509CertificateHolder.class, "a certificate (BEGIN CERTIFICATE)");
        try {
            return new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) o);
        } catch (CertificateException e) {
            throw new IOException(file + ": the certificate cannot be decoded: " + e.getMessage(), e);
        }
    }

    /** The first private key in a PEM file: PKCS#8 (BEGIN PRIVATE KEY) or traditional (BEGIN EC/RSA PRIVATE KEY). */
    static PrivateKey readPrivateKey(Path file) throws IOException {
        Object o = readFirst(file, Object.class, "an unencrypted private key (BEGIN PRIVATE KEY)");
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
        if (o instanceof PrivateKeyInfo info) {
            return conv.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
            return conv.getKeyPair(pair).getPrivate();
        }
        throw new IOException(file + ": holds no unencrypted private key (found "
                + o.getClass().getSimpleName() + "); give the CA key as PEM 'BEGIN PRIVATE KEY'");
    }

    private static Object readFirst(Path file, Class<?> type, String what) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file (expected " + what + ")");
        }
        if (Files.size(file) > MAX_FILE) {
            throw new IOException(file + ": larger than " + MAX_FILE + " bytes, not " + what);
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser p = new PEMParser(r)) {
            Object o;
            while ((o = p.readObject()) != null) {
                if (type.isInstance(o) && (type != Object.class || o instanceof PrivateKeyInfo
                        || o instanceof PEMKeyPair)) {
                    return o;
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not readable PEM (" + e.getMessage() + ")", e);
        }
        throw new IOException(file + ": contains no " + what);
    }
}
