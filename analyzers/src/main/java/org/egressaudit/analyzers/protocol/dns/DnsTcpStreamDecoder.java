package org.egressaudit.analyzers.protocol.dns;

import java.nio.ByteBuffer;

/**
 * Splits one direction of a DNS-over-TCP stream (RFC 1035 4.2.2: each message preceded by a 2-byte length) into
 * messages, across any segmentation. A gap loses the framing for good (a length field may be in the missing
 * bytes): the decoder then stops and reports {@link #desynchronised()}.
 */
public final class DnsTcpStreamDecoder {

    /** Receives each complete message; {@code message} is only valid during the call. */
    public interface Listener {
        void onMessage(byte[] message, int length, long streamOffset, long timestampNanos);
    }

    private enum State { READ_LENGTH, READ_BODY, DESYNCHRONISED }

    private final Listener listener;
    private State state = State.READ_LENGTH;
    // Grown to the largest message seen (at most 65535 bytes), not allocated up front per connection.
    private byte[] body = new byte[0];
    private int lengthBytes;
    private int expected;
    private int have;
    private long messageOffset;
    private long messageFirstNanos;
    private long messages;
    private long emptyMessages;

    public DnsTcpStreamDecoder(Listener listener) {
        this.listener = listener;
    }

    public void onData(ByteBuffer buf, int offset, int length, long streamOffset, long timestampNanos) {
        int p = offset;
        int end = offset + length;
        while (p < end && state != State.DESYNCHRONISED) {
            switch (state) {
                case READ_LENGTH -> {
                    if (lengthBytes == 0) {
                        messageOffset = streamOffset + (p - offset);
                        messageFirstNanos = timestampNanos;
                        expected = 0;
                    }
                    expected = (expected << 8) | (buf.get(p++) & 0xff);
                    if (++lengthBytes == 2) {
                        lengthBytes = 0;
                        have = 0;
                        if (expected == 0) {
                            emptyMessages++;
                        } else {
                            if (body.length < expected) {
                                body = new byte[Math.max(expected, Math.min(65535, body.length * 2))];
                            }
                            state = State.READ_BODY;
                        }
                    }
                }
                case READ_BODY -> {
                    int n = Math.min(end - p, expected - have);
                    buf.get(p, body, have, n);
                    have += n;
                    p += n;
                    if (have == expected) {
                        state = State.READ_LENGTH;
                        messages++;
                        listener.onMessage(body, expected, messageOffset, messageFirstNanos);
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    /** Missing bytes: framing cannot be trusted after them. */
    public void onGap() {
        state = State.DESYNCHRONISED;
    }

    public boolean desynchronised() {
        return state == State.DESYNCHRONISED;
    }

    /** Bytes of an unfinished message (length prefix included) held at the end of the stream, 0 if none. */
    public int pendingBytes() {
        return switch (state) {
            case READ_LENGTH -> lengthBytes;
            case READ_BODY -> 2 + have;
            default -> 0;
        };
    }

    /** Copy of the unfinished message's body bytes (without the length prefix). */
    public byte[] pendingBody() {
        return state == State.READ_BODY ? java.util.Arrays.copyOf(body, have) : new byte[0];
    }

    /** Stream offset of the unfinished message's length prefix. */
    public long pendingOffset() {
        return messageOffset;
    }

    /** Declared length of the unfinished message, or -1. */
    public int pendingDeclaredLength() {
        return state == State.READ_BODY ? expected : -1;
    }

    public long messages() {
        return messages;
    }

    /** Zero-length frames seen (skipped). */
    public long emptyMessages() {
        return emptyMessages;
    }
}
