package org.egressaudit.analyzers.protocol.http2;

import org.egressaudit.analyzers.protocol.PieceCollector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.flow.StreamListener;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.Transmission;
import org.egressaudit.analyzers.protocol.raw.StreamPieceCollector;

/**
 * One direction of an HTTP/2 connection: frames ({@link Http2FrameReader}), header blocks ({@link HpackDecoder}) and
 * the messages of the streams multiplexed on it. The client side emits each request as transmissions like the
 * HTTP/1.x layer does ("http-headers", "http-query" and "http-body" roots); the server side emits responses as
 * server-to-client transmissions ("http-response-body") and reports their status as "http-response" events.
 *
 * <p>When framing or header compression is lost (a limit, malformed framing, an HPACK error, missing bytes outside a
 * DATA payload) the open messages are emitted with a note and the rest of the direction becomes a raw "tcp-stream"
 * object; nothing is dropped.
 */
final class Http2DirectionDecoder implements StreamListener, Http2FrameReader.Listener {

    private static final Map<String, String> QUERY_HINTS = Map.of("content-type", "application/x-www-form-urlencoded");
    private static final int MAX_PENDING_NOTES = 64;
    static final String RAW_SUMMARY = "raw stream after HTTP/2 framing failure";

    private final FlowKey flow;
    private final ProtocolContext context;
    private final Http2Limits limits;
    private final Direction direction;
    private final Http2Requests requests;
    private final Http2FrameReader reader;
    private final HpackDecoder hpack;
    private Http2DirectionDecoder peer;

    /** Streams with a message in progress, in the order they opened. */
    private final Map<Integer, Http2Message> open = new LinkedHashMap<>();

    // the header block being assembled from HEADERS/PUSH_PROMISE and CONTINUATION frames
    private byte[] block = new byte[0];
    private int blockLength;
    private int blockStreamId = -1;
    private int blockType;
    private int blockFlags;
    private int blockPromised;
    private long blockOffset;
    private long blockFirstNanos;

    private final List<String> pendingNotes = new ArrayList<>();
    private int droppedNotes;
    private StreamPieceCollector raw;
    private PieceCollector extras;
    private final Set<String> extrasKinds = new LinkedHashSet<>();
    private long extrasFirstNanos;
    private long frameOffset;
    private int frameStreamId;
    private long now;
    private boolean ended;
    private String lastDestination;

    Http2DirectionDecoder(FlowKey flow, ProtocolContext context, Http2Limits limits, Direction direction,
                          Http2Requests requests) {
        this.flow = flow;
        this.context = context;
        this.limits = limits;
        this.direction = direction;
        this.requests = requests;
        this.reader = new Http2FrameReader(limits, direction == Direction.CLIENT_TO_SERVER, this);
        this.hpack = new HpackDecoder(limits.maxHpackTableSize(), limits.maxHeaderListSize());
    }

    void setPeer(Http2DirectionDecoder peer) {
        this.peer = peer;
    }

    boolean ended() {
        return ended;
    }

    /** True once the direction is analysed raw. */
    boolean raw() {
        return raw != null;
    }

    private boolean client() {
        return direction == Direction.CLIENT_TO_SERVER;
    }

    private String sender() {
        return client() ? "client" : "server";
    }

    // ---- StreamListener ----

    @Override
    public void onData(ByteBuffer buffer, int offset, int length, long streamOffset, long timestampNanos) {
        if (ended || length <= 0) {
            return;
        }
        now = timestampNanos;
        if (raw != null) {
            raw.append(buffer, offset, length, streamOffset, timestampNanos);
            return;
        }
        int end = offset + length;
        int pos = reader.read(buffer, offset, end, streamOffset);
        if (reader.failed()) {
            enterRaw();
            if (pos < end) {
                raw.append(buffer, pos, end - pos, streamOffset + (pos - offset), timestampNanos);
            }
        }
    }

    @Override
    public void onGap(long streamOffset, long length, long timestampNanos) {
        if (ended || length <= 0) {
            return;
        }
        now = timestampNanos;
        if (raw == null) {
            reader.gap(length);
            if (!reader.failed()) {
                return;
            }
            enterRaw();
        }
        raw.gap(streamOffset, length, timestampNanos);
    }

