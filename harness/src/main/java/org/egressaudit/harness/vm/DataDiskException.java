package org.egressaudit.harness.vm;

/**
 * A data disk could not be built or read: the message names the disk image, the path on it and, when a host tool
 * failed, the tool with the tail of its output.
 */
public class DataDiskException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataDiskException(String message) {
        super(message);
    }

    public DataDiskException(String message, Throwable cause) {
        super(message, cause);
    }
}
