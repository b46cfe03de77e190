package org.egressaudit.analyzers.protocol.tls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a ClientHello offered. Lists keep GREASE values as sent; {@link #ja3()} removes them.
 *
 * @param legacyVersion     the client_version field (0x0303 for TLS 1.2 and 1.3 clients)
 * @param supportedVersions versions of the supported_versions extension, empty without it
 * @param sni               the first host_name of server_name, or null
 * @param sniBytes          that name's bytes as sent, or null
 * @param error             why parsing stopped, or null when the whole message was understood
 */
public record TlsClientHello(int legacyVersion, List<Integer> supportedVersions, String sni, byte[] sniBytes,
                             List<String> alpn, List<Integer> cipherSuites, List<Integer> extensions,
                             List<Integer> groups, List<Integer> pointFormats, int messageLength, String error) {

    public TlsClientHello {
        supportedVersions = List.copyOf(supportedVersions);
        alpn = List.copyOf(alpn);
        cipherSuites = List.copyOf(cipherSuites);
        extensions = List.copyOf(extensions);
        groups = List.copyOf(groups);
        pointFormats = List.copyOf(pointFormats);
    }

    public boolean ok() {
        return error == null;
    }

    /** Highest non-GREASE version offered (supported_versions, else the legacy field). */
    public int maxOfferedVersion() {
        int max = -1;
        for (int v : supportedVersions) {
            if (!TlsNames.isGrease(v)) {
                max = Math.max(max, v);
            }
        }
        return max < 0 ? legacyVersion : max;
    }

    /**
     * JA3 string (Salesforce): SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats, values in
     * decimal joined by '-', GREASE values removed, empty fields left empty.
     */
    public String ja3() {
        return legacyVersion + "," + join(cipherSuites, true) + "," + join(extensions, true) + ","
                + join(groups, true) + "," + join(pointFormats, false);
    }

    /** MD5 of {@link #ja3()}, lower-case hex. */
    public String ja3Hash() {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md5.digest(ja3().getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java platform", e);
        }
    }

    private static String join(List<Integer> values, boolean dropGrease) {
        return values.stream().filter(v -> !dropGrease || !TlsNames.isGrease(v)).map(String::valueOf)
                .collect(Collectors.joining("-"));
    }
}
