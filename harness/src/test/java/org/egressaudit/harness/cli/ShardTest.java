package org.egressaudit.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardTest {

    @Test
    void sharesCoverEveryScenarioExactlyOnce() {
        List<Integer> all = List.of(0, 1, 2, 3, 4, 5, 6);
        List<Integer> union = new ArrayList<>();
        for (int k = 1; k <= 3; k++) {
            union.addAll(Shard.parse(k + "/3").select(all));
        }
        union.sort(null);
        assertEquals(all, union);
        assertEquals(List.of(1, 4), Shard.parse("2/3").select(all));
    }

    @Test
    void badSharesAreRejected() {
        for (String bad : new String[] {"0/3", "4/3", "3", "a/b", "1/0", "1/2/3", ""}) {
            assertThrows(IllegalArgumentException.class, () -> Shard.parse(bad), bad);
        }
    }
}
