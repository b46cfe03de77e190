package org.egressaudit.harness.corpus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry;
import org.apache.commons.compress.archivers.sevenz.SevenZMethod;
import org.apache.commons.compress.archivers.sevenz.SevenZOutputFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/**
 * Archives whose bytes depend only on their members (name to bytes, in the map's order): fixed times, owner
 * root:root, fixed modes. Zip is {@link DeterministicZip}; this adds tar.gz and 7z (LZMA2, as 7-Zip writes).
 */
final class ArchiveWriter {
    private static final Date FIXED = Date.from(DeterministicZip.FIXED_TIME.toInstant(ZoneOffset.UTC));

    private ArchiveWriter() {
    }

    static byte[] zip(Map<String, byte[]> members) {
        DeterministicZip z = new DeterministicZip();
        members.forEach(z::add);
        return z.toBytes();
    }

    /** A ustar tar in a gzip stream; the gzip header has no name and mtime 0 (java.util.zip writes neither). */
    static byte[] tarGz(Map<String, byte[]> members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> m : members.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(m.getKey());
                e.setSize(m.getValue().length);
                e.setModTime(FIXED);
                e.setMode(m.getKey().endsWith(".exe") || !m.getKey().contains(".") ? 0100755 : 0100644);
                e.setIds(0, 0);
                e.setNames("root", "root");
                tar.putArchiveEntry(e);
                tar.write(m.getValue());
                tar.closeArchiveEntry();
            }
            tar.finish();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    static byte[] sevenZip(Map<String, byte[]> members) {
        SeekableInMemoryByteChannel channel = new SeekableInMemoryByteChannel();
        try (SevenZOutputFile z = new SevenZOutputFile(channel)) {
            z.setContentCompression(SevenZMethod.LZMA2);
            for (Map.Entry<String, byte[]> m : members.entrySet()) {
                SevenZArchiveEntry e = new SevenZArchiveEntry();
                e.setName(m.getKey());
                e.setDirectory(false);
                e.setHasLastModifiedDate(true);
                e.setLastModifiedDate(FIXED);
                z.putArchiveEntry(e);
                z.write(m.getValue());
                z.closeArchiveEntry();
            }
            z.finish();
            // Read before close: the header is complete after finish(), and a closed channel has no size.
            return java.util.Arrays.copyOf(channel.array(), (int) channel.size());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