    @Override
    public void onEnd(StreamEnd end, long timestampNanos) {
        if (ended) {
            return;
        }
        now = timestampNanos;
        String how = "stream ended (" + end + ")";
        if (raw == null) {
            if (blockStreamId >= 0) {
                addNote(how + " inside the header block of stream " + blockStreamId);
                emitUndecodedBlock(how);
            } else if (!reader.atFrameBoundary()) {
                addNote(how + " inside a frame at stream offset " + reader.frameStart());
            }
            endAllOpen(how + " before END_STREAM");
        } else {
            raw.finish();
        }
        if (extras != null) {
            extras.finish();
        }
        if (!pendingNotes.isEmpty()) {
            emitNotesOnly();
        }
        ended = true;
    }

    // ---- frames ----

    @Override
    public void frameStart(int type, int flags, int streamId, int length, long streamOffset) {
        frameOffset = streamOffset;
        frameStreamId = streamId;
        if (blockStreamId >= 0 && (type != Http2FrameReader.CONTINUATION || streamId != blockStreamId)) {
            reader.fail("expected CONTINUATION of the header block of stream " + blockStreamId + ", got "
                    + Http2FrameReader.frameName(type) + " on stream " + streamId);
        } else if (blockStreamId < 0 && type == Http2FrameReader.CONTINUATION) {
            reader.fail("CONTINUATION on stream " + streamId + " without a header block to continue");
        }
    }

    @Override
    public void headerFragment(int type, int flags, int streamId, int promisedStreamId, byte[] data, int offset,
                               int length) {
        if (type != Http2FrameReader.CONTINUATION) {
            blockStreamId = streamId;
            blockType = type;
            blockFlags = flags;
            blockPromised = promisedStreamId;
            blockOffset = frameOffset;
            blockFirstNanos = now;
            blockLength = 0;
        }
        if ((long) blockLength + length > limits.maxHeaderListSize()) {
            reader.fail("header block of stream " + streamId + " larger than " + limits.maxHeaderListSize()
                    + " bytes");
            return;
        }
        if (block.length < blockLength + length) {
            block = java.util.Arrays.copyOf(block, Math.max(blockLength + length, Math.min(
                    limits.maxHeaderListSize(), Math.max(1024, block.length * 2))));
        }
        System.arraycopy(data, offset, block, blockLength, length);
        blockLength += length;
        if ((flags & Http2FrameReader.FLAG_END_HEADERS) != 0) {
            headerBlockComplete();
        }
    }

    private void headerBlockComplete() {
        List<String> notes = new ArrayList<>();
        List<HeaderField> fields;
        try {
            fields = hpack.decode(block, 0, blockLength, notes);
        } catch (HpackException e) {
            reader.fail("HPACK: " + e.getMessage() + " (header block of stream " + blockStreamId + ")");
            return;
        }
        int id = blockStreamId;
        blockStreamId = -1;
        if (id == 0) {
            notes.add("header block on stream 0");
        }
        if (blockType == Http2FrameReader.PUSH_PROMISE) {
            pushPromise(id, blockPromised, fields, notes);
        } else {
            headers(id, fields, (blockFlags & Http2FrameReader.FLAG_END_STREAM) != 0, notes);
        }
        blockLength = 0;
    }

    private void headers(int id, List<HeaderField> fields, boolean endStream, List<String> notes) {
        Http2Head head = Http2Head.of(fields);
        Http2Message m = open.get(id);
        if (m != null) {
            // A second header block on an open stream: trailers.
            notes.forEach(m::note);
            head.notes.forEach(m::note);
            m.trailerBytes = head.rendering;
            m.attributes.putAll(head.attributes("trailer:"));
            if (!endStream) {
                m.note("trailers without END_STREAM");
            }
            endMessage(m, true);
            return;
        }
        if (open.size() >= limits.maxConcurrentStreams()) {
            reader.fail("more than " + limits.maxConcurrentStreams() + " concurrent streams");
            return;
        }
        m = new Http2Message(id, blockOffset, blockFirstNanos);
        takePendingNotes(m);
        notes.forEach(m::note);
        head.notes.forEach(m::note);
        boolean interim = client() ? describeRequest(m, head) : describeResponse(m, head, endStream);
        if (interim) {
            m.drainNotes().forEach(this::addNote);
            return;
        }
        m.headSeen = true;
        if (!m.headRoots.isEmpty() && context.budget().tryReserve(head.rendering.length)) {
            // Heads are bounded by Http2Limits and always kept; they are charged to the budget when it has room.
            m.headReservedBytes = head.rendering.length;
        }
        Http2Message msg = m;
        m.body = new PieceCollector(context, p -> emit(msg, p));
        open.put(id, m);
        if (endStream) {
            endMessage(m, true);
        }
    }

