package org.egressaudit.analyzers.protocol.http;

import org.egressaudit.analyzers.protocol.PieceCollector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.flow.StreamListener;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.Transmission;

/**
 * The HTTP/1.x message framing of one stream direction, as a state machine that resumes wherever its input ran
 * short (Netty's HttpObjectDecoder shape): start line, header section, then a body delimited by Content-Length,
 * chunked coding or the end of the stream. Subclasses parse the start line and describe the message; this class
 * frames it and emits one {@link Transmission} per body piece.
 *
 * <p>Nothing is lost: malformed syntax, a violated {@link HttpLimits} limit or missing bytes where framing cannot
 * survive them switch the decoder to {@link State#RAW_FALLBACK}, where the rest of the stream (starting with the
 * bytes held for the broken message) becomes a raw "tcp-stream" object.
 */
abstract class HttpMessageDecoder implements StreamListener {

    enum State {
        READ_START_LINE,
        READ_HEADERS,
        READ_FIXED_BODY,
        READ_CHUNK_SIZE,
        READ_CHUNK_DATA,
        READ_CHUNK_CRLF,
        READ_TRAILERS,
        READ_UNTIL_CLOSE,
        RAW_FALLBACK,
        ENDED
    }

    /** Start-line bytes checked for plausibility before the line is complete (enough for any method token). */
    private static final int PLAUSIBILITY_WINDOW = 64;

    protected final FlowKey flow;
    protected final ProtocolContext context;
    protected final HttpLimits limits;
    private final Direction direction;
    private final LineBuffer lines = new LineBuffer();

    private State state = State.READ_START_LINE;
    private HttpMessage message;
    private PieceCollector body;
    /** Bytes left in the fixed-length body or in the current chunk. */
    private long remaining;
    /** Fields and bytes of the current header or trailer section. */
    private int sectionFields;
    private int sectionBytes;
    private boolean foldNoted;
    /** Notes for the next transmission of this direction (bytes missing between messages). */
    private final List<String> pendingNotes = new ArrayList<>();

    private PieceCollector raw;
    private long rawStreamStart;
    private String rawSummary;
    private String rawReason;
    private boolean rawSplit;
    private boolean rawRunEndsAtGap;
    private long rawPieceFirstNanos;
    private final List<String> rawNotes = new ArrayList<>();

    // where the current input call is
    private long callStreamOffset;
    private int callOffset;
    private long now;
    /** Stream offset of the first byte held in {@link #lines}. */
    private long bufferStreamOffset;
    private long bufferFirstNanos;

    HttpMessageDecoder(FlowKey flow, ProtocolContext context, HttpLimits limits, Direction direction) {
        this.flow = flow;
        this.context = context;
        this.limits = limits;
        this.direction = direction;
    }

    // ---- what a subclass knows about its side ----

    /** False as soon as the first bytes of a start line cannot begin a valid one. */
    abstract boolean startLinePlausible(byte[] data, int length);

    /** Parses a complete start line ({@code data[offset, offset+length)}, no CRLF) of a new message. */
    abstract void parseStartLine(HttpMessage m, byte[] data, int offset, int length) throws HttpParseException;

    /**
     * The head is complete ({@code head} holds the start line and header section as sent): fill in the summary,
     * destination, attributes, head roots and body layer/hints of {@code m} and return its framing.
     */
    abstract BodyFraming describeHead(HttpMessage m, byte[] head);

    /** Where raw transmissions of this direction went (the last known host, else the server address). */
    abstract String rawDestination();

    static final String RAW_SUMMARY = "raw stream after HTTP parse failure";

    /** Summary of the raw object that follows a parse failure at a start line. */
    String rawSummaryAfterFailure() {
        return RAW_SUMMARY;
    }

    /** Summary of the raw object that follows a message switching the connection to another protocol. */
    abstract String tunnelSummary(HttpMessage m);

    final Direction direction() {
        return direction;
    }

    final boolean ended() {
        return state == State.ENDED;
    }

    final State state() {
        return state;
    }

    // ---- StreamListener ----

