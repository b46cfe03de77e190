package org.egressaudit.harness.network;

import java.util.ArrayList;
import java.util.List;

/** The first {@code capacity} lines of a log fed by a guest, and a count of the lines beyond. Thread-safe. */
final class BoundedLog {
    private final int capacity;
    private final List<String> lines = new ArrayList<>();
    private long dropped;

    BoundedLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
    }

    synchronized void add(String line) {
        if (lines.size() < capacity) {
            lines.add(line);
        } else {
            dropped++;
        }
    }

    /** The kept lines, plus a last line saying how many were not kept, if any. */
    synchronized List<String> snapshot() {
        List<String> copy = new ArrayList<>(lines);
        if (dropped > 0) {
            copy.add("... " + dropped + " more events not kept");
        }
        return copy;
    }
}
