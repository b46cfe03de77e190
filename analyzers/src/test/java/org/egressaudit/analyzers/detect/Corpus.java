package org.egressaudit.analyzers.detect;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.egressaudit.analyzers.content.Category;

/** Builds in-memory planted corpora for detection tests. */
final class Corpus {

    private final List<PlantedFile> files = new ArrayList<>();

    PlantedFile add(byte[] content) {
        return add(content, false);
    }

    /** Adds a file; {@code direct} stores it in a direct buffer, as a memory-mapped file would be. */
    PlantedFile add(byte[] content, boolean direct) {
        ByteBuffer buffer;
        if (direct) {
            buffer = ByteBuffer.allocateDirect(content.length);
            buffer.put(content).flip();
        } else {
            buffer = ByteBuffer.wrap(content.clone());
        }
        int id = files.size();
        PlantedFile f = new PlantedFile(id, "dir/file" + id + ".bin", Category.DOCUMENT, content.length,
                sha256(content), buffer.asReadOnlyBuffer(), null);
        files.add(f);
        return f;
    }

    List<PlantedFile> files() {
        return files;
    }

    CorpusIndex index(DetectConfig config) {
        return CorpusIndex.build(files, config);
    }

    static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