    @Override
    public final void onData(ByteBuffer buffer, int offset, int length, long streamOffset, long timestampNanos) {
        if (state == State.ENDED || length <= 0) {
            return;
        }
        callStreamOffset = streamOffset;
        callOffset = offset;
        now = timestampNanos;
        int pos = offset;
        int end = offset + length;
        while (pos < end) {
            pos = switch (state) {
                case READ_START_LINE -> readStartLine(buffer, pos, end);
                case READ_HEADERS -> readFieldLine(buffer, pos, end, false);
                case READ_FIXED_BODY -> readFixedBody(buffer, pos, end);
                case READ_CHUNK_SIZE -> readChunkSize(buffer, pos, end);
                case READ_CHUNK_DATA -> readChunkData(buffer, pos, end);
                case READ_CHUNK_CRLF -> readChunkCrlf(buffer, pos, end);
                case READ_TRAILERS -> readFieldLine(buffer, pos, end, true);
                case READ_UNTIL_CLOSE, RAW_FALLBACK -> readToEnd(buffer, pos, end);
                case ENDED -> end;
            };
        }
    }

    @Override
    public final void onGap(long streamOffset, long length, long timestampNanos) {
        if (state == State.ENDED || length <= 0) {
            return;
        }
        now = timestampNanos;
        String missing = length + " bytes missing at stream offset " + streamOffset;
        switch (state) {
            case READ_START_LINE -> {
                if (lines.isEmpty()) {
                    // The lost bytes may have held whole messages; say so on whatever comes next.
                    pendingNotes.add(missing + " (between HTTP messages)");
                } else {
                    fallBack(missing + " inside a start line", streamOffset);
                    rawGap(length);
                }
            }
            case READ_FIXED_BODY -> fixedBodyGap(streamOffset, length);
            case READ_UNTIL_CLOSE -> {
                message.notes.add(length + " bytes missing at body offset " + body.position());
                message.bodyMissingBytes += length;
                message.bodySplit = true;
                body.gap(length);
            }
            case RAW_FALLBACK -> {
                rawNotes.add(missing);
                rawGap(length);
            }
            default -> {
                fallBack(missing + " inside " + (state == State.READ_HEADERS ? "the header section"
                        : state == State.READ_TRAILERS ? "the trailer section" : "chunked framing"), streamOffset);
                rawGap(length);
            }
        }
    }

    @Override
    public final void onEnd(StreamEnd end, long timestampNanos) {
        if (state == State.ENDED) {
            return;
        }
        now = timestampNanos;
        String how = "stream ended (" + end + ")";
        long endOffset = bufferStreamOffset + lines.length();
        switch (state) {
            case READ_START_LINE, READ_HEADERS, READ_CHUNK_SIZE, READ_CHUNK_CRLF -> {
                if (!lines.isEmpty()) {
                    fallBack(how + " inside " + (state == State.READ_HEADERS || state == State.READ_START_LINE
                            ? "a message head" : "chunked framing"), endOffset);
                } else if (message != null) {
                    message.notes.add(how + " inside chunked framing");
                    endMessage(false);
                }
            }
            case READ_FIXED_BODY -> {
                message.notes.add(how + " after " + body.position() + " of " + message.declaredBodyLength
                        + " body bytes");
                endMessage(false);
            }
            case READ_CHUNK_DATA -> {
                message.notes.add(how + " inside chunk data (" + remaining + " bytes of the chunk missing)");
                endMessage(false);
            }
            case READ_TRAILERS -> {
                message.notes.add(how + " inside the trailer section");
                message.trailerBytes = lines.isEmpty() ? null : lines.copy();
                lines.clear();
                endMessage(true);
            }
            case READ_UNTIL_CLOSE -> {
                boolean clean = end == StreamEnd.FIN;
                if (!clean) {
                    message.notes.add(how + ": the body read until close may be incomplete");
                }
                endMessage(clean);
            }
            default -> {
            }
        }
        if (state == State.RAW_FALLBACK) {
            raw.finish();
            if (!rawNotes.isEmpty()) {
                emitRaw(null);
            }
        }
        if (!pendingNotes.isEmpty()) {
            emitNotesOnly();
        }
        state = State.ENDED;
    }

