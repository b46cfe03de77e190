package org.egressaudit.analyzers.protocol.http2;

import org.egressaudit.analyzers.protocol.PieceCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;

/**
 * What one HTTP/2 stream has shown so far in one direction (a request, a response, or DATA whose headers were never
 * seen) and what its transmissions will carry. The head is described once its header block is decoded; the body is
 * collected from DATA frames in pieces.
 */
final class Http2Message {

    final int streamId;
    final long streamOffset;
    final long firstNanos;
    /** Start of the time range of the next transmission (moves on when a piece is emitted). */
    long pieceFirstNanos;

    String summary;
    String destination;
    final Map<String, String> attributes = new LinkedHashMap<>();
    final List<ContentObject> headRoots = new ArrayList<>();
    long headReservedBytes;
    /** True once the (final) head is decoded: a later HEADERS frame carries trailers. */
    boolean headSeen;
    String bodyLayer;
    final Map<String, String> bodyHints = new LinkedHashMap<>();
    /** content-length when the head declares one, else -1. */
    long declaredBodyLength = -1;
    /** Notes not yet carried by a transmission: they go into the next one emitted for this message. */
    final List<String> notes = new ArrayList<>();
    /** Notes not kept because {@link #MAX_NOTES} were already waiting. */
    int droppedNotes;

    static final int MAX_NOTES = 64;

    PieceCollector body;
    boolean headEmitted;
    /** END_STREAM was seen: the body is complete (it may still have missing bytes). */
    boolean bodyComplete;
    /** The body is known to continue in more than one piece (gap inside it). */
    boolean bodySplit;
    long bodyMissingBytes;
    byte[] trailerBytes;

    /** Adds a note, bounded: a peer can repeat an anomaly without end. */
    void note(String note) {
        if (notes.size() < MAX_NOTES) {
            notes.add(note);
        } else {
            droppedNotes++;
        }
    }

    /** Takes the waiting notes for a transmission. */
    List<String> drainNotes() {
        List<String> out = new ArrayList<>(notes);
        notes.clear();
        if (droppedNotes > 0) {
            out.add(droppedNotes + " further notes omitted");
            droppedNotes = 0;
        }
        return out;
    }

    Http2Message(int streamId, long streamOffset, long firstNanos) {
        this.streamId = streamId;
        this.streamOffset = streamOffset;
        this.firstNanos = firstNanos;
        this.pieceFirstNanos = firstNanos;
    }
}
