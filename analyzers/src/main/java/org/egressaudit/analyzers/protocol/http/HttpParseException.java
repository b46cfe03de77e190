package org.egressaudit.analyzers.protocol.http;

/** Malformed HTTP syntax; the message says what was wrong and ends up as a note on the transmission. */
final class HttpParseException extends Exception {

    HttpParseException(String reason) {
        super(reason, null, false, false);
    }
}
