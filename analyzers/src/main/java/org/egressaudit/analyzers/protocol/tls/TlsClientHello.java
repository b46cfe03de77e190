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
                             List<Integer> groups, List<Integer> pointFormats, List<Integer> signatureAlgorithms,
                             int messageLength, String error) {

    public TlsClientHello {
        supportedVersions = List.copyOf(supportedVersions);
        alpn = List.copyOf(alpn);
        cipherSuites = List.copyOf(cipherSuites);
        extensions = List.copyOf(extensions);
        groups = List.copyOf(groups);
        pointFormats = List.copyOf(pointFormats);
        signatureAlgorithms = List.copyOf(signatureAlgorithms);
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

    /**
     * JA4 (FoxIO, TLS over TCP): {@code t<version><d|i><ciphers><extensions><alpn>_<sha256(sorted ciphers)>_
     * <sha256(sorted extensions without SNI and ALPN, then '_' and the signature algorithms in order)>}, hashes cut to
     * 12 hex digits, GREASE ignored everywhere, counts capped at 99.
     */
    public String ja4() {
        List<Integer> ciphers = cipherSuites.stream().filter(v -> !TlsNames.isGrease(v)).toList();
        List<Integer> exts = extensions.stream().filter(v -> !TlsNames.isGrease(v)).toList();
        String version = switch (maxOfferedVersion()) {
            case 0x0304 -> "13";
            case 0x0303 -> "12";
            case 0x0302 -> "11";
            case 0x0301 -> "10";
            case 0x0300 -> "s3";
            default -> "00";
        };
        String firstAlpn = alpn.isEmpty() ? "" : alpn.get(0);
        String alpnCode = firstAlpn.isEmpty() ? "00" : alpnChars(firstAlpn);
        String a = "t" + version + (sni != null ? "d" : "i") + String.format("%02d", Math.min(99, ciphers.size()))
                + String.format("%02d", Math.min(99, exts.size())) + alpnCode;
        String b = ciphers.isEmpty() ? "000000000000" : sha12(hexSorted(ciphers));
        List<Integer> extsForHash = exts.stream().filter(v -> v != 0x0000 && v != 0x0010).toList();
        String sigs = signatureAlgorithms.stream().filter(v -> !TlsNames.isGrease(v)).map(v -> String.format("%04x", v))
                .collect(Collectors.joining(","));
        String cInput = hexSorted(extsForHash) + (sigs.isEmpty() ? "" : "_" + sigs);
        String c = extsForHash.isEmpty() ? "000000000000" : sha12(cInput);
        return a + "_" + b + "_" + c;
    }

    private static String alpnChars(String alpnValue) {
        char first = alpnValue.charAt(0);
        char last = alpnValue.charAt(alpnValue.length() - 1);
        if (isAlnum(first) && isAlnum(last)) {
            return "" + first + last;
        }
        // Non-alphanumeric ALPN: first and last hex digits of the value's bytes, as the spec says.
        String hex = HexFormat.of().formatHex(alpnValue.getBytes(StandardCharsets.ISO_8859_1));
        return "" + hex.charAt(0) + hex.charAt(hex.length() - 1);
    }

    private static boolean isAlnum(char c) {
        return c < 0x80 && Character.isLetterOrDigit(c);
    }

    private static String hexSorted(List<Integer> values) {
        return values.stream().sorted().map(v -> String.format("%04x", v)).collect(Collectors.joining(","));
    }

    private static String sha12(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(d).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private static String join(List<Integer> values, boolean dropGrease) {
        return values.stream().filter(v -> !dropGrease || !TlsNames.isGrease(v)).map(String::valueOf)
                .collect(Collectors.joining("-"));
    }
}
