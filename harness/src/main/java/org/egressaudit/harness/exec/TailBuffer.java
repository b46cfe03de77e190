package org.egressaudit.harness.exec;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * Keeps the last {@code capacity} bytes written and counts all of them, so a chatty or hostile command cannot
 * exhaust memory while the end of its output (where errors usually are) is still available.
 */
public final class TailBuffer extends OutputStream {
    private final byte[] ring;
    private long total;

    public TailBuffer(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.ring = new byte[capacity];
    }

    @Override
    public synchronized void write(int b) {
        ring[(int) (total % ring.length)] = (byte) b;
        total++;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        if (len >= ring.length) {
            // only the last ring.length bytes can survive; write them and account for the rest
            total += len - ring.length;
            off += len - ring.length;
            len = ring.length;
        }
        for (int i = 0; i < len; i++) {
            ring[(int) ((total + i) % ring.length)] = b[off + i];
        }
        total += len;
    }

    public synchronized long totalBytes() {
        return total;
    }

    public synchronized boolean truncated() {
        return total > ring.length;
    }

    /** The kept bytes in write order. */
    public synchronized byte[] toByteArray() {
        if (total <= ring.length) {
            return Arrays.copyOf(ring, (int) total);
        }
        int start = (int) (total % ring.length);
        byte[] out = new byte[ring.length];
        System.arraycopy(ring, start, out, 0, ring.length - start);
        System.arraycopy(ring, 0, out, ring.length - start, start);
        return out;
    }
}
