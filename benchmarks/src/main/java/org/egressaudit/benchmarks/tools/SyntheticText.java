package org.egressaudit.benchmarks.tools;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Deterministic prose-like and log-like text: words drawn from a seeded pseudo vocabulary with a Zipf-like
 * skew, so that it compresses and has byte entropy like real documents (about 4 bits/byte), without shipping
 * any real text.
 */
public final class SyntheticText {
    private static final String[] SYLLABLES = {"ka", "ro", "te", "mi", "lun", "dar", "pe", "so", "vi", "an", "tor",
            "el", "ma", "qui", "ber", "stu", "no", "ga", "fi", "ren", "cho", "ly", "pra", "wen", "ix", "ost", "ul",
            "hae", "bri", "tem"};
    private final String[] words;
    private final SplittableRandom random;

    public SyntheticText(long seed) {
        random = new SplittableRandom(seed);
        words = new String[4096];
        for (int i = 0; i < words.length; i++) {
            int n = 1 + random.nextInt(4);
            StringBuilder w = new StringBuilder();
            for (int j = 0; j < n; j++) {
                w.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
            }
            words[i] = w.toString();
        }
    }

    private String word() {
        // Skewed towards the first words, as in natural language.
        double u = random.nextDouble();
        return words[(int) (words.length * u * u * u)];
    }

    /** Prose in paragraphs, about {@code size} bytes (exactly {@code size}). */
    public byte[] prose(int size) {
        StringBuilder sb = new StringBuilder(size + 64);
        while (sb.length() < size) {
            int sentence = 6 + random.nextInt(18);
            String first = word();
            sb.append(Character.toUpperCase(first.charAt(0))).append(first, 1, first.length());
            for (int i = 1; i < sentence; i++) {
                sb.append(random.nextInt(12) == 0 ? ", " : " ").append(word());
                if (random.nextInt(40) == 0) {
                    sb.append(' ').append(random.nextInt(100_000));
                }
            }
            sb.append(random.nextInt(8) == 0 ? ".\n\n" : ". ");
        }
        sb.setLength(size);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Agent-style log lines, exactly {@code size} bytes. */
    public byte[] log(int size) {
        StringBuilder sb = new StringBuilder(size + 256);
        long t = 1_700_000_000_000L + random.nextInt(1_000_000);
        String[] levels = {"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"};
        while (sb.length() < size) {
            t += random.nextInt(5000);
            sb.append(t).append(' ').append(levels[random.nextInt(levels.length)]).append(" [")
                    .append(word()).append("] scan path=C:\\Users\\").append(word()).append("\\AppData\\")
                    .append(word()).append(".dll verdict=").append(random.nextInt(10) == 0 ? "suspicious" : "clean")
                    .append(" sha256=");
            for (int i = 0; i < 4; i++) {
                sb.append(Long.toHexString(random.nextLong() | Long.MIN_VALUE));
            }
            sb.append(" msg=\"").append(word()).append(' ').append(word()).append(' ').append(word()).append("\"\n");
        }
        sb.setLength(size);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** CSV rows, exactly {@code size} bytes. */
    public byte[] csv(int size) {
        StringBuilder sb = new StringBuilder(size + 128).append("id,name,department,amount,date,notes\n");
        int id = 1;
        while (sb.length() < size) {
            sb.append(id++).append(',').append(word()).append(' ').append(word()).append(',').append(word())
                    .append(',').append(random.nextInt(1_000_000) / 100.0).append(",2024-")
                    .append(1 + random.nextInt(12)).append('-').append(1 + random.nextInt(28)).append(',')
                    .append(word()).append(' ').append(word()).append('\n');
        }
        sb.setLength(size);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    public String name() {
        return word();
    }
}
