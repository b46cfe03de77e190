package org.egressaudit.harness.network;

/** A frame or DHCP message that cannot be read; the message says what was wrong, for the responder's log. */
public final class DhcpFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DhcpFormatException(String message) {
        super(message, null, false, false); // expected on hostile input: no stack trace to fill
    }
}
