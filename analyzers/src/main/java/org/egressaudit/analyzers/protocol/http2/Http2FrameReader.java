package org.egressaudit.analyzers.protocol.http2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The frame layer of one direction of an HTTP/2 connection (RFC 9113 section 4) as a state machine that resumes
 * at any byte boundary: the client connection preface (client side only), the 9-byte frame header, then the
 * payload. DATA payloads and the payloads of unknown frame types are streamed to the {@link Listener} as they
 * arrive; every other payload is buffered whole (bounded by {@link Http2Limits}) and delivered with padding and
 * priority fields removed.
 *
 * <p>A violation that breaks framing, or a limit, makes the reader {@linkplain #failed() fail}: it consumes nothing
 * more, and {@link #heldBytes()} returns the bytes of the current frame that were not yet delivered, so that the
 * caller can analyse them and the rest of the stream raw. Violations that leave framing intact are notes.
 */
final class Http2FrameReader {

    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static final int FRAME_HEADER_LENGTH = 9;
    static final int DEFAULT_MAX_FRAME_SIZE = 16384;

    static final int DATA = 0;
    static final int HEADERS = 1;
    static final int PRIORITY = 2;
    static final int RST_STREAM = 3;
    static final int SETTINGS = 4;
    static final int PUSH_PROMISE = 5;
    static final int PING = 6;
    static final int GOAWAY = 7;
    static final int WINDOW_UPDATE = 8;
    static final int CONTINUATION = 9;

    static final int FLAG_END_STREAM = 0x1;
    static final int FLAG_ACK = 0x1;
    static final int FLAG_END_HEADERS = 0x4;
    static final int FLAG_PADDED = 0x8;
    static final int FLAG_PRIORITY = 0x20;

    /** What the frames carry. Any callback may call {@link #fail} to stop the reader. */
    interface Listener {

        /** A frame header was read ({@code streamOffset}: where the frame starts). */
        void frameStart(int type, int flags, int streamId, int length, long streamOffset);

        /** Bytes of a DATA payload, padding excluded. */
        void dataBytes(int streamId, ByteBuffer buf, int offset, int length);

        /** Bytes of a DATA payload that were never captured. */
        void dataGap(int streamId, long length);

        /** The DATA frame is complete. */
        void dataEnd(int streamId, boolean endStream);

        /**
         * A HEADERS, PUSH_PROMISE or CONTINUATION frame: its header block fragment (padding and priority fields
         * removed). {@code promisedStreamId} is set for PUSH_PROMISE, else 0.
         */
        void headerFragment(int type, int flags, int streamId, int promisedStreamId, byte[] data, int offset,
                            int length);

        /** A complete SETTINGS, RST_STREAM, GOAWAY, PING, PRIORITY or WINDOW_UPDATE payload of a valid length. */
        void controlFrame(int type, int flags, int streamId, byte[] payload, int length);

        /**
         * Bytes that carry no HTTP message but could carry data: payloads of unknown frame types and padding
         * that is not all zero. {@code what} says which.
         */
        void extraBytes(String what, ByteBuffer buf, int offset, int length);

        /** An anomaly that did not break framing. */
        void note(String note);
    }

    private enum State {
        PREFACE,
        HEADER,
        PAYLOAD,
        DATA_PAD_LENGTH,
        DATA_BODY,
        DATA_PADDING,
        SKIP,
        FAILED
    }

    private final Http2Limits limits;
    private final Listener listener;
    private State state;
    private int prefaceMatched;
    private final byte[] header = new byte[FRAME_HEADER_LENGTH];
    private int headerFill;
    private int length;
    private int type;
    private int flags;
    private int streamId;
    private byte[] payload = new byte[0];
    private int payloadFill;
    /** DATA: payload bytes still to come (data then padding); SKIP: bytes to skip. */
    private long remaining;
    private int padLength;
    private boolean paddingNonZeroNoted;
    private long frameStart;
    private long offset;
    private int peerMaxFrameSize = DEFAULT_MAX_FRAME_SIZE;
    private boolean oversizeNoted;
    private String failure;
    private State stateAtFailure;
    private long frames;

    /** {@code expectPreface}: the client side, which starts with the connection preface. */
    Http2FrameReader(Http2Limits limits, boolean expectPreface, Listener listener) {
        this.limits = limits;
        this.listener = listener;
        this.state = expectPreface ? State.PREFACE : State.HEADER;
    }

    /** SETTINGS_MAX_FRAME_SIZE announced by the receiver of this direction; larger frames are noted. */
    void setPeerMaxFrameSize(int size) {
        peerMaxFrameSize = size;
    }

    boolean failed() {
        return state == State.FAILED;
    }

    String failure() {
        return failure;
    }

    /** Frames read completely or partly so far. */
    long frames() {
        return frames;
    }

    /** Stream offset of the next byte the reader expects. */
    long offset() {
        return offset;
    }

    /** Stream offset where the current frame (or the preface) starts. */
    long frameStart() {
        return frameStart;
    }

    /** True between frames: no byte of a frame is pending. */
    boolean atFrameBoundary() {
        return state == State.HEADER && headerFill == 0;
    }

    /** Stops the reader; the current frame's undelivered bytes stay {@linkplain #heldBytes() held}. */
    void fail(String reason) {
        if (state != State.FAILED) {
            failure = reason;
            stateAtFailure = state;
            state = State.FAILED;
        }
    }

    /**
     * The bytes of the current frame (or preface) that no callback received, in stream order from
     * {@link #frameStart()}, after a failure; empty when the failure came inside a streamed payload.
     */
    byte[] heldBytes() {
        if (stateAtFailure == null) {
            return new byte[0];
        }
        return switch (stateAtFailure) {
            case PREFACE -> java.util.Arrays.copyOf(PREFACE, prefaceMatched);
            case HEADER -> java.util.Arrays.copyOf(header, headerFill);
            case DATA_PAD_LENGTH -> header.clone();
            case PAYLOAD -> {
                byte[] b = new byte[FRAME_HEADER_LENGTH + payloadFill];
                System.arraycopy(header, 0, b, 0, FRAME_HEADER_LENGTH);
                System.arraycopy(payload, 0, b, FRAME_HEADER_LENGTH, payloadFill);
                yield b;
            }
            default -> new byte[0];
        };
    }

    /**
     * Consumes {@code buf[pos, end)} starting at {@code streamOffset}; returns where it stopped ({@code end} unless
     * the reader failed).
     */
    int read(ByteBuffer buf, int pos, int end, long streamOffset) {
        offset = streamOffset;
        while (pos < end && state != State.FAILED) {
            int before = pos;
            pos = switch (state) {
                case PREFACE -> readPreface(buf, pos, end);
                case HEADER -> readHeader(buf, pos, end);
                case PAYLOAD -> readPayload(buf, pos, end);
                case DATA_PAD_LENGTH -> readPadLength(buf, pos);
                case DATA_BODY -> readDataBody(buf, pos, end);
                case DATA_PADDING -> readPadding(buf, pos, end);
                case SKIP -> skip(buf, pos, end);
                case FAILED -> pos;
            };
            offset += pos - before;
        }
        return pos;
    }

    /**
     * Bytes that were never captured at the current position. Framing survives only inside a DATA payload, its
     * padding or an unknown frame's payload that the gap does not run past; otherwise the reader fails.
     */
    void gap(long gapLength) {
        if (state == State.FAILED) {
            return;
        }
        boolean inside = gapLength <= remaining;
        switch (state) {
            case DATA_BODY -> {
                if (inside) {
                    long dataPart = Math.min(gapLength, remaining - padLength);
                    remaining -= gapLength;
                    offset += gapLength;
                    if (dataPart > 0) {
                        listener.dataGap(streamId, dataPart);
                    }
                    if (remaining <= padLength && state != State.FAILED) {
                        padLength = (int) remaining;
                        afterDataBody();
                    }
                    return;
                }
            }
            case DATA_PADDING, SKIP -> {
                if (inside) {
                    remaining -= gapLength;
                    offset += gapLength;
                    if (remaining == 0) {
                        if (state == State.DATA_PADDING) {
                            listener.dataEnd(streamId, (flags & FLAG_END_STREAM) != 0);
                        }
                        if (state != State.FAILED) {
                            frameDone();
                        }
                    }
                    return;
                }
            }
            default -> {
            }
        }
        fail(gapLength + " bytes missing at stream offset " + offset
                + (atFrameBoundary() ? " between frames" : " inside a frame") + ": frame boundaries lost");
    }

    // ---- states ----

    private int readPreface(ByteBuffer buf, int pos, int end) {
        frameStart = offset - prefaceMatched;
        while (pos < end && prefaceMatched < PREFACE.length) {
            if (buf.get(pos) != PREFACE[prefaceMatched]) {
                fail("the stream does not start with the HTTP/2 client connection preface");
                return pos;
            }
            prefaceMatched++;
            pos++;
        }
        if (prefaceMatched == PREFACE.length) {
            state = State.HEADER;
        }
        return pos;
    }

    private int readHeader(ByteBuffer buf, int pos, int end) {
        if (headerFill == 0) {
            frameStart = offset;
        }
        int n = Math.min(end - pos, FRAME_HEADER_LENGTH - headerFill);
        buf.get(pos, header, headerFill, n);
        headerFill += n;
        pos += n;
        if (headerFill < FRAME_HEADER_LENGTH) {
            return pos;
        }
        frames++;
        length = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
        type = header[3] & 0xff;
        flags = header[4] & 0xff;
        streamId = ((header[5] & 0x7f) << 24) | ((header[6] & 0xff) << 16) | ((header[7] & 0xff) << 8)
                | (header[8] & 0xff);
        if (length > limits.maxFrameSize()) {
            fail("frame of " + length + " bytes exceeds the limit of " + limits.maxFrameSize());
            return pos;
        }
        listener.frameStart(type, flags, streamId, length, frameStart);
        if (state == State.FAILED) {
            return pos;
        }
        if (length > peerMaxFrameSize && !oversizeNoted) {
            oversizeNoted = true;
            listener.note("frame of " + length + " bytes exceeds the announced SETTINGS_MAX_FRAME_SIZE "
                    + peerMaxFrameSize);
        }
        switch (type) {
            case DATA -> {
                remaining = length;
                padLength = 0;
                state = (flags & FLAG_PADDED) != 0 ? State.DATA_PAD_LENGTH : State.DATA_BODY;
                if (state == State.DATA_PAD_LENGTH && length == 0) {
                    fail("padded DATA frame without a pad length");
                } else if (state == State.DATA_BODY && length == 0) {
                    afterDataBody();
                }
            }
            case HEADERS, PUSH_PROMISE, CONTINUATION -> bufferPayload(limits.maxHeaderListSize(), "header block");
            case SETTINGS, RST_STREAM, GOAWAY, PING, PRIORITY, WINDOW_UPDATE ->
                    bufferPayload(limits.maxControlFrameSize(), frameName(type));
            default -> {
                remaining = length;
                state = State.SKIP;
                if (length == 0) {
                    frameDone();
                }
            }
        }
        return pos;
    }

    private void bufferPayload(int max, String what) {
        if (length > max) {
            fail(what + " frame of " + length + " bytes exceeds the limit of " + max);
            return;
        }
        if (payload.length < length) {
            payload = new byte[Math.max(length, Math.min(max, payload.length * 2))];
        }
        payloadFill = 0;
        state = State.PAYLOAD;
        if (length == 0) {
            payloadComplete();
        }
    }

    private int readPayload(ByteBuffer buf, int pos, int end) {
        int n = Math.min(end - pos, length - payloadFill);
        buf.get(pos, payload, payloadFill, n);
        payloadFill += n;
        pos += n;
        if (payloadFill == length) {
            payloadComplete();
        }
        return pos;
    }

    private void payloadComplete() {
        switch (type) {
            case HEADERS, PUSH_PROMISE -> {
                int start = 0;
                int stop = length;
                if ((flags & FLAG_PADDED) != 0) {
                    if (length < 1) {
                        fail(frameName(type) + " frame too short for its pad length");
                        return;
                    }
                    int pad = payload[0] & 0xff;
                    start = 1;
                    stop = length - pad;
                    if (stop < start) {
                        fail(frameName(type) + " padding of " + pad + " bytes exceeds the payload of " + length);
                        return;
                    }
                    checkPadding(payload, stop, pad);
                }
                int promised = 0;
                if (type == HEADERS && (flags & FLAG_PRIORITY) != 0) {
                    start += 5;
                } else if (type == PUSH_PROMISE) {
                    if (stop - start >= 4) {
                        promised = readInt31(payload, start);
                    }
                    start += 4;
                }
                if (stop < start) {
                    fail(frameName(type) + " frame too short for its fields");
                    return;
                }
                listener.headerFragment(type, flags, streamId, promised, payload, start, stop - start);
            }
            case CONTINUATION -> listener.headerFragment(type, flags, streamId, 0, payload, 0, length);
            default -> {
                String bad = switch (type) {
                    case SETTINGS -> length % 6 != 0 ? "not a multiple of 6"
                            : (flags & FLAG_ACK) != 0 && length != 0 ? "non-empty ACK" : null;
                    case RST_STREAM, WINDOW_UPDATE -> length != 4 ? "not 4 bytes" : null;
                    case PING -> length != 8 ? "not 8 bytes" : null;
                    case PRIORITY -> length != 5 ? "not 5 bytes" : null;
                    case GOAWAY -> length < 8 ? "shorter than 8 bytes" : null;
                    default -> null;
                };
                if (bad != null) {
                    listener.note(frameName(type) + " frame payload " + bad + " (" + length + " bytes): ignored");
                    if (length > 0) {
                        listener.extraBytes("malformed " + frameName(type) + " payload",
                                ByteBuffer.wrap(payload), 0, length);
                    }
                } else {
                    listener.controlFrame(type, flags, streamId, payload, length);
                }
            }
        }
        if (state != State.FAILED) {
            frameDone();
        }
    }

    private int readPadLength(ByteBuffer buf, int pos) {
        padLength = buf.get(pos) & 0xff;
        remaining--;
        if (padLength > remaining) {
            fail("DATA padding of " + padLength + " bytes exceeds the payload of " + length);
            return pos;
        }
        state = State.DATA_BODY;
        if (remaining == padLength) {
            afterDataBody();
        }
        return pos + 1;
    }

    private int readDataBody(ByteBuffer buf, int pos, int end) {
        int n = (int) Math.min(end - pos, remaining - padLength);
        listener.dataBytes(streamId, buf, pos, n);
        remaining -= n;
        if (remaining == padLength && state != State.FAILED) {
            afterDataBody();
        }
        return pos + n;
    }

    private void afterDataBody() {
        if (remaining == 0) {
            listener.dataEnd(streamId, (flags & FLAG_END_STREAM) != 0);
            if (state != State.FAILED) {
                frameDone();
            }
        } else {
            state = State.DATA_PADDING;
        }
    }

    private int readPadding(ByteBuffer buf, int pos, int end) {
        int n = (int) Math.min(end - pos, remaining);
        boolean nonZero = false;
        for (int i = pos; i < pos + n; i++) {
            nonZero |= buf.get(i) != 0;
        }
        if (nonZero) {
            noteNonZeroPadding();
            listener.extraBytes("DATA padding", buf, pos, n);
        }
        remaining -= n;
        if (remaining == 0 && state != State.FAILED) {
            listener.dataEnd(streamId, (flags & FLAG_END_STREAM) != 0);
            if (state != State.FAILED) {
                frameDone();
            }
        }
        return pos + n;
    }

    private void checkPadding(byte[] data, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (data[i] != 0) {
                noteNonZeroPadding();
                listener.extraBytes(frameName(type) + " padding", ByteBuffer.wrap(data), from, n);
                return;
            }
        }
    }

    private void noteNonZeroPadding() {
        if (!paddingNonZeroNoted) {
            paddingNonZeroNoted = true;
            listener.note("padding bytes that are not zero (kept for analysis)");
        }
    }

    private int skip(ByteBuffer buf, int pos, int end) {
        int n = (int) Math.min(end - pos, remaining);
        if (n > 0) {
            listener.extraBytes(frameName(type) + " payload", buf, pos, n);
        }
        remaining -= n;
        if (remaining == 0 && state != State.FAILED) {
            frameDone();
        }
        return pos + n;
    }

    private void frameDone() {
        headerFill = 0;
        payloadFill = 0;
        remaining = 0;
        padLength = 0;
        state = State.HEADER;
    }

    static int readInt31(byte[] b, int at) {
        return ((b[at] & 0x7f) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    static long readUInt32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8)
                | (b[at + 3] & 0xff);
    }

    static String frameName(int type) {
        return switch (type) {
            case DATA -> "DATA";
            case HEADERS -> "HEADERS";
            case PRIORITY -> "PRIORITY";
            case RST_STREAM -> "RST_STREAM";
            case SETTINGS -> "SETTINGS";
            case PUSH_PROMISE -> "PUSH_PROMISE";
            case PING -> "PING";
            case GOAWAY -> "GOAWAY";
            case WINDOW_UPDATE -> "WINDOW_UPDATE";
            case CONTINUATION -> "CONTINUATION";
            default -> "frame type 0x" + Integer.toHexString(type);
        };
    }
}
