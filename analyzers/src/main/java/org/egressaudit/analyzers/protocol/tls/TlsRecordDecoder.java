package org.egressaudit.analyzers.protocol.tls;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Follows the record layer of one direction of a TLS connection across any segmentation: collects the first
 * handshake message (the hello) from handshake records, then only reads record headers and counts payload bytes.
 * Bytes that cannot be a record header end TLS processing ({@link #notTls()}); a gap inside a record body keeps
 * the framing, a gap across a record boundary loses it ({@link #desynchronised()}).
 */
final class TlsRecordDecoder {
    static final int CHANGE_CIPHER_SPEC = 20;
    static final int ALERT = 21;
    static final int HANDSHAKE = 22;
    static final int APPLICATION_DATA = 23;
    static final int HEARTBEAT = 24;

    interface Listener {
        /** The first handshake message is complete (or could not be collected: {@code error} is set). */
        void onHello(byte[] message, int length, String error, long timestampNanos);
    }

    /** Receives every complete record (for decryption); records damaged by a gap are not delivered. */
    interface RecordListener {
        void onRecord(int type, int version, byte[] body, int length, long timestampNanos);
    }

    private enum State { HEADER, BODY, NOT_TLS, DESYNCHRONISED }

    private final TlsLimits limits;
    private final Listener listener;
    private State state = State.HEADER;
    private final byte[] header = new byte[5];
    private int headerHave;
    private long headerOffset;
    private int contentType;
    private int bodyRemaining;
    /** Length of the current record's body, to recognise the one-byte ChangeCipherSpec. */
    private int bodyLength;

    private byte[] hello = new byte[0];
    private int helloHave;
    private int helloNeeded = -1;
    private boolean helloDone;

    private long records;
    private long applicationDataBytes;
    /** Payload bytes after the hello that are not application data (encrypted handshake, alerts, CCS...). */
    private long otherPayloadBytes;
    private long helloBytes;
    private long unframedBytes;
    private long missingBytes;
    private String stopReason;
    private long stopOffset = -1;
    private byte[] carried = new byte[0];

    private RecordListener recordListener;
    private byte[] recordBody;
    private int recordHave;
    private boolean recordDamaged;

    TlsRecordDecoder(TlsLimits limits, Listener listener) {
        this.limits = limits;
        this.listener = listener;
    }

    /** Also collects whole records (at most {@link TlsLimits#maxRecordLength()} bytes each) for {@code l}. */
    void recordListener(RecordListener l) {
        recordListener = l;
        recordBody = new byte[limits.maxRecordLength()];
    }

    /**
     * Consumes bytes; returns how many were TLS. When fewer than {@code length} (or when header bytes held from
     * earlier calls turn out not to be TLS, see {@link #carriedBytes()}), the rest is not TLS.
     */
    int onData(ByteBuffer buf, int offset, int length, long streamOffset, long timestampNanos) {
        if (state == State.NOT_TLS) {
            return 0;
        }
        if (state == State.DESYNCHRONISED) {
            unframedBytes += length;
            return length;
        }
        int headerCarried = state == State.HEADER ? headerHave : 0;
        int p = offset;
        int end = offset + length;
        while (p < end) {
            if (state == State.HEADER) {
                if (headerHave == 0) {
                    headerOffset = streamOffset + (p - offset);
                }
                header[headerHave++] = buf.get(p++);
                String bad = checkHeader();
                if (bad != null) {
                    state = State.NOT_TLS;
                    stopReason = bad;
                    stopOffset = headerOffset;
                    int startedHere = headerHave - headerCarried; // header bytes taken from this call
                    if (headerOffset >= streamOffset) {
                        carried = new byte[0];
                        return p - offset - headerHave;
                    }
                    carried = Arrays.copyOf(header, headerCarried);
                    return p - offset - startedHere;
                }
                if (headerHave == 5) {
                    headerHave = 0;
                    records++;
                    contentType = header[0] & 0xff;
                    bodyRemaining = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
                    bodyLength = bodyRemaining;
                    state = bodyRemaining == 0 ? State.HEADER : State.BODY;
                    recordHave = 0;
                    recordDamaged = false;
                    if (bodyRemaining == 0 && recordListener != null) {
                        recordListener.onRecord(contentType, version(), recordBody, 0, timestampNanos);
                    }
                }
            } else {
                int n = Math.min(end - p, bodyRemaining);
                payload(buf, p, n, timestampNanos);
                if (recordListener != null) {
                    buf.get(p, recordBody, recordHave, n);
                    recordHave += n;
                }
                p += n;
                bodyRemaining -= n;
                if (bodyRemaining == 0) {
                    state = State.HEADER;
                    if (recordListener != null && !recordDamaged) {
                        recordListener.onRecord(contentType, version(), recordBody, recordHave, timestampNanos);
                    }
                }
            }
        }
        return length;
    }

    private int version() {
        return ((header[1] & 0xff) << 8) | (header[2] & 0xff);
    }

    private String checkHeader() {
        int i = headerHave - 1;
        int b = header[i] & 0xff;
        switch (i) {
            case 0:
                return b >= CHANGE_CIPHER_SPEC && b <= HEARTBEAT ? null : String.format("record type 0x%02x", b);
            case 1:
                return b == 3 ? null : String.format("record version major 0x%02x", b);
            case 2:
                return b <= 4 ? null : String.format("record version minor 0x%02x", b);
            case 4: {
                int len = ((header[3] & 0xff) << 8) | b;
                return len <= limits.maxRecordLength() ? null : "record length " + len;
            }
            default:
                return null;
        }
    }

    private void payload(ByteBuffer buf, int p, int n, long ts) {
        if (contentType == CHANGE_CIPHER_SPEC && bodyLength == 1) {
            return; // the plaintext 0x01 of a ChangeCipherSpec (TLS 1.3 middlebox compatibility): nothing hidden
        }
        if (contentType == APPLICATION_DATA) {
            applicationDataBytes += n;
            return;
        }
        if (contentType != HANDSHAKE || helloDone) {
            otherPayloadBytes += n;
            return;
        }
        int take = n;
        if (helloNeeded < 0) {
            // Read the 4-byte handshake header first, then the rest up to the message length.
            int h = Math.min(take, 4 - helloHave);
            ensure(helloHave + h);
            buf.get(p, hello, helloHave, h);
            helloHave += h;
            helloBytes += h;
            p += h;
            take -= h;
            if (helloHave < 4) {
                return;
            }
            helloNeeded = 4 + (((hello[1] & 0xff) << 16) | ((hello[2] & 0xff) << 8) | (hello[3] & 0xff));
            if (helloNeeded > limits.maxHelloBytes()) {
                helloDone = true;
                otherPayloadBytes += take;
                listener.onHello(hello, helloHave, "hello of " + helloNeeded + " bytes exceeds the limit of "
                        + limits.maxHelloBytes(), ts);
                return;
            }
        }
        int m = Math.min(take, helloNeeded - helloHave);
        ensure(helloHave + m);
        buf.get(p, hello, helloHave, m);
        helloHave += m;
        helloBytes += m;
        otherPayloadBytes += take - m;
        if (helloHave == helloNeeded) {
            helloDone = true;
            listener.onHello(hello, helloHave, null, ts);
            hello = new byte[0];
        }
    }

    private void ensure(int n) {
        if (hello.length < n) {
            hello = Arrays.copyOf(hello, Math.max(n, Math.min(limits.maxHelloBytes(), Math.max(512, hello.length * 2))));
        }
    }

    void onGap(long streamOffset, long length, long timestampNanos) {
        missingBytes += length;
        if (state == State.NOT_TLS || state == State.DESYNCHRONISED) {
            return;
        }
        if (state == State.BODY && length <= bodyRemaining && (contentType != HANDSHAKE || helloDone)) {
            bodyRemaining -= (int) length;
            recordDamaged = true;
            recordHave += (int) length; // keeps the body's byte positions; the record is not delivered
            if (bodyRemaining == 0) {
                state = State.HEADER;
            }
            return;
        }
        if (!helloDone) {
            helloDone = true;
            listener.onHello(hello, helloHave, "hello incomplete: " + length + " bytes missing at stream offset "
                    + streamOffset, timestampNanos);
        }
        state = State.DESYNCHRONISED;
        stopReason = length + " bytes missing at stream offset " + streamOffset + " across a record boundary";
        stopOffset = streamOffset;
    }

    /** End of stream: reports an unfinished hello. */
    void onEnd(long timestampNanos) {
        if (!helloDone && (helloHave > 0 || records > 0) && state != State.NOT_TLS) {
            helloDone = true;
            listener.onHello(hello, helloHave, "stream ended inside the hello (" + helloHave + " bytes)", timestampNanos);
        }
    }

    boolean notTls() {
        return state == State.NOT_TLS;
    }

    boolean desynchronised() {
        return state == State.DESYNCHRONISED;
    }

    /** Header bytes from earlier calls that belong to the non-TLS data (to hand to a raw fallback first). */
    byte[] carriedBytes() {
        return carried.clone();
    }

    /** Stream offset where TLS processing stopped, or -1. */
    long stopOffset() {
        return stopOffset;
    }

    String stopReason() {
        return stopReason;
    }

    long records() {
        return records;
    }

    long applicationDataBytes() {
        return applicationDataBytes;
    }

    long otherPayloadBytes() {
        return otherPayloadBytes;
    }

    long helloBytes() {
        return helloBytes;
    }

    long unframedBytes() {
        return unframedBytes;
    }

    long missingBytes() {
        return missingBytes;
    }

    /** Bytes that crossed the wire but cannot be inspected: every record payload after the hello. */
    long opaqueBytes() {
        return applicationDataBytes + otherPayloadBytes + unframedBytes;
    }
}
