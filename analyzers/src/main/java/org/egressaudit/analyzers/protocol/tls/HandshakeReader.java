package org.egressaudit.analyzers.protocol.tls;

import java.util.Arrays;

/**
 * Joins the handshake messages of one direction from record payloads of any size: messages up to
 * {@code maxMessage} bytes are delivered whole; longer ones (certificate chains) are skipped without buffering,
 * only their type is reported.
 */
final class HandshakeReader {
    interface Listener {
        /** A complete message (header included), or {@code message == null} for one skipped as too long. */
        void onMessage(int type, byte[] message, int length);
    }

    private final int maxMessage;
    private final byte[] header = new byte[4];
    private int headerHave;
    private byte[] body = new byte[0];
    private int needed = -1;
    private int have;
    private boolean skipping;

    HandshakeReader(int maxMessage) {
        this.maxMessage = maxMessage;
    }

    void feed(byte[] b, int off, int len, Listener listener) {
        int p = off;
        int end = off + len;
        while (p < end) {
            if (needed < 0) {
                header[headerHave++] = b[p++];
                if (headerHave < 4) {
                    continue;
                }
                headerHave = 0;
                needed = ((header[1] & 0xff) << 16) | ((header[2] & 0xff) << 8) | (header[3] & 0xff);
                have = 0;
                skipping = 4 + needed > maxMessage;
                if (!skipping) {
                    if (body.length < 4 + needed) {
                        body = new byte[Math.max(4 + needed, Math.min(maxMessage, 2 * body.length))];
                    }
                    System.arraycopy(header, 0, body, 0, 4);
                }
            } else {
                int n = Math.min(end - p, needed - have);
                if (!skipping) {
                    System.arraycopy(b, p, body, 4 + have, n);
                }
                have += n;
                p += n;
            }
            if (needed >= 0 && have == needed) {
                int type = header[0] & 0xff;
                int length = 4 + needed;
                needed = -1;
                listener.onMessage(type, skipping ? null : body, length);
            }
        }
    }

    /** Forgets a partial message (a key change: messages must not span one). */
    void reset() {
        headerHave = 0;
        needed = -1;
        have = 0;
        if (body.length > 4096) {
            body = Arrays.copyOf(body, 0);
        }
    }

    /** True when a message is partly read. */
    boolean partial() {
        return headerHave > 0 || needed >= 0;
    }
}
