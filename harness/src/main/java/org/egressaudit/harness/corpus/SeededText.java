package org.egressaudit.harness.corpus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Deterministic randomness and prose. Each file draws from its own stream, derived from the seed and a label, so
 * adding a file to a recipe never changes the bytes of the others. {@link Random} is used because its sequence is
 * fixed by the Java specification: the same seed gives the same corpus on every JVM.
 */
final class SeededText {
    private static final String[] WORDS = ("analysis budget carrier delta embassy facility gateway harbor inventory "
            + "junction keystone liaison mission network operation payload quarterly reserve satellite transfer uplink "
            + "vector warehouse yield zone asset bulletin channel directive estimate forward grid handler index "
            + "logistics relay station courier signal archive protocol sensor contract schedule review").split(" ");
    private static final String[] FIRST = ("Alice Bruno Carmen Dmitri Elena Farid Greta Hiro Ines Jonas Keiko Liam "
            + "Maya Nikos Olga Pavel Quinn Rosa Sven Tariq Uma Viktor Wanda Yusuf Zora").split(" ");
    private static final String[] LAST = ("Anders Becker Costa Duarte Eriksen Fischer Garcia Horvat Ivanova Jensen "
            + "Kowalski Larsen Moreau Novak Okafor Petrov Quist Rossi Schmidt Tanaka Ueda Varga Weber Yilmaz Zeller")
            .split(" ");

    private SeededText() {
    }

    /** A random stream for one labelled part of the corpus. */
    static Random stream(long seed, String label) {
        byte[] h = sha256((seed + "/" + label).getBytes(StandardCharsets.UTF_8));
        long s = 0;
        for (int i = 0; i < 8; i++) {
            s = s << 8 | (h[i] & 0xff);
        }
        return new Random(s);
    }

    /** A canary token unique to the seed and label: CANARY- and 24 hex digits. */
    static String canary(long seed, String label) {
        return "CANARY-" + HexFormat.of().formatHex(sha256((seed + "/canary/" + label)
                .getBytes(StandardCharsets.UTF_8)), 0, 12);
    }

    /** Paragraphs of words with no commas or semicolons (so prose never looks like CSV or code). */
    static List<String> paragraphs(Random r, int count, int words) {
        List<String> out = new ArrayList<>(count);
        for (int p = 0; p < count; p++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < words; w++) {
                String word = WORDS[r.nextInt(WORDS.length)];
                boolean sentenceStart = w == 0 || r.nextInt(9) == 0;
                if (sentenceStart) {
                    word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
                }
                sb.append(w == 0 ? "" : sentenceStart ? ". " : " ").append(word);
            }
            out.add(sb.append('.').toString());
        }
        return out;
    }

    static String firstName(Random r) {
        return FIRST[r.nextInt(FIRST.length)];
    }

    static String lastName(Random r) {
        return LAST[r.nextInt(LAST.length)];
    }

    static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