    private boolean describeRequest(Http2Message m, Http2Head head) {
        String method = head.pseudo(":method");
        String path = head.pseudo(":path");
        String authority = head.pseudo(":authority");
        boolean connect = "CONNECT".equals(method);
        if (method == null) {
            m.note("request without :method");
        }
        if (path == null && !connect) {
            m.note("request without :path");
        }
        String host = Http2Head.hostWithoutPort(authority != null ? authority : head.joined("host"));
        m.destination = host != null ? host : flow.serverAddress();
        lastDestination = m.destination;
        String uri = connect && path == null ? authority : path;
        String shownMethod = method != null ? method : "?";
        String shownUri = uri != null ? uri : "?";
        m.summary = shownMethod + " " + shownUri + " (h2 stream " + m.streamId + ")";
        if (method != null) {
            m.attributes.put("method", method);
        }
        if (uri != null) {
            m.attributes.put("uri", uri);
        }
        if (host != null) {
            m.attributes.put("host", host);
        }
        if (head.pseudo(":scheme") != null) {
            m.attributes.put("scheme", head.pseudo(":scheme"));
        }
        if (head.pseudo(":protocol") != null) {
            m.attributes.put("protocol", head.pseudo(":protocol"));
        }
        m.attributes.put("http-version", "HTTP/2");
        m.attributes.put("h2-stream", Integer.toString(m.streamId));
        m.attributes.putAll(head.attributes("header:"));
        m.headRoots.add(ContentObject.root("http-headers", null, head.rendering, null));
        if (head.queryStart >= 0) {
            int n = head.queryEnd - head.queryStart;
            m.headRoots.add(new ContentObject(null, "http-query", null, head.rendering, head.queryStart, n, -1, n,
                    false, QUERY_HINTS));
        }
        m.bodyLayer = "http-body";
        bodyHints(m, head);
        requests.put(m.streamId, new Http2Requests.Request(shownMethod, shownUri, m.destination));
        return false;
    }

    /** Returns true for an interim (1xx) response, which leaves the stream waiting for the final head. */
    private boolean describeResponse(Http2Message m, Http2Head head, boolean endStream) {
        String status = head.pseudo(":status");
        if (status == null) {
            m.note("response without :status");
        }
        Http2Requests.Request request = requests.get(m.streamId);
        String shownStatus = status != null ? status : "?";
        String about = request != null
                ? "response to " + request.method() + " " + request.uri() + ", h2 stream " + m.streamId
                : "h2 stream " + m.streamId;
        if (status != null && status.length() == 3 && status.charAt(0) == '1' && !status.equals("101")
                && !endStream) {
            context.sink().event(flow, direction, "http-response", "HTTP/2 " + status + " (interim, " + about + ")",
                    now);
            return true;
        }
        m.destination = request != null ? request.destination() : flow.serverAddress();
        lastDestination = m.destination;
        m.summary = "HTTP/2 " + shownStatus + " (" + about + ")";
        if (status != null) {
            m.attributes.put("status", status);
        }
        m.attributes.put("http-version", "HTTP/2");
        if (request != null) {
            m.attributes.put("request-method", request.method());
            m.attributes.put("request-uri", request.uri());
        }
        m.attributes.put("h2-stream", Integer.toString(m.streamId));
        m.attributes.putAll(head.attributes("header:"));
        m.bodyLayer = "http-response-body";
        bodyHints(m, head);
        context.sink().event(flow, direction, "http-response", m.summary, m.firstNanos);
        return false;
    }

    private static void bodyHints(Http2Message m, Http2Head head) {
        for (String hint : new String[] {"content-type", "content-encoding"}) {
            String v = head.joined(hint);
            if (v != null) {
                m.bodyHints.put(hint, v);
            }
        }
        m.declaredBodyLength = head.contentLength();
    }

