package org.egressaudit.harness.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;

/** Streams a process's stdout and stderr into a host file as they arrive, up to a size limit. */
final class LogFileCallback extends ResultCallback.Adapter<Frame> {
    private final Path file;
    private final long limit;
    private final OutputStream out;
    private long written;
    private boolean truncated;

    LogFileCallback(Path file, long limit) throws IOException {
        this.file = file;
        this.limit = limit;
        this.out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
    }

    @Override
    public synchronized void onNext(Frame frame) {
        byte[] payload = frame.getPayload();
        if (payload == null || truncated) {
            return;
        }
        try {
            long room = limit - written;
            if (payload.length > room) {
                out.write(payload, 0, (int) room);
                out.write(("\n[egress-audit: log truncated at " + limit + " bytes]\n").getBytes(StandardCharsets.UTF_8));
                truncated = true;
                written = limit;
            } else {
                out.write(payload);
                written += payload.length;
            }
            out.flush();
        } catch (IOException e) {
            truncated = true; // disk trouble: stop writing, the process keeps running
        }
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            synchronized (this) {
                out.close();
            }
        }
    }

    Path file() {
        return file;
    }
}
