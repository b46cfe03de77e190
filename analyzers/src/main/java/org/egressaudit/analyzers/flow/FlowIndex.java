package org.egressaudit.analyzers.flow;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Open-addressing hash table (linear probing, backward-shift deletion) of flows by canonical key. Lookups
 * compare the packet's longs and ports directly, so finding an existing flow allocates nothing. The hash is
 * seeded per table so that crafted addresses and ports cannot aim at one probe chain across runs.
 */
final class FlowIndex {
    private static final int INITIAL_CAPACITY = 1024;

    private final long seed = ThreadLocalRandom.current().nextLong();
    private Flow[] slots = new Flow[INITIAL_CAPACITY];
    private int size;

    int size() {
        return size;
    }

    int hash(int ipVersion, int protocol, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
        long h = seed;
        h = mix(h ^ aHi);
        h = mix(h ^ aLo);
        h = mix(h ^ bHi);
        h = mix(h ^ bLo);
        h = mix(h ^ (((long) aPort << 32) | ((long) bPort << 8) | ((long) protocol << 3) | ipVersion));
        return (int) (h ^ (h >>> 32));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    Flow find(int hash, int ipVersion, int protocol, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
        int mask = slots.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            Flow f = slots[i];
            if (f == null) {
                return null;
            }
            if (f.hash == hash && f.sameKey(ipVersion, protocol, aHi, aLo, aPort, bHi, bLo, bPort)) {
                return f;
            }
        }
    }

    /** Adds a flow whose key is not in the table. */
    void insert(Flow f) {
        if ((size + 1) * 2L > slots.length) {
            resize(slots.length * 2);
        }
        place(slots, f);
        size++;
    }

    /** Puts {@code replacement} (same key) where {@code old} was. */
    void replace(Flow old, Flow replacement) {
        slots[slotOf(old)] = replacement;
    }

    void remove(Flow f) {
        int mask = slots.length - 1;
        int hole = slotOf(f);
        slots[hole] = null;
        size--;
        // Backward shift: move later members of the probe chain into the hole when their home allows it.
        for (int j = (hole + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            int home = slots[j].hash & mask;
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                slots[hole] = slots[j];
                slots[j] = null;
                hole = j;
            }
        }
    }

    private int slotOf(Flow f) {
        int mask = slots.length - 1;
        for (int i = f.hash & mask; ; i = (i + 1) & mask) {
            if (slots[i] == f) {
                return i;
            }
            if (slots[i] == null) {
                throw new IllegalStateException("flow not in index");
            }
        }
    }

    private static void place(Flow[] table, Flow f) {
        int mask = table.length - 1;
        int i = f.hash & mask;
        while (table[i] != null) {
            i = (i + 1) & mask;
        }
        table[i] = f;
    }

    private void resize(int capacity) {
        Flow[] bigger = new Flow[capacity];
        for (Flow f : slots) {
            if (f != null) {
                place(bigger, f);
            }
        }
        slots = bigger;
    }
}
