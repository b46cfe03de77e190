package org.egressaudit.analyzers.protocol;

import java.util.Locale;

/** HTTP authority values (Host headers, :authority pseudo-headers, absolute-form targets). */
public final class Authority {
    private Authority() {
    }

    /**
     * The host of a Host header value or an authority ({@code user@host:port}, {@code [v6]:port}), lowercased and
     * without user, port or brackets; null when empty.
     */
    public static String hostWithoutPort(String authority) {
        if (authority == null) {
            return null;
        }
        String a = authority.trim();
        int at = a.lastIndexOf('@');
        if (at >= 0) {
            a = a.substring(at + 1);
        }
        String host;
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            host = close > 0 ? a.substring(1, close) : a.substring(1);
        } else {
            int colon = a.indexOf(':');
            host = colon >= 0 && colon == a.lastIndexOf(':') ? a.substring(0, colon) : a;
        }
        host = host.trim().toLowerCase(Locale.ROOT);
        return host.isEmpty() ? null : host;
    }
}
