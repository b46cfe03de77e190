package org.egressaudit.analyzers.protocol.tls;

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
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.flow.TcpFlowStats;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.Transmission;

import org.egressaudit.analyzers.protocol.raw.RawLimits;
import org.egressaudit.analyzers.protocol.raw.RawStreamHandler;

/**
 * A TLS connection. With the session's secrets in the key log ({@link TlsDecryption}) its records are decrypted
 * ({@link TlsSessionDecryptor}) and the plaintext of both directions goes to a nested handler chosen like for a
 * plain TCP connection ({@link PlaintextHandlers}), whose transmissions are marked {@code tls=decrypted}; the
 * summary transmission below still follows, with only the undecrypted bytes opaque.
 *
 * <p>Without keys: parses the ClientHello (SNI, ALPN, JA3) and ServerHello (version, cipher),
 * counts the encrypted bytes per direction and, at close, emits one "tls" transmission whose only content is the
 * SNI ("tls-sni" root, so markers in names are found) and whose client-to-server encrypted bytes are opaque.
 *
 * <p>A client stream that stops being TLS (a header that cannot be a record, or a ClientHello that does not
 * parse) is handed to a {@link RawStreamHandler} from the first byte that is not understood: when the hello
 * fails, the bytes held since offset 0 are replayed, so disguising a plain upload as TLS hides nothing.
 */
public final class TlsStreamHandler implements TcpConnectionHandler {
    private final FlowKey key;
    private final ProtocolContext context;
    private final TlsLimits limits;
    private final RawLimits rawLimits;
    private final TlsRecordDecoder client;
    private final TlsRecordDecoder server;
    private final List<String> notes = new ArrayList<>();

    private TlsClientHello clientHello;
    private TlsServerHello serverHello;
    private RawStreamHandler raw;
    /** Client bytes from offset 0 kept until the hello is understood, for the raw fallback. */
    private byte[] clientPrefix = new byte[0];
    private int clientPrefixLength;
    private boolean keepingPrefix = true;
    private long clientBytes;
    private long serverBytes;
    private long rawClientBytes;
    private long serverNonTlsBytes;
    private long firstNanos = -1;
    private long lastNanos;
    private boolean closed;
    /** The raw handler received the client stream from offset 0: nothing of it is opaque. */
    private boolean rawFromStart;

    private final TlsDecryption decryption;
    /** Null without a key log. */
    private final TlsSessionDecryptor session;
    /** The handler of the decrypted plaintext, created at its first byte. */
    private TcpConnectionHandler inner;
    private final long[] plaintextOffset = new long[2];
    private final boolean[] innerEnded = new boolean[2];
    private final StreamEnd[] streamEnd = new StreamEnd[2];
    private boolean innerFailed;

    public TlsStreamHandler(FlowKey key, ProtocolContext context, TlsLimits limits, RawLimits rawLimits) {
        this(key, context, limits, rawLimits, TlsDecryption.NONE);
    }

    /** A handler that decrypts the connection when {@code decryption}'s key log has its secrets. */
    public TlsStreamHandler(FlowKey key, ProtocolContext context, TlsLimits limits, RawLimits rawLimits,
                            TlsDecryption decryption) {
        this.key = key;
        this.context = context;
        this.limits = limits;
        this.rawLimits = rawLimits;
        this.decryption = decryption;
        this.client = new TlsRecordDecoder(limits, this::onClientHello);
        this.server = new TlsRecordDecoder(limits, this::onServerHello);
        if (decryption.possible()) {
            session = new TlsSessionDecryptor(decryption.keys(), plaintextOutput, notes, limits.maxHelloBytes());
            client.recordListener((type, version, body, len, ts) ->
                    session.onRecord(Direction.CLIENT_TO_SERVER, type, version, body, len, ts));
            server.recordListener((type, version, body, len, ts) ->
                    session.onRecord(Direction.SERVER_TO_CLIENT, type, version, body, len, ts));
        } else {
            session = null;
        }
    }

    private final TlsSessionDecryptor.Output plaintextOutput = new TlsSessionDecryptor.Output() {
        @Override
        public void plaintext(Direction d, byte[] data, int offset, int length, long ts) {
            int i = d.ordinal();
            if (innerFailed || innerEnded[i]) {
                return;
            }
            try {
                if (inner == null) {
                    inner = PlaintextHandlers.create(key, ts, innerContext(), session.alpn(), decryption, rawLimits,
                            notes);
                    for (Direction other : Direction.values()) {
                        if (innerEnded[other.ordinal()]) { // lost before the handler existed
                            side(other).onEnd(StreamEnd.TRUNCATED, ts);
                        }
                    }
                }
                side(d).onData(ByteBuffer.wrap(data), offset, length, plaintextOffset[i], ts);
                plaintextOffset[i] += length;
            } catch (RuntimeException e) {
                innerFailed = true;
                notes.add("analysis of the decrypted plaintext failed: " + e);
            }
        }

        @Override
        public void lost(Direction d, long ts) {
            endInner(d, StreamEnd.TRUNCATED, ts);
        }
    };

