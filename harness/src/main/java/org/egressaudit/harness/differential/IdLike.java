package org.egressaudit.harness.differential;

/**
 * Recognises the parts of a request path or DNS name that vary between identical runs (counters, timestamps,
 * hex and base64 identifiers, UUIDs, encoded data) so that requests which differ only in them align as one shape.
 * Over-merging is harmless (one shape's totals are compared across runs); under-merging would turn every random
 * id into a shape of its own.
 */
final class IdLike {
    private IdLike() {
    }

    /** A path segment or query parameter name that is an identifier rather than part of the API's structure. */
    static boolean pathSegment(String s) {
        return s.length() > 64 || numeric(s) || hex(s) || uuid(s) || token(s, 16);
    }

    /** A DNS label that looks random or encoded (DNS is case-insensitive, so letter case carries no signal). */
    static boolean dnsLabel(String s) {
        return s.length() >= 32 || numeric(s) || hex(s) || uuid(s) || token(s, 12);
    }

    /** Digits with separators, at least one digit: counters, timestamps, dates, versions ("1700000000", "1.2.3"). */
    static boolean numeric(String s) {
        boolean digit = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c != '.' && c != '-' && c != '_' && c != ':') {
                return false;
            }
        }
        return digit;
    }

    /**
     * Hex of 8 or more digits. Below 16 characters a digit is required: all-letter hex ("fadedbed") is more often a
     * word than an id, and a random 8-digit hex id has no digit only once in 2,500.
     */
    static boolean hex(String s) {
        if (s.length() < 8) {
            return false;
        }
        boolean digit = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (!((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return digit || s.length() >= 16;
    }

    /** 8-4-4-4-12 hex groups, optionally in braces. */
    static boolean uuid(String s) {
        String u = s.length() == 38 && s.charAt(0) == '{' && s.charAt(37) == '}' ? s.substring(1, 37) : s;
        if (u.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = u.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : Character.digit(c, 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Base64/base32-like: at least {@code minLength} characters of the base64(url) alphabet (plus '.', '~' and '%'
     * of encoded or JWT-style values) whose character class (lower, upper, digit, other) changes often: with a
     * digit at least max(2, length/8) times, without one more than length/3 times (and at least 4). Random base64
     * changes class on about two characters in three; camel-case names ("checkForUpdatesNow", 6 changes in 18)
     * and names of an API ("definitions-v2") stay below.
     */
    static boolean token(String s, int minLength) {
        if (s.length() < minLength) {
            return false;
        }
        int transitions = 0;
        int previous = -1;
        boolean digit = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int cls;
            if (c >= 'a' && c <= 'z') {
                cls = 0;
            } else if (c >= 'A' && c <= 'Z') {
                cls = 1;
            } else if (c >= '0' && c <= '9') {
                cls = 2;
                digit = true;
            } else if (c == '+' || c == '/' || c == '=' || c == '_' || c == '-' || c == '.' || c == '~' || c == '%') {
                cls = 3;
            } else {
                return false;
            }
            if (previous >= 0 && cls != previous) {
                transitions++;
            }
            previous = cls;
        }
        return digit ? transitions >= Math.max(2, s.length() / 8) : transitions >= 4 && transitions * 3 > s.length();
    }
}
