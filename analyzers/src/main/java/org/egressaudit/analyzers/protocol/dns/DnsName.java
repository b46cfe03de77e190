package org.egressaudit.analyzers.protocol.dns;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A domain name as its labels' raw bytes, in the case they were sent (resolvers may randomise case, and data
 * hidden in labels may be case-sensitive). Comparisons that mean "same name" use {@link #lowerText()}.
 */
public final class DnsName {
    public static final DnsName ROOT = new DnsName(List.of());

    private final List<byte[]> labels;

    public DnsName(List<byte[]> labels) {
        List<byte[]> copy = new ArrayList<>(labels.size());
        for (byte[] l : labels) {
            copy.add(l.clone());
        }
        this.labels = List.copyOf(copy);
    }

    /** Builds a name from dotted text (tests, configuration); no escapes are interpreted. */
    public static DnsName of(String dotted) {
        if (dotted.isEmpty() || dotted.equals(".")) {
            return ROOT;
        }
        String s = dotted.endsWith(".") ? dotted.substring(0, dotted.length() - 1) : dotted;
        List<byte[]> l = new ArrayList<>();
        for (String part : s.split("\\.", -1)) {
            l.add(part.getBytes(StandardCharsets.ISO_8859_1));
        }
        return new DnsName(l);
    }

    public int labelCount() {
        return labels.size();
    }

    /** Label {@code i} (0 = leftmost) as ISO-8859-1 text, one char per byte. */
    public String label(int i) {
        return new String(labels.get(i), StandardCharsets.ISO_8859_1);
    }

    public byte[] labelBytes(int i) {
        return labels.get(i).clone();
    }

    /** Octets of the name on the wire without compression: one length byte per label, the labels, the root. */
    public int wireLength() {
        int n = 1;
        for (byte[] l : labels) {
            n += 1 + l.length;
        }
        return n;
    }

    /**
     * The labels joined by '.' exactly as sent, no escaping: what content analysis reads, so that a marker
     * hidden in a label is found byte for byte.
     */
    public byte[] dottedBytes() {
        if (labels.isEmpty()) {
            return new byte[] {'.'};
        }
        int n = labels.size() - 1;
        for (byte[] l : labels) {
            n += l.length;
        }
        byte[] out = new byte[n];
        int p = 0;
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                out[p++] = '.';
            }
            byte[] l = labels.get(i);
            System.arraycopy(l, 0, out, p, l.length);
            p += l.length;
        }
        return out;
    }

    /**
     * Presentation form for reports, as dig prints it: printable ASCII kept, '.' and '\' inside a label
     * escaped, other bytes as \DDD. The root is ".".
     */
    public String text() {
        if (labels.isEmpty()) {
            return ".";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                sb.append('.');
            }
            for (byte b : labels.get(i)) {
                int c = b & 0xff;
                if (c == '.' || c == '\\') {
                    sb.append('\\').append((char) c);
                } else if (c > 0x20 && c < 0x7f) {
                    sb.append((char) c);
                } else {
                    sb.append('\\').append(String.format("%03d", c));
                }
            }
        }
        return sb.toString();
    }

    /** {@link #text()} in ASCII lower case: the key for "same name" (DNS compares names case-insensitively). */
    public String lowerText() {
        return text().toLowerCase(Locale.ROOT);
    }

    /** The last {@code n} labels as a name (n is clamped to the label count). */
    public DnsName suffix(int n) {
        int k = Math.min(n, labels.size());
        return new DnsName(labels.subList(labels.size() - k, labels.size()));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DnsName other) || other.labels.size() != labels.size()) {
            return false;
        }
        for (int i = 0; i < labels.size(); i++) {
            if (!Arrays.equals(labels.get(i), other.labels.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (byte[] l : labels) {
            h = 31 * h + Arrays.hashCode(l);
        }
        return h;
    }

    @Override
    public String toString() {
        return text();
    }
}