    private StreamListener side(Direction d) {
        return d == Direction.CLIENT_TO_SERVER ? inner.clientToServer() : inner.serverToClient();
    }

    private void endInner(Direction d, StreamEnd end, long ts) {
        int i = d.ordinal();
        if (innerEnded[i]) {
            return;
        }
        innerEnded[i] = true;
        if (inner != null && !innerFailed) {
            try {
                side(d).onEnd(end, ts);
            } catch (RuntimeException e) {
                innerFailed = true;
                notes.add("analysis of the decrypted plaintext failed: " + e);
            }
        }
    }

    /** Context of the plaintext handlers: same budget and pieces, transmissions marked as decrypted TLS. */
    private ProtocolContext innerContext() {
        Map<String, String> attrs = new LinkedHashMap<>();
        if (clientHello != null && clientHello.sni() != null) {
            attrs.put("sni", clientHello.sni());
        }
        if (session.alpn() != null) {
            attrs.put("alpn", session.alpn());
        }
        if (serverHello != null && serverHello.ok()) {
            attrs.put("tls-version", TlsNames.version(serverHello.selectedVersion()));
            attrs.put("cipher", TlsNames.cipher(serverHello.cipherSuite()));
        }
        return new ProtocolContext(new DecryptedTransmissionSink(context.sink(), attrs), context.budget(),
                context.pieceSize(), context.pieceOverlap());
    }

    private void onClientHello(byte[] msg, int len, String error, long ts) {
        clientHello = error != null
                ? new TlsClientHello(-1, List.of(), null, null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                len, error)
                : TlsClientHelloParser.parseMessage(msg, 0, len);
        if (clientHello.ok()) {
            keepingPrefix = false;
            clientPrefix = null;
        }
    }

    private void onServerHello(byte[] msg, int len, String error, long ts) {
        serverHello = error != null ? new TlsServerHello(-1, -1, -1, false, error)
                : TlsServerHelloParser.parseMessage(msg, 0, len);
        if (serverHello.ok()) {
            context.sink().event(key, Direction.SERVER_TO_CLIENT, "tls-server-hello",
                    (serverHello.helloRetryRequest() ? "HelloRetryRequest " : "")
                            + TlsNames.version(serverHello.selectedVersion()) + ", "
                            + TlsNames.cipher(serverHello.cipherSuite()), ts);
        } else {
            notes.add("ServerHello not understood: " + serverHello.error());
        }
    }

    private final StreamListener clientListener = new StreamListener() {
        @Override
        public void onData(ByteBuffer buffer, int offset, int length, long streamOffset, long timestampNanos) {
            if (firstNanos < 0) {
                firstNanos = timestampNanos;
            }
            lastNanos = timestampNanos;
            clientBytes += length;
            if (raw != null) {
                rawClientBytes += length;
                raw.clientToServer().onData(buffer, offset, length, streamOffset, timestampNanos);
                return;
            }
            keepPrefix(buffer, offset, length, streamOffset);
            int tls = client.onData(buffer, offset, length, streamOffset, timestampNanos);
            boolean helloFailed = clientHello == null || !clientHello.ok();
            if (client.notTls()) {
                String reason = "client bytes are not TLS at stream offset " + client.stopOffset() + " ("
                        + client.stopReason() + ")";
                if (helloFailed && clientPrefix != null) {
                    // Never a valid hello: the whole stream so far (this segment included) goes to raw.
                    switchToRaw(reason, timestampNanos, true);
                    return;
                }
                switchToRaw(reason, timestampNanos, false);
                byte[] carried = client.carriedBytes();
                if (carried.length > 0) {
                    raw.clientToServer().onData(ByteBuffer.wrap(carried), 0, carried.length,
                            streamOffset - carried.length, timestampNanos);
                    rawClientBytes += carried.length;
                }
                rawClientBytes += length - tls;
                raw.clientToServer().onData(buffer, offset + tls, length - tls, streamOffset + tls, timestampNanos);
            } else if (clientHello != null && !clientHello.ok()) {
                switchToRaw("ClientHello not understood (" + clientHello.error() + ")", timestampNanos, true);
            }
        }

        @Override
        public void onGap(long streamOffset, long length, long timestampNanos) {
            if (raw != null) {
                raw.clientToServer().onGap(streamOffset, length, timestampNanos);
                return;
            }
            if (clientHello == null && clientPrefix != null && clientPrefixLength > 0) {
                // The hello can no longer be completed: analyse what was sent as raw, gap included.
                switchToRaw(length + " bytes missing at stream offset " + streamOffset
                        + " before the ClientHello was complete", timestampNanos, true);
                raw.clientToServer().onGap(streamOffset, length, timestampNanos);
                return;
            }
            keepingPrefix = false;
            clientPrefix = null;
            client.onGap(streamOffset, length, timestampNanos);
            if (session != null) {
                session.onGap(Direction.CLIENT_TO_SERVER, streamOffset, length, timestampNanos);
            }
            notes.add(length + " client bytes missing at stream offset " + streamOffset);
            if (client.desynchronised()) {
                notes.add("client record framing lost after the gap; later bytes counted as opaque");
            }
        }

        @Override
        public void onEnd(StreamEnd end, long timestampNanos) {
            streamEnd[0] = end;
            if (raw == null) {
                client.onEnd(timestampNanos);
                if (clientHello != null && !clientHello.ok()) {
                    switchToRaw("ClientHello not understood (" + clientHello.error() + ")", timestampNanos, true);
                }
            }
            if (raw != null) {
                raw.clientToServer().onEnd(end, timestampNanos);
            }
        }
    };

