package org.egressaudit.analyzers.detect;

import java.util.ArrayList;
import java.util.List;

/**
 * Test-only detector registered through src/test/resources/META-INF/services: US social-security-number-shaped
 * strings ({@code ddd-dd-dddd} not inside a longer run of digits), reported as marker {@value #MARKER}. A single
 * linear pass, no regular expression, as the {@link ContentDetector} contract asks.
 */
public final class SsnDetector implements ContentDetector {
    public static final String MARKER = "pii:ssn";
    /** Shape of a match: d = digit, '-' = itself. */
    private static final String SHAPE = "ddd-dd-dddd";

    @Override
    public String name() {
        return "ssn";
    }

    @Override
    public List<Match> detect(byte[] data, int off, int len, DetectContext ctx) {
        List<Match> out = new ArrayList<>();
        int n = SHAPE.length();
        for (int i = 0; i + n <= len; i++) {
            if (i > 0 && isDigit(data[off + i - 1])) {
                continue;
            }
            if (fits(data, off + i) && (i + n == len || !isDigit(data[off + i + n]))) {
                out.add(ContentDetector.marker(MARKER, i, n));
                i += n - 1;
            }
        }
        return out;
    }

    private static boolean fits(byte[] data, int at) {
        for (int k = 0; k < SHAPE.length(); k++) {
            byte b = data[at + k];
            if (SHAPE.charAt(k) == 'd' ? !isDigit(b) : b != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