    // ---- states ----

    private int readStartLine(ByteBuffer buf, int pos, int end) {
        if (lines.isEmpty()) {
            // Empty lines between messages are ignored (RFC 9112 §2.2).
            while (pos < end && (buf.get(pos) == HttpText.CR || buf.get(pos) == HttpText.LF)) {
                pos++;
            }
            if (pos == end) {
                return pos;
            }
        }
        pos = readLine(buf, pos, end, limits.maxStartLineLength());
        LineBuffer.Status status = lines.status();
        if (!startLinePlausible(lines.array(), Math.min(lines.length(), PLAUSIBILITY_WINDOW))) {
            return fallBack("not an HTTP start line", pos);
        }
        if (status == LineBuffer.Status.INCOMPLETE) {
            return pos;
        }
        if (status == LineBuffer.Status.TOO_LONG) {
            return fallBack("start line longer than " + limits.maxStartLineLength() + " bytes", pos);
        }
        HttpMessage m = new HttpMessage(bufferStreamOffset, bufferFirstNanos);
        try {
            parseStartLine(m, lines.array(), lines.lineStart(), lines.lineLength());
        } catch (HttpParseException e) {
            return fallBack(e.getMessage(), pos);
        }
        m.notes.addAll(pendingNotes);
        pendingNotes.clear();
        message = m;
        lines.nextLine();
        sectionFields = 0;
        sectionBytes = 0;
        foldNoted = false;
        state = State.READ_HEADERS;
        return pos;
    }

    /** A header line ({@code trailers} false) or trailer line. */
    private int readFieldLine(ByteBuffer buf, int pos, int end, boolean trailers) {
        String section = trailers ? "trailer section" : "header section";
        pos = readLine(buf, pos, end, Math.max(0, limits.maxHeaderBlockSize() - sectionBytes));
        LineBuffer.Status status = lines.status();
        if (status == LineBuffer.Status.INCOMPLETE) {
            return pos;
        }
        if (status == LineBuffer.Status.TOO_LONG) {
            return fallBack(section + " larger than " + limits.maxHeaderBlockSize() + " bytes", pos);
        }
        if (lines.lineLength() == 0) {
            return trailers ? trailersComplete(pos) : headComplete(pos);
        }
        sectionBytes += lines.currentLineBytes();
        if (sectionBytes > limits.maxHeaderBlockSize()) {
            return fallBack(section + " larger than " + limits.maxHeaderBlockSize() + " bytes", pos);
        }
        HttpHeaders fields = trailers ? message.trailers : message.headers;
        byte[] data = lines.array();
        if (HttpText.isWhitespace(data[lines.lineStart()])) {
            if (fields.isEmpty()) {
                return fallBack(section + " starts with a continuation line", pos);
            }
            fields.appendToLast(HttpLineParser.foldedContinuation(data, lines.lineStart(), lines.lineLength()));
            if (!foldNoted) {
                foldNoted = true;
                message.notes.add("obsolete line folding in the " + section);
            }
        } else {
            if (++sectionFields > limits.maxHeaderCount()) {
                return fallBack(section + " has more than " + limits.maxHeaderCount() + " fields", pos);
            }
            try {
                HttpLineParser.HeaderField f = HttpLineParser.parseHeaderLine(data, lines.lineStart(),
                        lines.lineLength(), message.notes);
                fields.add(f.name(), f.value());
            } catch (HttpParseException e) {
                return fallBack(e.getMessage() + " in the " + section, pos);
            }
        }
        lines.nextLine();
        return pos;
    }

