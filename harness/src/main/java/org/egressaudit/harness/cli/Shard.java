package org.egressaudit.harness.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * One share of a suite for {@code run --shard K/N}: scenario i (0-based, in suite order) belongs to share
 * {@code i mod N + 1}. Deterministic, so N CI machines with K = 1..N together run every scenario exactly once.
 */
record Shard(int index, int count) {

    Shard {
        if (count < 1 || count > 1000 || index < 1 || index > count) {
            throw new IllegalArgumentException("must be K/N with 1 <= K <= N <= 1000, got " + index + "/" + count);
        }
    }

    static Shard parse(String text) {
        String[] p = text.trim().split("/", -1);
        if (p.length != 2) {
            throw new IllegalArgumentException("must be K/N, e.g. 2/4, got '" + text + "'");
        }
        try {
            return new Shard(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be K/N with whole numbers, got '" + text + "'");
        }
    }

    <T> List<T> select(List<T> all) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (i % count == index - 1) {
                out.add(all.get(i));
            }
        }
        return out;
    }
}