    private void pushPromise(int id, int promised, List<HeaderField> fields, List<String> notes) {
        Http2Head head = Http2Head.of(fields);
        notes.addAll(head.notes);
        if (client()) {
            notes.add("PUSH_PROMISE sent by the client");
        }
        String method = head.pseudo(":method") != null ? head.pseudo(":method") : "?";
        String path = head.pseudo(":path") != null ? head.pseudo(":path") : "?";
        String host = Http2Head.hostWithoutPort(head.pseudo(":authority"));
        Http2Requests.Request parent = requests.get(id);
        String destination = host != null ? host : parent != null ? parent.destination() : flow.serverAddress();
        requests.put(promised, new Http2Requests.Request(method, path, destination));
        context.sink().event(flow, direction, "h2-push-promise", method + " " + path + " (promised stream "
                + promised + " on stream " + id + ")", now);
        for (String n : notes) {
            addNote(n);
        }
    }

    @Override
    public void dataBytes(int streamId, ByteBuffer buf, int offset, int length) {
        Http2Message m = messageForData(streamId);
        if (m != null && length > 0) {
            m.body.append(buf, offset, length);
        }
    }

    @Override
    public void dataGap(int streamId, long length) {
        Http2Message m = messageForData(streamId);
        if (m != null) {
            m.note(length + " bytes missing at body offset " + m.body.position());
            m.bodyMissingBytes += length;
            m.bodySplit = true;
            m.body.gap(length);
        }
    }

    @Override
    public void dataEnd(int streamId, boolean endStream) {
        Http2Message m = open.get(streamId);
        if (m != null && endStream) {
            endMessage(m, true);
        }
    }

    /** The open message of a stream, or a new one for DATA whose headers were not seen. */
    private Http2Message messageForData(int streamId) {
        Http2Message m = open.get(streamId);
        if (m != null) {
            return m;
        }
        if (open.size() >= limits.maxConcurrentStreams()) {
            reader.fail("more than " + limits.maxConcurrentStreams() + " concurrent streams");
            return null;
        }
        m = new Http2Message(streamId, frameOffset, now);
        takePendingNotes(m);
        m.note("DATA on stream " + streamId + " without an open message (headers not seen or stream closed)");
        Http2Requests.Request request = client() ? null : requests.get(streamId);
        m.destination = request != null ? request.destination()
                : lastDestination != null ? lastDestination : flow.serverAddress();
        m.summary = "DATA on h2 stream " + streamId + " without headers";
        m.attributes.put("http-version", "HTTP/2");
        m.attributes.put("h2-stream", Integer.toString(streamId));
        m.bodyLayer = client() ? "http-body" : "http-response-body";
        m.headSeen = true;
        Http2Message msg = m;
        m.body = new PieceCollector(context, p -> emit(msg, p));
        open.put(streamId, m);
        return m;
    }

    @Override
    public void controlFrame(int type, int flags, int streamId, byte[] payload, int length) {
        switch (type) {
            case Http2FrameReader.SETTINGS -> {
                if ((flags & Http2FrameReader.FLAG_ACK) == 0) {
                    settings(payload, length);
                }
            }
            case Http2FrameReader.RST_STREAM -> {
                long code = Http2FrameReader.readUInt32(payload, 0);
                String reason = "stream reset by the " + sender() + " (" + errorName(code) + ")";
                context.sink().event(flow, direction, "h2-rst-stream", "stream " + streamId + ": " + reason, now);
                Http2Message m = open.get(streamId);
                if (m != null) {
                    m.note(reason);
                    endMessage(m, false);
                }
                if (peer != null) {
                    peer.peerReset(streamId, reason);
                }
            }
            case Http2FrameReader.GOAWAY -> {
                int last = Http2FrameReader.readInt31(payload, 0);
                long code = Http2FrameReader.readUInt32(payload, 4);
                String detail = "GOAWAY from the " + sender() + " (" + errorName(code) + ", last stream " + last + ")";
                context.sink().event(flow, direction, "h2-goaway", detail, now);
                if (code != 0) {
                    addNote(detail);
                }
                if (length > 8) {
                    extraBytes("GOAWAY debug data", ByteBuffer.wrap(payload), 8, length - 8);
                }
            }
            default -> {
                // PING, PRIORITY, WINDOW_UPDATE: flow control and liveness, no content.
            }
        }
    }