    private int headComplete(int pos) {
        HttpMessage m = message;
        byte[] head = lines.copy();
        lines.clear();
        BodyFraming framing = describeHead(m, head);
        if (!m.headRoots.isEmpty() && context.budget().tryReserve(head.length)) {
            // Heads are bounded by HttpLimits and always kept; they are charged to the budget when it has room.
            m.headReservedBytes = head.length;
        }
        m.notes.addAll(framing.notes());
        if (framing.transferCodings() != null) {
            m.bodyHints.put("transfer-encoding", framing.transferCodings());
        }
        switch (framing.kind()) {
            case NONE -> endMessage(true);
            case FIXED -> {
                m.declaredBodyLength = framing.length();
                remaining = framing.length();
                startBody(m);
                state = State.READ_FIXED_BODY;
            }
            case CHUNKED -> {
                startBody(m);
                state = State.READ_CHUNK_SIZE;
            }
            case UNTIL_CLOSE -> {
                startBody(m);
                state = State.READ_UNTIL_CLOSE;
            }
            case TUNNEL -> {
                endMessage(true);
                enterRaw(streamOffsetOf(pos), tunnelSummary(m), "protocol switch",
                        List.of("the connection left HTTP after '" + m.summary + "'; the rest of the stream is "
                                + "analysed raw"));
            }
            case INVALID -> {
                m.notes.add(framing.invalidReason() + ": body framing unknown, the rest of the stream is "
                        + "analysed raw");
                endMessage(false);
                enterRaw(streamOffsetOf(pos), RAW_SUMMARY, framing.invalidReason(),
                        List.of(framing.invalidReason() + " in the message at stream offset " + m.streamOffset));
            }
        }
        return pos;
    }

    private int readFixedBody(ByteBuffer buf, int pos, int end) {
        int n = (int) Math.min(remaining, end - pos);
        body.append(buf, pos, n);
        remaining -= n;
        if (remaining == 0) {
            endMessage(true);
        }
        return pos + n;
    }

