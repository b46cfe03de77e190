package org.egressaudit.analyzers.capture;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A read-only mapping of part of a capture file. Readers ask for a byte range; when it is outside the current
 * window a new window is mapped starting at that range, so a record is always contiguous in one buffer. The
 * buffer is big-endian (network order) as the packet decoder expects.
 */
final class MappedWindow implements AutoCloseable {
    private final FileChannel channel;
    private final long fileSize;
    private final int windowBytes;
    private MappedByteBuffer buffer;
    private long base;
    private long end;

    MappedWindow(Path path, int windowBytes) throws IOException {
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        this.fileSize = channel.size();
        this.windowBytes = windowBytes;
    }

    long fileSize() {
        return fileSize;
    }

    /**
     * Makes {@code [pos, pos+len)} addressable through {@link #buffer()} and {@link #index(long)}.
     * Returns false when the range extends past the end of the file.
     */
    boolean ensure(long pos, int len) throws IOException {
        if (pos >= base && pos + len <= end && buffer != null) {
            return true;
        }
        if (pos < 0 || len < 0 || pos + len > fileSize) {
            return false;
        }
        long size = Math.min(Math.max((long) windowBytes, len), fileSize - pos);
        buffer = channel.map(FileChannel.MapMode.READ_ONLY, pos, size);
        base = pos;
        end = pos + size;
        return true;
    }

    MappedByteBuffer buffer() {
        return buffer;
    }

    int index(long pos) {
        return (int) (pos - base);
    }

    @Override
    public void close() throws IOException {
        buffer = null;
        channel.close();
    }
}
