package org.egressaudit.analyzers.protocol.tls;

/** Names of TLS protocol versions and common cipher suites, for reports. */
public final class TlsNames {
    private TlsNames() {
    }

    public static String version(int v) {
        return switch (v) {
            case 0x0300 -> "SSL 3.0";
            case 0x0301 -> "TLS 1.0";
            case 0x0302 -> "TLS 1.1";
            case 0x0303 -> "TLS 1.2";
            case 0x0304 -> "TLS 1.3";
            default -> String.format("0x%04x", v);
        };
    }

    public static String cipher(int c) {
        String name = switch (c) {
            case 0x1301 -> "TLS_AES_128_GCM_SHA256";
            case 0x1302 -> "TLS_AES_256_GCM_SHA384";
            case 0x1303 -> "TLS_CHACHA20_POLY1305_SHA256";
            case 0xc02b -> "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
            case 0xc02c -> "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
            case 0xc02f -> "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
            case 0xc030 -> "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
            case 0xcca8 -> "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
            case 0xcca9 -> "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
            case 0xc013 -> "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA";
            case 0xc014 -> "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA";
            case 0x009c -> "TLS_RSA_WITH_AES_128_GCM_SHA256";
            case 0x009d -> "TLS_RSA_WITH_AES_256_GCM_SHA384";
            case 0x002f -> "TLS_RSA_WITH_AES_128_CBC_SHA";
            case 0x0035 -> "TLS_RSA_WITH_AES_256_CBC_SHA";
            default -> null;
        };
        String hex = String.format("0x%04x", c);
        return name == null ? hex : hex + " " + name;
    }

    /** GREASE values (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa. */
    public static boolean isGrease(int v) {
        return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
    }
}
