package org.egressaudit.analyzers.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ObjectAccumulatorTest {

    @Test
    void largeObjectIsCutIntoOverlappingPiecesThatCoverEveryByte() {
        byte[] data = new byte[10_000];
        new Random(1).nextBytes(data);
        List<ObjectAccumulator.Piece> pieces = new ArrayList<>();
        MemoryBudget budget = new MemoryBudget(1 << 20);
        ObjectAccumulator acc = new ObjectAccumulator(4096, 1000, budget, pieces::add);
        for (int i = 0; i < data.length; i += 333) {
            acc.append(data, i, Math.min(333, data.length - i));
        }
        acc.finish();
        long covered = 0;
        for (ObjectAccumulator.Piece p : pieces) {
            byte[] expected = Arrays.copyOfRange(data, (int) p.startOffset(), (int) p.startOffset() + p.length());
            assertArrayEquals(expected, Arrays.copyOf(p.data(), p.length()), "piece " + p.pieceIndex());
            assertTrue(p.startOffset() <= covered, "no hole before piece " + p.pieceIndex());
            covered = p.startOffset() + p.length();
            budget.release(p.reservedBytes());
        }
        assertEquals(data.length, covered);
        assertTrue(pieces.get(pieces.size() - 1).last());
        assertEquals(1000, pieces.get(0).startOffset() + pieces.get(0).length() - pieces.get(1).startOffset());
        assertEquals(0, budget.used(), "every reserved byte is handed to a piece");
    }

    @Test
    void budgetRefusalEndsThePieceAndNeverGluesAcrossTheHole() {
        MemoryBudget budget = new MemoryBudget(8192);
        List<ObjectAccumulator.Piece> pieces = new ArrayList<>();
        ObjectAccumulator acc = new ObjectAccumulator(1 << 20, 0, budget, pieces::add);
        byte[] a = new byte[4096];
        Arrays.fill(a, (byte) 'a');
        acc.append(a, 0, a.length);
        assertTrue(budget.tryReserve(4096), "someone else takes the rest of the budget");
        byte[] b = new byte[5000];
        acc.append(b, 0, b.length); // refused: would need to grow past the budget
        assertEquals(1, pieces.size(), "the piece before the hole is emitted at once");
        assertEquals(5000, pieces.get(0).truncatedBytes());
        budget.release(4096);
        budget.release(pieces.get(0).reservedBytes());
        byte[] c = "after the hole".getBytes();
        acc.append(c, 0, c.length);
        acc.finish();
        ObjectAccumulator.Piece after = pieces.get(1);
        assertEquals(4096 + 5000, after.startOffset(), "offset counts the missing bytes");
        assertArrayEquals(c, Arrays.copyOf(after.data(), after.length()));
        assertEquals(4096 + 5000 + c.length, acc.totalBytes());
    }
}