    private final StreamListener serverListener = new StreamListener() {
        @Override
        public void onData(ByteBuffer buffer, int offset, int length, long streamOffset, long timestampNanos) {
            if (firstNanos < 0) {
                firstNanos = timestampNanos;
            }
            lastNanos = timestampNanos;
            serverBytes += length;
            boolean wasTls = !server.notTls();
            int tls = server.onData(buffer, offset, length, streamOffset, timestampNanos);
            serverNonTlsBytes += length - tls;
            if (wasTls && server.notTls()) {
                notes.add("server bytes are not TLS at stream offset " + server.stopOffset() + " ("
                        + server.stopReason() + ")");
            }
        }

        @Override
        public void onGap(long streamOffset, long length, long timestampNanos) {
            server.onGap(streamOffset, length, timestampNanos);
            if (session != null) {
                session.onGap(Direction.SERVER_TO_CLIENT, streamOffset, length, timestampNanos);
            }
        }

        @Override
        public void onEnd(StreamEnd end, long timestampNanos) {
            server.onEnd(timestampNanos);
            streamEnd[1] = end;
        }
    };

    private void keepPrefix(ByteBuffer buffer, int offset, int length, long streamOffset) {
        if (!keepingPrefix) {
            return;
        }
        if (streamOffset != clientPrefixLength) {
            keepingPrefix = false; // not from offset 0 or not contiguous: cannot replay faithfully
            clientPrefix = null;
            return;
        }
        int cap = 2 * limits.maxHelloBytes() + 4096;
        if (clientPrefixLength + length > cap) {
            keepingPrefix = false;
            clientPrefix = null;
            notes.add("client bytes before the hello exceed " + cap + " bytes; not kept for raw analysis");
            return;
        }
        if (clientPrefix.length < clientPrefixLength + length) {
            clientPrefix = java.util.Arrays.copyOf(clientPrefix,
                    Math.min(cap, Math.max(clientPrefixLength + length, clientPrefix.length * 2)));
        }
        buffer.get(offset, clientPrefix, clientPrefixLength, length);
        clientPrefixLength += length;
    }

    /** Hands the client stream to a raw handler; with {@code replayPrefix} the kept bytes go first. */
    private void switchToRaw(String reason, long ts, boolean replayPrefix) {
        notes.add(reason + "; analysed as raw");
        raw = new RawStreamHandler(key, context, rawLimits);
        raw.addNote("TLS parsing stopped: " + reason);
        if (replayPrefix && clientPrefix != null && clientPrefixLength > 0) {
            raw.clientToServer().onData(ByteBuffer.wrap(clientPrefix), 0, clientPrefixLength, 0, ts);
            rawClientBytes += clientPrefixLength;
            rawFromStart = true;
        } else if (replayPrefix) {
            notes.add("bytes before the failure were not kept and are not analysed");
        }
        clientPrefix = null;
        keepingPrefix = false;
    }

    @Override
    public StreamListener clientToServer() {
        return clientListener;
    }

    @Override
    public StreamListener serverToClient() {
        return serverListener;
    }

