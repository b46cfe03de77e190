package org.egressaudit.harness.differential;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The bytes appended to a private file in the {@link CorpusVariant#RESIZED} variant: SHA-256 in counter mode over
 * the file's sandbox path, so the same file gets the same tail on every run and machine, and the tail is
 * incompressible (an agent that compresses before encrypting still sends more).
 */
final class ResizedTail {
    /**
     * Smallest tail: the change must stand well clear of the decision's 256-byte floor even for a short memo,
     * or a leak of a small file would be indistinguishable from noise.
     */
    static final long MIN_TAIL_BYTES = 8192;

    private ResizedTail() {
    }

    /** Half the original size, at least {@link #MIN_TAIL_BYTES}. */
    static long lengthFor(long originalSize) {
        return Math.max(originalSize / 2, MIN_TAIL_BYTES);
    }

    /** Writes {@code length} tail bytes for the file named {@code name}. */
    static void write(String name, long length, OutputStream out) throws IOException {
        MessageDigest sha = sha256();
        byte[] prefix = ("egress-audit differential tail\0" + name + "\0").getBytes(StandardCharsets.UTF_8);
        long written = 0;
        for (long block = 0; written < length; block++) {
            sha.update(prefix);
            for (int i = 7; i >= 0; i--) {
                sha.update((byte) (block >>> (8 * i)));
            }
            byte[] d = sha.digest();
            int n = (int) Math.min(d.length, length - written);
            out.write(d, 0, n);
            written += n;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
