package org.egressaudit.analyzers.protocol.http;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;

/**
 * What one request or response has shown so far and what its transmissions will carry. The start-line side
 * (request or response decoder) fills in the description when the head is complete; the framing side tracks the
 * body.
 */
final class HttpMessage {

    final long streamOffset;
    final long firstNanos;
    /** Start of the time range of the next transmission (moves on when a piece is emitted). */
    long pieceFirstNanos;

    // description, filled when the head is complete
    String summary;
    String destination;
    final Map<String, String> attributes = new LinkedHashMap<>();
    final List<ContentObject> headRoots = new ArrayList<>();
    long headReservedBytes;
    String bodyLayer;
    final Map<String, String> bodyHints = new LinkedHashMap<>();
    /** Content-Length when the body is length-delimited, else -1. */
    long declaredBodyLength = -1;

    final HttpHeaders headers = new HttpHeaders();
    final HttpHeaders trailers = new HttpHeaders();
    /** Notes not yet carried by a transmission: they go into the next one emitted for this message. */
    final List<String> notes = new ArrayList<>();

    // emission state
    boolean headEmitted;
    /** The framing says the body has ended (it may still have missing bytes). */
    boolean bodyComplete;
    /** The body is known to continue in more than one piece (gap inside it). */
    boolean bodySplit;
    /** Body bytes never captured (gaps inside the body). */
    long bodyMissingBytes;
    /** Chunk extensions seen since the last emitted transmission, one per line. */
    final ByteArrayOutputStream chunkExtensions = new ByteArrayOutputStream();
    long chunkExtensionBytes;
    byte[] trailerBytes;

    HttpMessage(long streamOffset, long firstNanos) {
        this.streamOffset = streamOffset;
        this.firstNanos = firstNanos;
        this.pieceFirstNanos = firstNanos;
    }
}
