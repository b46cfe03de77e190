package org.egressaudit.harness.exec;

import java.io.IOException;
import java.io.OutputStream;

/** Writes to the capture buffer and, best effort, to a progress stream; a failing progress stream never fails the command. */
final class TeeOutputStream extends OutputStream {
    private final OutputStream primary;
    private final OutputStream copy;
    private boolean copyBroken;

    TeeOutputStream(OutputStream primary, OutputStream copy) {
        this.primary = primary;
        this.copy = copy;
    }

    @Override
    public void write(int b) throws IOException {
        primary.write(b);
        if (!copyBroken) {
            try {
                copy.write(b);
            } catch (IOException e) {
                copyBroken = true;
            }
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        primary.write(b, off, len);
        if (!copyBroken) {
            try {
                copy.write(b, off, len);
                copy.flush();
            } catch (IOException e) {
                copyBroken = true;
            }
        }
    }

    @Override
    public void flush() throws IOException {
        primary.flush();
        if (!copyBroken) {
            try {
                copy.flush();
            } catch (IOException e) {
                copyBroken = true;
            }
        }
    }
}