    private int readChunkSize(ByteBuffer buf, int pos, int end) {
        pos = readLine(buf, pos, end, limits.maxChunkSizeLineLength());
        LineBuffer.Status status = lines.status();
        if (status == LineBuffer.Status.INCOMPLETE) {
            return pos;
        }
        if (status == LineBuffer.Status.TOO_LONG) {
            return fallBack("chunk-size line longer than " + limits.maxChunkSizeLineLength() + " bytes", pos);
        }
        HttpLineParser.ChunkSize chunk;
        try {
            chunk = HttpLineParser.parseChunkSize(lines.array(), lines.lineStart(), lines.lineLength());
        } catch (HttpParseException e) {
            return fallBack(e.getMessage(), pos);
        }
        if (!chunk.extensions().isEmpty()) {
            HttpMessage m = message;
            m.chunkExtensionBytes += chunk.extensions().length() + 1;
            if (m.chunkExtensionBytes > limits.maxHeaderBlockSize()) {
                return fallBack("chunk extensions larger than " + limits.maxHeaderBlockSize() + " bytes", pos);
            }
            // Extensions can carry data; they become a root of their own so that nothing in them goes unseen.
            byte[] ext = (chunk.extensions() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            m.chunkExtensions.write(ext, 0, ext.length);
        }
        lines.clear();
        if (chunk.size() == 0) {
            message.bodyComplete = true;
            sectionFields = 0;
            sectionBytes = 0;
            foldNoted = false;
            state = State.READ_TRAILERS;
        } else {
            remaining = chunk.size();
            state = State.READ_CHUNK_DATA;
        }
        return pos;
    }

    private int readChunkData(ByteBuffer buf, int pos, int end) {
        int n = (int) Math.min(remaining, end - pos);
        body.append(buf, pos, n);
        remaining -= n;
        if (remaining == 0) {
            state = State.READ_CHUNK_CRLF;
        }
        return pos + n;
    }

    private int readChunkCrlf(ByteBuffer buf, int pos, int end) {
        pos = readLine(buf, pos, end, 0);
        LineBuffer.Status status = lines.status();
        if (status == LineBuffer.Status.INCOMPLETE) {
            return pos;
        }
        if (status == LineBuffer.Status.COMPLETE && lines.lineLength() == 0) {
            lines.clear();
            state = State.READ_CHUNK_SIZE;
            return pos;
        }
        return fallBack("chunk data not followed by CRLF", pos);
    }

    private int trailersComplete(int pos) {
        HttpMessage m = message;
        if (!m.trailers.isEmpty()) {
            m.trailerBytes = lines.copy();
        }
        lines.clear();
        m.attributes.putAll(m.trailers.toAttributes("trailer:"));
        endMessage(true);
        return pos;
    }

    private int readToEnd(ByteBuffer buf, int pos, int end) {
        (state == State.RAW_FALLBACK ? raw : body).append(buf, pos, end - pos);
        return end;
    }

    // ---- message life ----

    private void startBody(HttpMessage m) {
        body = new PieceCollector(context, p -> emit(m, p));
    }

    /**
     * Ends the current message: emits what it still holds. {@code complete} says the framing reached the end of
     * the body (false when the stream ended or broke inside it).
     */
    private void endMessage(boolean complete) {
        HttpMessage m = message;
        m.bodyComplete = complete;
        if (body != null) {
            body.finish();
        }
        if (!m.headEmitted || !m.notes.isEmpty() || m.trailerBytes != null || m.chunkExtensions.size() > 0) {
            emit(m, null);
        }
        message = null;
        body = null;
        remaining = 0;
        state = State.READ_START_LINE;
    }

    private void fixedBodyGap(long streamOffset, long length) {
        HttpMessage m = message;
        long inBody = Math.min(length, remaining);
        m.notes.add(inBody + " bytes missing at body offset " + body.position());
        m.bodyMissingBytes += inBody;
        remaining -= inBody;
        if (remaining > 0) {
            m.bodySplit = true;
        }
        // Framing survives: the count goes on, the bytes after the gap start a new piece of the same body.
        body.gap(inBody);
        if (remaining == 0) {
            endMessage(true);
            if (length > inBody) {
                pendingNotes.add((length - inBody) + " bytes missing at stream offset " + (streamOffset + inBody)
                        + " (between HTTP messages)");
            }
        }
    }

    /**
     * Gives up on HTTP for the rest of the stream. The current message is emitted with what it has when its head
     * was complete; bytes held for an incomplete head or framing line start the raw object.
     *
     * @param restStreamOffset stream offset of the first byte not yet consumed
     * @return {@code pos} unchanged, for the caller to return
     */
    private int fallBack(String reason, int pos) {
        fallBack(reason, streamOffsetOf(pos));
        return pos;
    }

    private void fallBack(String reason, long restStreamOffset) {
        long rawStart = lines.isEmpty() ? restStreamOffset : bufferStreamOffset;
        String note = reason + " (stream offset " + rawStart + "); the rest of the stream is analysed raw";
        boolean atStartLine = message == null;
        if (message != null) {
            if (message.summary != null) {
                message.notes.add(note);
                endMessage(message.bodyComplete);
            } else {
                // The head never completed: its bytes are in the line buffer and go to the raw object.
                pendingNotes.addAll(0, message.notes);
                message = null;
            }
        }
        enterRaw(rawStart, atStartLine ? rawSummaryAfterFailure() : RAW_SUMMARY, reason,
                List.of(note));
        if (!lines.isEmpty()) {
            raw.append(ByteBuffer.wrap(lines.array()), 0, lines.length());
        }
        lines.clear();
    }

    private void enterRaw(long streamStart, String summary, String reason, List<String> notes) {
        raw = new PieceCollector(context, this::emitRaw);
        rawStreamStart = streamStart;
        rawSummary = summary;
        rawReason = reason;
        rawPieceFirstNanos = now;
        rawNotes.addAll(notes);
        rawNotes.addAll(pendingNotes);
        pendingNotes.clear();
        state = State.RAW_FALLBACK;
    }

    private void rawGap(long length) {
        rawSplit = true;
        rawRunEndsAtGap = true;
        raw.gap(length);
        rawRunEndsAtGap = false;
    }

    // ---- emission ----

    private void emit(HttpMessage m, PieceCollector.Piece p) {
        List<ContentObject> roots = new ArrayList<>();
        List<String> notes = new ArrayList<>(m.notes);
        m.notes.clear();
        Map<String, String> attributes = new LinkedHashMap<>(m.attributes);
        String summary = m.summary;
        long reserved = 0;
        if (!m.headEmitted) {
            roots.addAll(m.headRoots);
            reserved += m.headReservedBytes;
            m.headEmitted = true;
        }
        boolean finalPiece = p == null || (p.lastOfRun() && m.bodyComplete);
        if (p != null) {
            boolean whole = p.number() == 1 && p.lastOfRun() && m.bodyComplete && m.bodyMissingBytes == 0
                    && p.truncatedBytes() == 0;
            if (p.number() > 1 || !p.lastOfRun() || m.bodySplit) {
                summary = summary + " [piece " + p.number() + "]";
                attributes.put("piece", Integer.toString(p.number()));
                attributes.put("piece-offset", Long.toString(p.objectOffset()));
            }
            if (p.length() > 0 || p.truncatedBytes() > 0) {
                long declared = m.declaredBodyLength >= 0 ? m.declaredBodyLength : p.length() + p.truncatedBytes();
                roots.add(new ContentObject(null, m.bodyLayer, null, p.data(), 0, p.length(), -1, declared, !whole,
                        m.bodyHints));
            }
            if (p.truncatedBytes() > 0) {
                notes.add(p.truncatedBytes() + " body bytes not buffered (memory budget exhausted)");
            }
            reserved += p.reservedBytes();
        }
        if (m.chunkExtensions.size() > 0) {
            roots.add(ContentObject.root("http-chunk-extensions", null, m.chunkExtensions.toByteArray(), null));
            m.chunkExtensions.reset();
        }
        if (m.trailerBytes != null && finalPiece) {
            roots.add(ContentObject.root("http-trailers", null, m.trailerBytes, null));
            m.trailerBytes = null;
        }
        Transmission t = new Transmission(context.sink().nextId(), flow, direction, "http", m.destination, summary,
                m.pieceFirstNanos, now, m.streamOffset, attributes, roots, 0, notes, reserved);
        m.pieceFirstNanos = now;
        context.sink().accept(t);
    }

    /** A piece of the raw object (null: only notes are left to carry). */
    private void emitRaw(PieceCollector.Piece p) {
        List<ContentObject> roots = new ArrayList<>();
        List<String> notes = new ArrayList<>(rawNotes);
        rawNotes.clear();
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("http-fallback", rawReason);
        String summary = rawSummary;
        long streamOffset = rawStreamStart;
        long reserved = 0;
        if (p != null) {
            streamOffset += p.objectOffset();
            if (p.number() > 1 || !p.lastOfRun() || rawSplit) {
                summary = summary + " [piece " + p.number() + "]";
                attributes.put("piece", Integer.toString(p.number()));
            }
            if (p.length() > 0 || p.truncatedBytes() > 0) {
                roots.add(new ContentObject(null, "tcp-stream", null, p.data(), 0, p.length(), -1,
                        p.length() + p.truncatedBytes(), p.truncatedBytes() > 0 || rawRunEndsAtGap, null));
            }
            if (p.truncatedBytes() > 0) {
                notes.add(p.truncatedBytes() + " stream bytes not buffered (memory budget exhausted)");
            }
            reserved = p.reservedBytes();
        } else {
            streamOffset += raw.position();
        }
        Transmission t = new Transmission(context.sink().nextId(), flow, direction, "tcp", rawDestination(),
                summary, rawPieceFirstNanos, now, streamOffset, attributes, roots, 0, notes, reserved);
        rawPieceFirstNanos = now;
        context.sink().accept(t);
    }

    /** Notes about missing bytes that no later message or raw object can carry. */
    private void emitNotesOnly() {
        List<String> notes = new ArrayList<>(pendingNotes);
        pendingNotes.clear();
        context.sink().accept(new Transmission(context.sink().nextId(), flow, direction, "tcp", rawDestination(),
                "bytes missing after the last HTTP message", now, now, -1, Map.of(), List.of(), 0, notes, 0));
    }

    // ---- input helpers ----

    /** Reads into the line buffer, remembering where the buffered bytes start in the stream. */
    private int readLine(ByteBuffer buf, int pos, int end, int maxContent) {
        if (lines.isEmpty()) {
            bufferStreamOffset = streamOffsetOf(pos);
            bufferFirstNanos = now;
        }
        return lines.readLine(buf, pos, end, maxContent);
    }

    private long streamOffsetOf(int pos) {
        return callStreamOffset + (pos - callOffset);
    }
}
