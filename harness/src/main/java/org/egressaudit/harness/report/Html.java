package org.egressaudit.harness.report;

/** HTML escaping for text and attribute values: everything from a report is agent-controlled and escaped. */
final class Html {
    private Html() {
    }

    /** Escapes for element content and quoted attribute values; control characters become visible escapes. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                case '`' -> b.append("&#96;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t' || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else if (Character.isSurrogate(c) && !validSurrogate(s, i)) {
                        b.append('\ufffd');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /** An id or class token built from report values: only [A-Za-z0-9-] survive. */
    static String token(String s) {
        return s == null ? "" : s.replaceAll("[^A-Za-z0-9-]", "_");
    }
}
