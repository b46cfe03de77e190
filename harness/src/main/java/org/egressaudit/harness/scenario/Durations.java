package org.egressaudit.harness.scenario;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict durations as scenarios write them: one or more of {@code h}, {@code m}, {@code s}, {@code ms} in that
 * order, whole numbers only: {@code 500ms}, {@code 2s}, {@code 90s}, {@code 1m30s}, {@code 1h}. No bare numbers
 * (is '30' seconds or milliseconds?), no fractions, no negatives, nothing above {@link #MAX}.
 */
public final class Durations {
    /** No scenario observes for longer; a larger value is a typo (e.g. '30000s' for '30s'). */
    public static final Duration MAX = Duration.ofHours(24);

    private static final Pattern FORM = Pattern.compile("(?:(\\d{1,6})h)?(?:(\\d{1,6})m)?(?:(\\d{1,6})s)?(?:(\\d{1,9})ms)?");

    private Durations() {
    }

    /**
     * Parses a duration string.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text);
        if (text.isEmpty() || !m.matches()) {
            throw new IllegalArgumentException("'" + YamlNode.abbreviate(text)
                    + "' is not a duration (write whole numbers with units h, m, s, ms in that order, e.g. 500ms, 2s, 1m30s)");
        }
        Duration d = Duration.ZERO;
        if (m.group(1) != null) {
            d = d.plusHours(Long.parseLong(m.group(1)));
        }
        if (m.group(2) != null) {
            d = d.plusMinutes(Long.parseLong(m.group(2)));
        }
        if (m.group(3) != null) {
            d = d.plusSeconds(Long.parseLong(m.group(3)));
        }
        if (m.group(4) != null) {
            d = d.plusMillis(Long.parseLong(m.group(4)));
        }
        if (d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'" + text + "' is longer than the maximum of " + format(MAX));
        }
        return d;
    }

    /** The shortest string {@link #parse} reads back as {@code d} (millisecond precision), e.g. {@code 1m30s}. */
    public static String format(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative duration " + d);
        }
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        StringBuilder b = new StringBuilder();
        long h = ms / 3_600_000;
        long min = ms / 60_000 % 60;
        long s = ms / 1000 % 60;
        long rest = ms % 1000;
        if (h > 0) {
            b.append(h).append('h');
        }
        if (min > 0) {
            b.append(min).append('m');
        }
        if (s > 0) {
            b.append(s).append('s');
        }
        if (rest > 0) {
            b.append(rest).append("ms");
        }
        return b.toString();
    }
}
