package org.egressaudit.harness.corpus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A zip whose bytes depend only on its entries: fixed DOS timestamps (set as local date-time, so the host's time
 * zone cannot shift them), no extended-time fields, entries in insertion order.
 */
final class DeterministicZip {
    /** The date every generated entry carries. */
    static final LocalDateTime FIXED_TIME = LocalDateTime.of(2017, 1, 1, 0, 0, 0);

    private final Map<String, byte[]> entries = new LinkedHashMap<>();

    DeterministicZip add(String name, byte[] data) {
        if (entries.putIfAbsent(name, data) != null) {
            throw new IllegalArgumentException("duplicate zip entry " + name);
        }
        return this;
    }

    DeterministicZip add(String name, String text) {
        return add(name, text.getBytes(StandardCharsets.UTF_8));
    }

    byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.setLevel(6);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                ze.setTimeLocal(FIXED_TIME);
                ze.setMethod(ZipEntry.DEFLATED);
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
