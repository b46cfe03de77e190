package org.egressaudit.analyzers.content;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

class EntropyTest {
    @Test
    void constantDataHasNoEntropy() {
        assertEquals(0.0, Entropy.bitsPerByte(new byte[1000], 0, 1000));
        assertEquals(0.0, Entropy.bitsPerByte(new byte[0], 0, 0));
    }

    @Test
    void everyByteValueOnceIsEightBits() {
        byte[] b = new byte[512];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        assertEquals(8.0, Entropy.bitsPerByte(b, 0, 512), 1e-9);
        assertEquals(8.0, Entropy.bitsPerByte(b, 256, 256), 1e-9);
    }

    @Test
    void twoEqualSymbolsIsOneBit() {
        byte[] b = "abababab".getBytes();
        assertEquals(1.0, Entropy.bitsPerByte(b, 0, b.length), 1e-9);
        assertEquals(0.0, Entropy.bitsPerByte(b, 0, 1), 1e-9);
    }

    @Test
    void histogramMatchesBytes() {
        byte[] b = new byte[10_000];
        new Random(1).nextBytes(b);
        long[] h = new long[256];
        for (byte x : b) {
            h[x & 0xff]++;
        }
        assertEquals(Entropy.bitsPerByte(b, 0, b.length), Entropy.bitsPerByte(h), 1e-12);
        assertTrue(Entropy.bitsPerByte(h) > 7.9);
        int[] ih = new int[256];
        ih[0] = 3;
        ih[1] = 1;
        assertEquals(0.8112781244591328, Entropy.bitsPerByte(ih), 1e-12);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Entropy.bitsPerByte(new long[255]));
        assertThrows(IllegalArgumentException.class, () -> Entropy.bitsPerByte(new byte[4], 2, 3));
        assertEquals(0.0, Entropy.bitsPerByte(new long[256]));
    }
}
