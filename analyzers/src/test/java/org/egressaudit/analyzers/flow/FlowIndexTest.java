package org.egressaudit.analyzers.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlowIndexTest {

    private static Flow flow(FlowIndex index, long lo, int port) {
        int hash = index.hash(4, 17, 0, lo, port, 0, 99, 53);
        return new DatagramFlow(4, 17, 0, lo, port, 0, 99, 53, hash, true, 0);
    }

    private static Flow find(FlowIndex index, long lo, int port) {
        return index.find(index.hash(4, 17, 0, lo, port, 0, 99, 53), 4, 17, 0, lo, port, 0, 99, 53);
    }

    @Test
    void randomInsertsAndRemovesAgreeWithAHashMap() {
        FlowIndex index = new FlowIndex();
        Map<Long, Flow> reference = new HashMap<>();
        List<Long> keys = new ArrayList<>();
        Random random = new Random(42);
        for (int step = 0; step < 200_000; step++) {
            long k = random.nextInt(5000);
            Flow present = reference.get(k);
            if (present == null) {
                Flow f = flow(index, k, (int) (k % 7));
                index.insert(f);
                reference.put(k, f);
                keys.add(k);
            } else if (random.nextBoolean()) {
                index.remove(present);
                reference.remove(k);
            }
            if (step % 1000 == 0) {
                for (long key = 0; key < 5000; key++) {
                    Flow expected = reference.get(key);
                    Flow actual = find(index, key, (int) (key % 7));
                    if (expected == null) {
                        assertNull(actual, "key " + key);
                    } else {
                        assertSame(expected, actual, "key " + key);
                    }
                }
                assertEquals(reference.size(), index.size());
            }
        }
    }

    @Test
    void replaceKeepsTheSlot() {
        FlowIndex index = new FlowIndex();
        Flow a = flow(index, 1, 1);
        index.insert(a);
        Flow b = flow(index, 1, 1);
        index.replace(a, b);
        assertSame(b, find(index, 1, 1));
        assertEquals(1, index.size());
    }
}
