package org.egressaudit.analyzers.capture;

import java.io.IOException;

/** The file is not a capture at all (bad magic, unreadable header): nothing can be analysed. */
public final class CaptureFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public CaptureFormatException(String message) {
        super(message);
    }
}
