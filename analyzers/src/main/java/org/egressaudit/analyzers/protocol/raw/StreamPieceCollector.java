package org.egressaudit.analyzers.protocol.raw;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.content.ObjectAccumulator;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.Transmission;

/**
 * Cuts one direction's byte stream into transmissions of at most {@code pieceSize} bytes (overlapping by
 * {@code pieceOverlap}) with an {@link ObjectAccumulator}. A piece only ever holds contiguous stream bytes:
 * missing bytes (a gap, a jump in offsets) or bytes refused by the memory budget end the current piece and the
 * next bytes start a new one, each side noting what is missing where.
 */
public final class StreamPieceCollector {
    private final ProtocolContext context;
    private final FlowKey flow;
    private final Direction direction;
    private final String protocol;
    private final String destination;
    private final String summary;
    private final String layer;
    private final Map<String, String> attributes = new LinkedHashMap<>();

    private ObjectAccumulator accumulator;
    private long base;
    private long nextOffset = -1;
    private long pieceFirstNanos = -1;
    private long lastNanos;
    private int pieceCount;
    private long totalBytes;
    private long missingBytes;
    private long refusedBytes;
    private long pendingOpaque;
    private long refusedRunStart;
    private long refusedRunBytes;
    private int droppedNotes;
    private static final int MAX_NOTES_PER_PIECE = 32;
    private List<String> pendingNotes = new ArrayList<>();
    private boolean finished;

    public StreamPieceCollector(ProtocolContext context, FlowKey flow, Direction direction, String protocol,
                                String destination, String summary, String layer) {
        this.context = context;
        this.flow = flow;
        this.direction = direction;
        this.protocol = protocol;
        this.destination = destination;
        this.summary = summary;
        this.layer = layer;
    }

    /** Attribute added to every piece emitted from now on. */
    public void putAttribute(String key, String value) {
        attributes.put(key, value);
    }

    /** Note attached to the next piece emitted. */
    public void addNote(String note) {
        if (pendingNotes.size() < MAX_NOTES_PER_PIECE) {
            pendingNotes.add(note);
        } else {
            droppedNotes++;
        }
    }

    public void append(ByteBuffer buf, int offset, int length, long streamOffset, long timestampNanos) {
        if (finished || length <= 0) {
            return;
        }
        if (nextOffset >= 0 && streamOffset != nextOffset) {
            // The caller skipped bytes without reporting a gap: treat it as one rather than glue.
            if (streamOffset > nextOffset) {
                gap(nextOffset, streamOffset - nextOffset, timestampNanos);
            } else {
                endPiece();
                addNote("stream offset went back from " + nextOffset + " to " + streamOffset);
            }
        }
        if (accumulator == null) {
            base = streamOffset;
            accumulator = new ObjectAccumulator(context.pieceSize(), context.pieceOverlap(), context.budget(),
                    this::onPiece);
        }
        if (pieceFirstNanos < 0) {
            pieceFirstNanos = timestampNanos;
        }
        lastNanos = timestampNanos;
        nextOffset = streamOffset + length;
        totalBytes += length;
        accumulator.append(buf, offset, length);
        long refused = accumulator.truncatedBytes();
        if (refused > 0) {
            // Budget exhausted mid-call: what was refused is the tail of this call, so the piece stays contiguous.
            long at = streamOffset + length - refused;
            if (refusedRunBytes == 0) {
                refusedRunStart = at;
                addNote("memory budget exhausted at stream offset " + at + "; later bytes not buffered");
            }
            refusedRunBytes += refused;
            refusedBytes += refused;
            ObjectAccumulator acc = accumulator;
            accumulator = null;
            acc.finish();
        } else if (refusedRunBytes > 0) {
            closeRefusedRun();
        }
    }

    /** The bytes refused since the last buffered ones become one note and opaque bytes on the next piece. */
    private void closeRefusedRun() {
        addNote(refusedRunBytes + " bytes not buffered from stream offset " + refusedRunStart
                + ": memory budget exhausted");
        pendingOpaque += refusedRunBytes;
        refusedRunBytes = 0;
    }

    public void append(byte[] data, int offset, int length, long streamOffset, long timestampNanos) {
        append(ByteBuffer.wrap(data), offset, length, streamOffset, timestampNanos);
    }

    /** Missing bytes: the current piece ends, the next bytes start a new one. */
    public void gap(long streamOffset, long length, long timestampNanos) {
        if (finished) {
            return;
        }
        missingBytes += length;
        String note = length + " bytes missing at stream offset " + streamOffset;
        if (refusedRunBytes > 0) {
            closeRefusedRun();
        }
        if (accumulator != null) {
            addNote(note);
            endPiece();
        }
        addNote(note);
        nextOffset = streamOffset + length;
    }

    /** Emits what is buffered; further input is ignored. */
    public void finish() {
        if (finished) {
            return;
        }
        endPiece();
        finished = true;
        if (refusedRunBytes > 0) {
            closeRefusedRun();
        }
        if (pendingOpaque > 0) {
            // Bytes were refused after the last piece: report them on a transmission without content.
            emit(null, 0, nextOffset, 0, lastNanos, lastNanos);
        }
    }

    private void endPiece() {
        if (accumulator != null) {
            ObjectAccumulator acc = accumulator;
            accumulator = null;
            acc.finish();
        }
    }

    private void onPiece(ObjectAccumulator.Piece piece) {
        if (piece.length() == 0) {
            if (context.budget() != null) {
                context.budget().release(piece.reservedBytes());
            }
            return;
        }
        long first = pieceFirstNanos < 0 ? lastNanos : pieceFirstNanos;
        emit(piece.data(), piece.length(), base + piece.startOffset(), piece.reservedBytes(), first, lastNanos);
        pieceFirstNanos = piece.last() ? -1 : lastNanos;
    }

    private void emit(byte[] data, int length, long streamOffset, long reserved, long first, long last) {
        List<ContentObject> roots = data == null ? List.of()
                : List.of(new ContentObject(null, layer, null, data, 0, length, -1, length, false, Map.of()));
        Map<String, String> attrs = new LinkedHashMap<>(attributes);
        attrs.put("piece", Integer.toString(pieceCount++));
        List<String> notes = pendingNotes;
        if (droppedNotes > 0) {
            notes.add(droppedNotes + " further notes omitted");
            droppedNotes = 0;
        }
        pendingNotes = new ArrayList<>();
        long opaque = pendingOpaque;
        pendingOpaque = 0;
        context.sink().accept(new Transmission(context.sink().nextId(), flow, direction, protocol, destination,
                summary, first, last, streamOffset, attrs, roots, opaque, notes, reserved));
    }

    public long totalBytes() {
        return totalBytes;
    }

    public long missingBytes() {
        return missingBytes;
    }

    public long refusedBytes() {
        return refusedBytes;
    }

    public int piecesEmitted() {
        return pieceCount;
    }
}
