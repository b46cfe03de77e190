package org.egressaudit.analyzers.decode;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.apache.commons.compress.MemoryLimitException;
import org.apache.commons.compress.PasswordRequiredException;
import org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry;
import org.apache.commons.compress.archivers.sevenz.SevenZFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.egressaudit.analyzers.content.ContentObject;

/**
 * 7z archives (LZMA, LZMA2, BZIP2, Deflate, copy... whatever commons-compress reads), one child per file,
 * read in archive order so a solid block is decompressed once. Dictionary memory is capped; encrypted
 * members or headers are noted as not inspectable. A 7z cut short loses its header (at the end) and
 * cannot be listed: that is noted as corrupt.
 */
public final class SevenZipDecoder implements ContentDecoder {

    @Override
    public String name() {
        return "7z";
    }

    @Override
    public int priority() {
        return 121;
    }

    @Override
    public boolean accepts(ContentObject o) {
        byte[] d = o.data();
        int p = o.offset();
        return o.length() >= 32 && d[p] == '7' && d[p + 1] == 'z' && (d[p + 2] & 0xff) == 0xBC
                && (d[p + 3] & 0xff) == 0xAF && d[p + 4] == 0x27 && d[p + 5] == 0x1C;
    }

    @Override
    public void decode(ContentObject o, DecodeContext ctx) {
        byte[] d = o.data();
        int len = o.length();
        byte[] bytes = o.offset() == 0 && len == d.length ? d : Arrays.copyOfRange(d, o.offset(), o.offset() + len);
        int max = ctx.limits().maxArchiveEntries();
        long produced = 0;
        int members = 0;
        try (SevenZFile f = SevenZFile.builder()
                .setSeekableByteChannel(new SeekableInMemoryByteChannel(bytes))
                .setMaxMemoryLimitKb(Decompressors.memoryLimitKiB(ctx.limits()))
                .get()) {
            SevenZArchiveEntry e;
            while ((e = f.getNextEntry()) != null) {
                if (e.isDirectory() || !e.hasStream()) {
                    continue;
                }
                if (members == max) {
                    o.addNote("decode-limit: 7z has more than " + max + " members, the rest not expanded");
                    return;
                }
                if (ctx.budgetExhausted()) {
                    return;
                }
                members++;
                String name = e.getName();
                BoundedSink sink = new BoundedSink(ctx, len, len, produced);
                Decompressors.drain(new EntryStream(f), sink);
                produced += sink.size();
                sink.emit(o, "7z", name, e.getSize(), null);
                if (sink.isEncrypted()) {
                    return; // every further member of an encrypted archive fails the same way
                }
            }
        } catch (PasswordRequiredException ex) {
            o.addNote("encrypted 7z archive (headers encrypted) not inspectable");
        } catch (MemoryLimitException ex) {
            o.addNote("decode-limit: 7z " + ex.getMessage());
        } catch (IOException | RuntimeException ex) {
            o.addNote("corrupt: 7z: " + ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage()));
        }
    }

    /** The current entry of a SevenZFile as a stream. */
    private static final class EntryStream extends InputStream {
        private final SevenZFile f;

        EntryStream(SevenZFile f) {
            this.f = f;
        }

        @Override
        public int read() throws IOException {
            return f.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return f.read(b, off, len);
        }

        @Override
        public void close() {
            // the archive is closed by its owner
        }
    }
}
