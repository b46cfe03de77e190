package org.egressaudit.harness.exec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An output stream into a host file that stops growing at a limit (a process's log): what the process writes
 * beyond it is dropped, with one line saying so. Writes never fail the process's output pump.
 */
public final class BoundedFileOutput extends OutputStream {
    private final OutputStream out;
    private final long limit;
    private long written;
    private boolean truncated;

    public BoundedFileOutput(Path file, long limit) throws IOException {
        if (limit < 1024) {
            throw new IllegalArgumentException("log limit below 1024 bytes: " + limit);
        }
        this.out = Files.newOutputStream(file);
        this.limit = limit;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (truncated) {
            return;
        }
        long room = limit - written;
        if (len > room) {
            out.write(b, off, (int) room);
            out.write(("\n[egress-audit: log truncated at " + limit + " bytes]\n").getBytes(StandardCharsets.UTF_8));
            written = limit;
            truncated = true;
        } else {
            out.write(b, off, len);
            written += len;
        }
        out.flush();
    }

    public synchronized boolean truncated() {
        return truncated;
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