    @Override
    public void onClose(TcpFlowStats stats) {
        if (closed) {
            return;
        }
        closed = true;
        if (raw != null) {
            raw.onClose(stats);
        }
        if (session != null) {
            session.finish();
            if (inner != null) {
                long ts = lastNanos;
                endInner(Direction.CLIENT_TO_SERVER, streamEnd[0] != null ? streamEnd[0] : StreamEnd.END_OF_CAPTURE, ts);
                endInner(Direction.SERVER_TO_CLIENT, streamEnd[1] != null ? streamEnd[1] : StreamEnd.END_OF_CAPTURE, ts);
                if (!innerFailed) {
                    try {
                        inner.onClose(stats);
                    } catch (RuntimeException e) {
                        notes.add("analysis of the decrypted plaintext failed: " + e);
                    }
                }
            }
        }
        emit();
    }

    private void emit() {
        Map<String, String> attrs = new LinkedHashMap<>();
        String sni = clientHello != null && clientHello.sni() != null ? clientHello.sni() : null;
        if (sni != null) {
            attrs.put("sni", sni);
        }
        if (clientHello != null && clientHello.ok()) {
            if (!clientHello.alpn().isEmpty()) {
                attrs.put("alpn", String.join(",", clientHello.alpn()));
            }
            attrs.put("ja3", clientHello.ja3());
            attrs.put("ja3-hash", clientHello.ja3Hash());
            attrs.put("ja4", clientHello.ja4());
            attrs.put("client-max-version", TlsNames.version(clientHello.maxOfferedVersion()));
        }
        if (serverHello != null && serverHello.ok()) {
            attrs.put("tls-version", TlsNames.version(serverHello.selectedVersion()));
            attrs.put("cipher", TlsNames.cipher(serverHello.cipherSuite()));
        } else if (clientHello != null && clientHello.ok()) {
            attrs.put("tls-version", TlsNames.version(clientHello.maxOfferedVersion()) + " (offered)");
        }
        attrs.put("client-bytes", Long.toString(clientBytes));
        attrs.put("server-bytes", Long.toString(serverBytes));
        attrs.put("client-application-data-bytes", Long.toString(client.applicationDataBytes()));
        attrs.put("server-application-data-bytes", Long.toString(server.applicationDataBytes()));
        if (rawClientBytes > 0) {
            attrs.put("client-raw-bytes", Long.toString(rawClientBytes));
        }
        List<String> tNotes = new ArrayList<>(notes);
        if (clientHello == null) {
            tNotes.add("no ClientHello seen");
        } else if (!clientHello.ok() && raw == null) {
            tNotes.add("ClientHello not understood: " + clientHello.error());
        }
        if (serverNonTlsBytes > 0) {
            attrs.put("server-non-tls-bytes", Long.toString(serverNonTlsBytes));
        }
        boolean decrypted = session != null && (session.decrypted(Direction.CLIENT_TO_SERVER)
                || session.decrypted(Direction.SERVER_TO_CLIENT));
        if (session != null && session.status() != null) {
            attrs.put("decryption", session.status());
            if (session.alpn() != null) {
                attrs.put("alpn-selected", session.alpn());
            }
        }
        List<ContentObject> roots = new ArrayList<>();
        long reserved = 0;
        long opaque = rawFromStart ? 0 : client.opaqueBytes();
        if (session != null && !rawFromStart) {
            // Records that were decrypted are analysed through the plaintext handlers, not opaque.
            opaque = Math.max(0, opaque - session.decryptedPayloadBytes(Direction.CLIENT_TO_SERVER));
        }
        if (clientHello != null && clientHello.sniBytes() != null && clientHello.sniBytes().length > 0) {
            byte[] b = clientHello.sniBytes();
            if (context.budget() == null || context.budget().tryReserve(b.length)) {
                reserved = context.budget() == null ? 0 : b.length;
                roots.add(ContentObject.root("tls-sni", null, b.clone(), Map.of()));
            } else {
                opaque += b.length;
                tNotes.add("SNI not analysed: memory budget exhausted");
            }
        }
        String destination = sni != null ? sni : key.serverAddress();
        long first = firstNanos < 0 ? 0 : firstNanos;
        context.sink().accept(new Transmission(context.sink().nextId(), key, Direction.CLIENT_TO_SERVER, "tls",
                destination, "TLS to " + destination + (decrypted ? " (decrypted)" : " (opaque)"), first, Math.max(first, lastNanos), 0, attrs,
                roots, opaque, tNotes, reserved));
    }

    /** The parsed ClientHello, or null before it is complete. */
    public TlsClientHello clientHello() {
        return clientHello;
    }

    public TlsServerHello serverHello() {
        return serverHello;
    }
}
