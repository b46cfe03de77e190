package org.egressaudit.analyzers.protocol.http2;

/** A header block that cannot be decoded; the connection direction's header compression state is lost with it. */
final class HpackException extends Exception {

    HpackException(String message) {
        super(message, null, false, false);
    }
}
