package org.egressaudit.harness.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCertificateAuthorityTest {

    @Test
    void createWritesAFreshCaToTheRunFolder(@TempDir Path dir) throws Exception {
        RunCertificateAuthority ca = RunCertificateAuthority.create("ea1234-120000", dir);
        X509Certificate c = ca.certificate();
        assertEquals("CN=egress-audit run ea1234-120000 CA,O=egress-audit", ca.subject());
        assertEquals(0, c.getBasicConstraints(), "a CA that may sign leaves only");
        assertTrue(c.getKeyUsage()[5], "keyCertSign");
        assertEquals("EC", c.getPublicKey().getAlgorithm());
        long days = (c.getNotAfter().getTime() - System.currentTimeMillis()) / 86_400_000L;
        assertTrue(days >= 6 && days <= 7, "short validity, was " + days + " days");
        Path cert = dir.resolve(RunCertificateAuthority.CERTIFICATE_FILE);
        Path key = dir.resolve(RunCertificateAuthority.KEY_FILE);
        assertEquals(cert, ca.certificateFile());
        assertEquals(ca.certificatePem(), Files.readString(cert));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"));

        RunCertificateAuthority again = RunCertificateAuthority.load(cert, key);
        assertEquals(ca.certificate(), again.certificate());
        assertEquals(ca.sha256(), again.sha256());
    }

    @Test
    void everyRunGetsItsOwnCaAndNeverOverwritesOne(@TempDir Path dir) throws Exception {
        RunCertificateAuthority a = RunCertificateAuthority.create("run-a", dir.resolve("a"));
        RunCertificateAuthority b = RunCertificateAuthority.create("run-b", dir.resolve("b"));
        assertNotEquals(a.certificate().getPublicKey(), b.certificate().getPublicKey());
        assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> RunCertificateAuthority.create("run-c", dir.resolve("a")));
        assertEquals(a.certificatePem(), Files.readString(dir.resolve("a").resolve("tls-ca.pem")));
    }

    @Test
    void loadRejectsAKeyOfAnotherCaAndALeafAndMissingFiles(@TempDir Path dir) throws Exception {
        RunCertificateAuthority a = RunCertificateAuthority.create("run-a", dir.resolve("a"));
        RunCertificateAuthority.create("run-b", dir.resolve("b"));
        IOException wrongKey = assertThrows(IOException.class, () -> RunCertificateAuthority.load(
                dir.resolve("a/tls-ca.pem"), dir.resolve("b/tls-ca-key.pem")));
        assertTrue(wrongKey.getMessage().contains("is not the private key of"), wrongKey.getMessage());

        LeafCertificates.Leaf leaf = new LeafCertificates(a).forServerName("upload.vendor.example");
        Path leafPem = dir.resolve("leaf.pem");
        Files.writeString(leafPem, Pem.certificate(leaf.certificate()));
        Path leafKey = dir.resolve("leaf-key.pem");
        Files.writeString(leafKey, Pem.privateKey(leaf.key()));
        IOException notCa = assertThrows(IOException.class, () -> RunCertificateAuthority.load(leafPem, leafKey));
        assertTrue(notCa.getMessage().contains("not a CA certificate"), notCa.getMessage());

        IOException missing = assertThrows(IOException.class, () -> RunCertificateAuthority.load(
                dir.resolve("nope.pem"), dir.resolve("a/tls-ca-key.pem")));
        assertTrue(missing.getMessage().contains("nope.pem: no such file"), missing.getMessage());
        Files.writeString(dir.resolve("junk.pem"), "hello");
        IOException junk = assertThrows(IOException.class, () -> RunCertificateAuthority.load(
                dir.resolve("junk.pem"), dir.resolve("a/tls-ca-key.pem")));
        assertTrue(junk.getMessage().contains("contains no a certificate") || junk.getMessage().contains("junk.pem"),
                junk.getMessage());
    }

    @Test
    void runIdIsChecked(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> RunCertificateAuthority.create(" ", dir));
        assertThrows(IllegalArgumentException.class, () -> RunCertificateAuthority.create("a\nb", dir));
    }

    @Test
    void leafForAServerNameChainsToTheCaWithSanAndServerAuth(@TempDir Path dir) throws Exception {
        RunCertificateAuthority ca = RunCertificateAuthority.create("leaf-test", dir);
        LeafCertificates leaves = new LeafCertificates(ca);
        LeafCertificates.Leaf leaf = leaves.forServerName("Upload.Vendor.Example");
        X509Certificate c = leaf.certificate();
        validate(leaf.chain(), ca.certificate());
        assertEquals("upload.vendor.example", leaf.name());
        assertEquals(List.of(List.of(2, "upload.vendor.example")), sans(c));
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), c.getExtendedKeyUsage());
        assertEquals(-1, c.getBasicConstraints(), "not a CA");
        assertTrue(c.getKeyUsage()[0], "digitalSignature");
        assertFalse(c.getNotBefore().before(ca.certificate().getNotBefore()));
        assertFalse(c.getNotAfter().after(ca.certificate().getNotAfter()));
        assertEquals(List.of(c, ca.certificate()), leaf.chain());
        assertSame(leaf, leaves.forServerName("upload.vendor.example."), "cached per name");
        assertEquals(64, leaf.sha256().length());
    }

    @Test
    void leafForAnAddressHasAnIpSan(@TempDir Path dir) throws Exception {
        RunCertificateAuthority ca = RunCertificateAuthority.create("ip-test", dir);
        LeafCertificates.Leaf leaf = new LeafCertificates(ca).forAddress(InetAddress.getByName("203.0.113.7"));
        validate(leaf.chain(), ca.certificate());
        assertEquals(List.of(List.of(7, "203.0.113.7")), sans(leaf.certificate()));
    }

    @Test
    void aLeafDoesNotValidateAgainstAnotherRunsCa(@TempDir Path dir) throws Exception {
        RunCertificateAuthority a = RunCertificateAuthority.create("run-a", dir.resolve("a"));
        RunCertificateAuthority b = RunCertificateAuthority.create("run-b", dir.resolve("b"));
        LeafCertificates.Leaf leaf = new LeafCertificates(a).forServerName("upload.vendor.example");
        assertThrows(CertPathValidatorException.class, () -> validate(List.of(leaf.certificate()), b.certificate()));
    }

    @Test
    void namesACertificateCannotCarryAreRejectedAndTheCacheIsBounded(@TempDir Path dir) throws Exception {
        LeafCertificates leaves = new LeafCertificates(RunCertificateAuthority.create("bad-names", dir), 2);
        for (String bad : new String[] {"", "a b.example", "x".repeat(64) + ".example", "ünïcode.example",
                "evil.example/path", "-lead.example"}) {
            assertThrows(IllegalArgumentException.class, () -> leaves.forServerName(bad), bad);
        }
        assertTrue(LeafCertificates.isValidServerName("_dmarc.vendor.example"));
        leaves.forServerName("a.example");
        leaves.forServerName("b.example");
        leaves.forServerName("c.example");
        assertEquals(2, leaves.cached());
    }

    static void validate(List<X509Certificate> chain, X509Certificate anchor) throws Exception {
        // the path excludes the anchor itself, as PKIX expects
        List<X509Certificate> path = chain.stream().filter(c -> !c.equals(anchor)).toList();
        PKIXParameters p = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        p.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), p);
    }

    private static List<List<?>> sans(X509Certificate c) throws Exception {
        return List.copyOf(c.getSubjectAlternativeNames().stream().map(l -> (List<?>) List.copyOf(l)).toList());
    }
}