    private void settings(byte[] payload, int length) {
        StringBuilder detail = new StringBuilder();
        for (int i = 0; i + 6 <= length; i += 6) {
            int id = ((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff);
            long value = Http2FrameReader.readUInt32(payload, i + 2);
            detail.append(detail.length() == 0 ? "" : " ").append(settingName(id)).append('=').append(value);
            if (peer == null) {
                continue;
            }
            // A setting constrains what the other side sends: it configures the decoder of the other direction.
            if (id == 0x1) {
                peer.hpack.setAnnouncedMaxTableSize(value);
            } else if (id == 0x5) {
                if (value < Http2FrameReader.DEFAULT_MAX_FRAME_SIZE || value > 0xffffff) {
                    addNote("invalid SETTINGS_MAX_FRAME_SIZE " + value);
                } else {
                    peer.reader.setPeerMaxFrameSize((int) value);
                }
            }
        }
        context.sink().event(flow, direction, "h2-settings", detail.toString(), now);
    }

    /** The other side reset a stream: this side's message on it ends there. */
    private void peerReset(int streamId, String reason) {
        Http2Message m = open.get(streamId);
        if (m != null && raw == null && !ended) {
            m.note(reason);
            endMessage(m, false);
        }
    }

    @Override
    public void extraBytes(String what, ByteBuffer buf, int offset, int length) {
        if (extras == null) {
            extras = new PieceCollector(context, this::emitExtras);
            extrasFirstNanos = now;
        }
        extrasKinds.add(what);
        extras.append(buf, offset, length);
    }

    @Override
    public void note(String note) {
        // A frame anomaly belongs to the message of the frame's stream when there is one.
        Http2Message m = frameStreamId != 0 ? open.get(frameStreamId) : null;
        if (m != null) {
            m.note(note);
        } else {
            addNote(note);
        }
    }

    private void addNote(String note) {
        if (pendingNotes.size() < MAX_PENDING_NOTES) {
            pendingNotes.add(note);
        } else {
            droppedNotes++;
        }
    }

    private void takePendingNotes(Http2Message m) {
        pendingNotes.forEach(m::note);
        pendingNotes.clear();
        if (droppedNotes > 0) {
            m.note(droppedNotes + " further notes omitted");
            droppedNotes = 0;
        }
    }

    // ---- message life ----

    private void endMessage(Http2Message m, boolean complete) {
        m.bodyComplete = complete;
        open.remove(m.streamId);
        if (!client()) {
            requests.remove(m.streamId);
        }
        if (complete && m.declaredBodyLength >= 0 && m.body != null
                && m.body.position() != m.declaredBodyLength) {
            m.note("content-length " + m.declaredBodyLength + " but the DATA frames carried " + m.body.position()
                    + " bytes");
        }
        if (m.body != null) {
            m.body.finish();
        }
        if (!m.headEmitted || !m.notes.isEmpty() || m.trailerBytes != null) {
            emit(m, null);
        }
    }

    /** Ends every open message with {@code note}; notes still pending go with the first one. */
    private void endAllOpen(String note) {
        for (Http2Message m : new ArrayList<>(open.values())) {
            takePendingNotes(m);
            m.note(note);
            endMessage(m, false);
        }
    }

    /** Framing is lost: open messages end, the held bytes of the current frame start the raw object. */
    private void enterRaw() {
        String reason = reader.failure();
        byte[] held = reader.heldBytes();
        long rawStart = held.length > 0 ? reader.frameStart() : reader.offset();
        String note = reason + " (stream offset " + rawStart + "); the rest of the direction is analysed raw";
        if (blockStreamId >= 0) {
            emitUndecodedBlock(reason);
        }
        endAllOpen("HTTP/2 framing lost: " + reason);
        raw = new StreamPieceCollector(context, flow, direction, "tcp",
                lastDestination != null ? lastDestination : flow.serverAddress(), RAW_SUMMARY, "tcp-stream");
        raw.putAttribute("h2-fallback", reason);
        raw.addNote(note);
        for (String n : pendingNotes) {
            raw.addNote(n);
        }
        pendingNotes.clear();
        if (held.length > 0) {
            raw.append(held, 0, held.length, rawStart, now);
        }
    }

    /** A header block that will never be decoded is kept as it is: literal strings may be readable in it. */
    private void emitUndecodedBlock(String reason) {
        byte[] b = java.util.Arrays.copyOf(block, blockLength);
        int id = blockStreamId;
        blockStreamId = -1;
        blockLength = 0;
        if (b.length == 0) {
            return;
        }
        List<String> notes = new ArrayList<>();
        notes.add("header block of stream " + id + " not decoded: " + reason);
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("h2-stream", Integer.toString(id));
        long reserved = context.budget().tryReserve(b.length) ? b.length : 0;
        context.sink().accept(new Transmission(context.sink().nextId(), flow, direction, "h2",
                lastDestination != null ? lastDestination : flow.serverAddress(),
                "undecoded header block (h2 stream " + id + ")", blockFirstNanos, now, blockOffset, attributes,
                List.of(ContentObject.root("h2-header-block", null, b, null)), 0, notes, reserved));
    }

    // ---- emission ----

    private void emit(Http2Message m, PieceCollector.Piece p) {
        List<ContentObject> roots = new ArrayList<>();
        List<String> notes = m.drainNotes();
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
        if (m.trailerBytes != null && finalPiece) {
            roots.add(ContentObject.root("http-trailers", null, m.trailerBytes, null));
            m.trailerBytes = null;
        }
        Transmission t = new Transmission(context.sink().nextId(), flow, direction, "h2", m.destination, summary,
                m.pieceFirstNanos, now, m.streamOffset, attributes, roots, 0, notes, reserved);
        m.pieceFirstNanos = now;
        context.sink().accept(t);
    }

    private void emitExtras(PieceCollector.Piece p) {
        List<String> notes = new ArrayList<>();
        notes.add("bytes outside HTTP messages: " + String.join(", ", extrasKinds));
        if (p.truncatedBytes() > 0) {
            notes.add(p.truncatedBytes() + " bytes not buffered (memory budget exhausted)");
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("piece", Integer.toString(p.number()));
        List<ContentObject> roots = p.length() > 0
                ? List.of(new ContentObject(null, "h2-frame-extras", null, p.data(), 0, p.length(), -1,
                p.length() + p.truncatedBytes(), p.truncatedBytes() > 0, null))
                : List.of();
        context.sink().accept(new Transmission(context.sink().nextId(), flow, direction, "h2",
                lastDestination != null ? lastDestination : flow.serverAddress(),
                "HTTP/2 frame bytes outside messages", extrasFirstNanos, now, -1, attributes, roots, 0, notes,
                p.reservedBytes()));
        extrasFirstNanos = now;
    }

    /** Notes that no message or raw object can carry any more. */
    private void emitNotesOnly() {
        List<String> notes = new ArrayList<>(pendingNotes);
        pendingNotes.clear();
        if (droppedNotes > 0) {
            notes.add(droppedNotes + " further notes omitted");
            droppedNotes = 0;
        }
        context.sink().accept(new Transmission(context.sink().nextId(), flow, direction, "h2",
                lastDestination != null ? lastDestination : flow.serverAddress(), "HTTP/2 connection notes", now,
                now, -1, Map.of(), List.of(), 0, notes, 0));
    }

    static String errorName(long code) {
        return switch ((int) code) {
            case 0x0 -> "NO_ERROR";
            case 0x1 -> "PROTOCOL_ERROR";
            case 0x2 -> "INTERNAL_ERROR";
            case 0x3 -> "FLOW_CONTROL_ERROR";
            case 0x4 -> "SETTINGS_TIMEOUT";
            case 0x5 -> "STREAM_CLOSED";
            case 0x6 -> "FRAME_SIZE_ERROR";
            case 0x7 -> "REFUSED_STREAM";
            case 0x8 -> "CANCEL";
            case 0x9 -> "COMPRESSION_ERROR";
            case 0xa -> "CONNECT_ERROR";
            case 0xb -> "ENHANCE_YOUR_CALM";
            case 0xc -> "INADEQUATE_SECURITY";
            case 0xd -> "HTTP_1_1_REQUIRED";
            default -> "error 0x" + Long.toHexString(code);
        };
    }

    static String settingName(int id) {
        return switch (id) {
            case 0x1 -> "HEADER_TABLE_SIZE";
            case 0x2 -> "ENABLE_PUSH";
            case 0x3 -> "MAX_CONCURRENT_STREAMS";
            case 0x4 -> "INITIAL_WINDOW_SIZE";
            case 0x5 -> "MAX_FRAME_SIZE";
            case 0x6 -> "MAX_HEADER_LIST_SIZE";
            case 0x8 -> "ENABLE_CONNECT_PROTOCOL";
            default -> "0x" + Integer.toHexString(id);
        };
    }
}
