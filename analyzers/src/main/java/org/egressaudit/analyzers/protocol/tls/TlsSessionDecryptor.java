package org.egressaudit.analyzers.protocol.tls;

import java.util.List;
import java.util.function.Supplier;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.protocol.tls.decrypt.CipherSuite;
import org.egressaudit.analyzers.protocol.tls.decrypt.RecordProtection;
import org.egressaudit.analyzers.protocol.tls.keylog.KeyLog;
import org.egressaudit.analyzers.protocol.tls.keylog.SessionSecrets;

/**
 * Decrypts the records of one TLS connection with secrets from a key log and hands the application data of each
 * direction to an {@link Output}, in order. Problems (no key, unsupported suite, a record that does not
 * authenticate, a gap) become notes and stop decryption of that direction; they never throw.
 *
 * <p>TLS 1.2: the master secret (CLIENT_RANDOM) and both randoms give the key block; a direction is encrypted
 * from the record after its ChangeCipherSpec, sequence numbers counting from 0 there. TLS 1.3: records of outer
 * type application_data are encrypted. With the handshake traffic secrets, handshake records are decrypted and
 * read (ALPN from EncryptedExtensions); the direction switches to the application traffic secret after its
 * Finished. Without them the switch is found by trial: each encrypted record is tried with the application key
 * at sequence 0 and, while that fails, counted as an (opaque) handshake record; after {@link #MAX_TRIAL_RECORDS}
 * such records the direction is given up. A KeyUpdate inside a decrypted record moves that direction to the next
 * generation of its secret after the record.
 */
final class TlsSessionDecryptor {
    /** Encrypted handshake records skipped by trial before a direction is given up (a handshake has a few). */
    static final int MAX_TRIAL_RECORDS = 32;
    /**
     * Record bytes held per direction while the hellos are incomplete (reassembly can deliver one direction's
     * later bytes before the other's earlier ones); more stops decryption of that direction.
     */
    static final int MAX_PENDING_BYTES = 256 << 10;

    private record Pending(int type, int version, byte[] body, long timestampNanos) {
    }

    interface Output {
        /** Decrypted application data of one direction; the array is reused after the call. */
        void plaintext(Direction direction, byte[] data, int offset, int length, long timestampNanos);

        /** No more plaintext will come in this direction (decryption stopped). */
        void lost(Direction direction, long timestampNanos);
    }

    private enum Phase { PLAIN, HANDSHAKE, APPLICATION, STOPPED }

    private final Supplier<KeyLog> keys;
    private final Output output;
    private final List<String> notes;
    private final Side client;
    private final Side server;

    private byte[] clientRandom;
    private byte[] serverRandom;
    private int version = -1;
    private int suiteId = -1;
    private String alpn;
    private boolean keysResolved;
    private SessionSecrets secrets;
    private CipherSuite suite;
    private String failure;
    private boolean anyDecrypted;

    TlsSessionDecryptor(Supplier<KeyLog> keys, Output output, List<String> notes, int maxHandshakeMessage) {
        this.keys = keys;
        this.output = output;
        this.notes = notes;
        this.client = new Side(Direction.CLIENT_TO_SERVER, maxHandshakeMessage);
        this.server = new Side(Direction.SERVER_TO_CLIENT, maxHandshakeMessage);
    }

    void onRecord(Direction d, int type, int recordVersion, byte[] body, int length, long ts) {
        Side s = side(d);
        boolean hellosKnown = clientRandom != null && version >= 0;
        boolean needsHellos = type == TlsRecordDecoder.APPLICATION_DATA || type == TlsRecordDecoder.CHANGE_CIPHER_SPEC
                || s.phase != Phase.PLAIN;
        if (s.phase != Phase.STOPPED && (!hellosKnown && needsHellos || !s.pending.isEmpty())) {
            s.hold(type, recordVersion, body, length, ts);
        } else {
            s.record(type, recordVersion, body, length, ts);
        }
        if (clientRandom != null && version >= 0) {
            client.drain();
            server.drain();
        }
    }

    void onGap(Direction d, long streamOffset, long length, long ts) {
        Side s = side(d);
        if (s.phase != Phase.STOPPED) {
            s.stop(length + " bytes missing at stream offset " + streamOffset + "; the rest is not decrypted", ts,
                    keysResolved && secrets != null);
        }
    }

    /** At the end: explains a direction whose encrypted records never authenticated (trial mode only). */
    void finish() {
        client.dropPending();
        server.dropPending();
        for (Side s : new Side[] {client, server}) {
            // One failed trial is the Finished of a handshake without handshake secrets; more mean wrong keys or
            // a connection that ended inside a long handshake: either way nothing could be read.
            if (s.phase == Phase.HANDSHAKE && s.hs == null && s.app != null && s.trialFailures >= 2) {
                s.stop("decryption failed: none of " + s.trialFailures + " encrypted records authenticated with "
                        + "the application traffic secret (wrong key?)", 0, true);
            }
        }
    }

    private Side side(Direction d) {
        return d == Direction.CLIENT_TO_SERVER ? client : server;
    }

    /** Why nothing (or not everything) was decrypted, or null. */
    String failure() {
        return failure;
    }

    /** A short status for the report: decrypted, no key, unsupported cipher suite, failed; null without a key log. */
    String status() {
        if (anyDecrypted) {
            return failure == null ? "decrypted" : "partly decrypted";
        }
        if (failure != null) {
            return failure;
        }
        return keysResolved && secrets == null ? "no key in the key log" : null;
    }

    /** The negotiated ALPN protocol when known (ServerHello, or decrypted EncryptedExtensions). */
    String alpn() {
        return alpn;
    }

    long decryptedPayloadBytes(Direction d) {
        return side(d).decryptedPayload;
    }

    boolean decrypted(Direction d) {
        return side(d).appRecords > 0;
    }

    /** Looks the session up once, at the first encrypted record; false when it cannot be decrypted. */
    private boolean resolveKeys() {
        if (keysResolved) {
            return secrets != null && suite != null;
        }
        keysResolved = true;
        KeyLog log = keys.get();
        if (log == null || log.isEmpty()) {
            return false; // no key log at all: opaque as before, without notes
        }
        if (clientRandom == null || version < 0) {
            fail("TLS not decrypted: " + (clientRandom == null ? "ClientHello" : "ServerHello") + " not seen");
            return false;
        }
        secrets = log.lookup(clientRandom);
        if (secrets == null) {
            notes.add("TLS not decrypted: no key for this session (client random "
                    + java.util.HexFormat.of().formatHex(clientRandom) + ") in the key log");
            return false;
        }
        suite = CipherSuite.of(suiteId);
        boolean tls13 = version == 0x0304;
        if (suite == null || suite.tls13() != tls13) {
            fail("unsupported cipher suite " + TlsNames.cipher(suiteId));
            suite = null;
            return false;
        }
        if (tls13) {
            client.tls13Keys(secrets.clientHandshakeSecret(), secrets.clientTrafficSecret());
            server.tls13Keys(secrets.serverHandshakeSecret(), secrets.serverTrafficSecret());
        } else if (version == 0x0303 || version == 0x0302 || version == 0x0301) {
            if (secrets.masterSecret() == null || serverRandom == null) {
                fail("TLS not decrypted: no CLIENT_RANDOM master secret for this session");
                suite = null;
                return false;
            }
            RecordProtection[] p = RecordProtection.tls12(suite, secrets.masterSecret(), clientRandom, serverRandom);
            client.app = p[0];
            server.app = p[1];
        } else {
            fail("TLS not decrypted: version " + TlsNames.version(version) + " not supported");
            suite = null;
            return false;
        }
        return true;
    }

    private void fail(String why) {
        notes.add(why);
        if (failure == null) {
            failure = why.startsWith("unsupported") ? "unsupported cipher suite" : "failed";
        }
    }

    /** Plaintext handshake message (before encryption, or TLS 1.3 hellos). */
    private void plainHandshake(Direction d, int type, byte[] msg, int len) {
        if (msg == null) {
            return;
        }
        if (d == Direction.CLIENT_TO_SERVER && type == TlsHandshakeFields.CLIENT_HELLO && clientRandom == null) {
            clientRandom = TlsHandshakeFields.random(msg, len);
        } else if (d == Direction.SERVER_TO_CLIENT && type == TlsHandshakeFields.SERVER_HELLO) {
            TlsServerHello sh = TlsServerHelloParser.parseMessage(msg, 0, len);
            if (sh.ok() && !sh.helloRetryRequest()) {
                serverRandom = TlsHandshakeFields.random(msg, len);
                version = sh.selectedVersion();
                suiteId = sh.cipherSuite();
                String a = TlsHandshakeFields.serverHelloAlpn(msg, len);
                if (a != null) {
                    alpn = a;
                }
            }
        }
    }

    /** One direction's record protection and progress. */
    private final class Side {
        final Direction direction;
        final HandshakeReader handshake;
        final byte[] out;
        final java.util.ArrayDeque<Pending> pending = new java.util.ArrayDeque<>();
        long pendingBytes;
        Phase phase = Phase.PLAIN;
        RecordProtection hs;
        RecordProtection app;
        long records;
        long encryptedRecords;
        long appRecords;
        int trialFailures;
        long decryptedPayload;
        boolean finishedSeen;
        boolean keyUpdate;
        boolean ccsSeen;

        Side(Direction direction, int maxHandshakeMessage) {
            this.direction = direction;
            this.handshake = new HandshakeReader(maxHandshakeMessage);
            this.out = new byte[(1 << 14) + 2048];
        }

        String name() {
            return direction == Direction.CLIENT_TO_SERVER ? "client" : "server";
        }

        void tls13Keys(byte[] handshakeSecret, byte[] trafficSecret) {
            hs = handshakeSecret == null ? null : RecordProtection.tls13(suite, handshakeSecret);
            app = trafficSecret == null ? null : RecordProtection.tls13(suite, trafficSecret);
            if (app == null) {
                notes.add(name() + " data not decrypted: no " + name().toUpperCase(java.util.Locale.ROOT)
                        + "_TRAFFIC_SECRET_0 for this session");
            }
        }

        /** Keeps a record until both hellos are known (bounded by {@link #MAX_PENDING_BYTES}). */
        void hold(int type, int recordVersion, byte[] body, int length, long ts) {
            if (pendingBytes + length > MAX_PENDING_BYTES) {
                pending.clear();
                records++;
                stop("more than " + MAX_PENDING_BYTES + " bytes of records before the "
                        + (clientRandom == null ? "ClientHello" : "ServerHello") + " was seen; not decrypted", ts,
                        keyLogPresent());
                return;
            }
            pending.add(new Pending(type, recordVersion, java.util.Arrays.copyOf(body, length), ts));
            pendingBytes += length;
        }

        void drain() {
            while (!pending.isEmpty()) {
                Pending p = pending.poll();
                pendingBytes -= p.body().length;
                record(p.type(), p.version(), p.body(), p.body().length, p.timestampNanos());
            }
        }

        /** At the end: records still held never met their hellos. */
        void dropPending() {
            if (!pending.isEmpty()) {
                records += pending.size();
                pending.clear();
                stop("encrypted records but the " + (clientRandom == null ? "ClientHello" : "ServerHello")
                        + " was never seen; not decrypted", 0, keyLogPresent());
            }
        }

        void record(int type, int recordVersion, byte[] body, int length, long ts) {
            records++;
            if (phase == Phase.STOPPED) {
                return;
            }
            boolean tls13 = version == 0x0304;
            boolean encrypted = phase != Phase.PLAIN || tls13 && type == TlsRecordDecoder.APPLICATION_DATA;
            if (!encrypted) {
                if (type == TlsRecordDecoder.HANDSHAKE) {
                    handshake.feed(body, 0, length, (t, m, l) -> plainHandshake(direction, t, m, l));
                } else if (type == TlsRecordDecoder.CHANGE_CIPHER_SPEC && !tls13 && version >= 0) {
                    handshake.reset();
                    phase = Phase.HANDSHAKE; // TLS 1.2: everything after this record is encrypted
                    ccsSeen = true;
                } else if (type == TlsRecordDecoder.APPLICATION_DATA || type == TlsRecordDecoder.CHANGE_CIPHER_SPEC
                        && version < 0) {
                    stop("encrypted records before the ServerHello was seen; not decrypted", ts, keyLogPresent());
                }
                return;
            }
            if (phase == Phase.PLAIN) {
                phase = Phase.HANDSHAKE; // TLS 1.3: the first encrypted record
                handshake.reset();
            }
            encryptedRecords++;
            if (!resolveKeys()) {
                phase = Phase.STOPPED;
                output.lost(direction, ts);
                return;
            }
            if (app == null && hs == null) {
                stop(null, ts, false);
                return;
            }
            if (!tls13) {
                tls12Record(type, recordVersion, body, length, ts);
            } else {
                tls13Record(type, recordVersion, body, length, ts);
            }
        }

        private boolean keyLogPresent() {
            KeyLog log = keys.get();
            return log != null && !log.isEmpty();
        }

        private void tls12Record(int type, int recordVersion, byte[] body, int length, long ts) {
            int n = app.open(type, recordVersion, body, length, out);
            if (n < 0) {
                stop("decryption failed at " + name() + " record " + records + " (wrong key?)", ts, true);
                return;
            }
            decryptedPayload += length;
            if (type == TlsRecordDecoder.APPLICATION_DATA) {
                appRecords++;
                phase = Phase.APPLICATION;
                deliver(out, n, ts);
            } else if (type == TlsRecordDecoder.CHANGE_CIPHER_SPEC) {
                stop("renegotiation (ChangeCipherSpec under encryption) is not followed; the rest is not decrypted",
                        ts, true);
            }
            // Encrypted handshake (Finished, or a renegotiation's hello) and alerts carry no application data.
        }

        private void tls13Record(int type, int recordVersion, byte[] body, int length, long ts) {
            if (phase == Phase.HANDSHAKE) {
                if (hs != null) {
                    int n = hs.open(type, recordVersion, body, length, out);
                    if (n >= 0) {
                        decryptedPayload += length;
                        inner(n, ts, true);
                        if (finishedSeen && phase == Phase.HANDSHAKE) {
                            phase = Phase.APPLICATION;
                            handshake.reset();
                        }
                        return;
                    }
                }
                if (app == null) {
                    stop("decryption failed at " + name() + " record " + records + " (wrong key?)", ts, true);
                    return;
                }
                int n = app.open(type, recordVersion, body, length, out);
                if (n < 0) {
                    if (hs != null) {
                        stop("decryption failed at " + name() + " record " + records + " (wrong key?)", ts, true);
                        return;
                    }
                    trialFailures++;
                    if (trialFailures > MAX_TRIAL_RECORDS) {
                        stop("decryption failed at " + name() + " record " + records
                                + ": no record authenticated with the application traffic secret (wrong key?)", ts, true);
                    }
                    return;
                }
                phase = Phase.APPLICATION;
                handshake.reset();
                decryptedPayload += length;
                inner(n, ts, false);
                return;
            }
            int n = app.open(type, recordVersion, body, length, out);
            if (n < 0) {
                stop("decryption failed at " + name() + " record " + records + " (wrong key?)", ts, true);
                return;
            }
            decryptedPayload += length;
            inner(n, ts, false);
        }

        /** TLS 1.3 inner plaintext: content, then the real content type, then zero padding. */
        private void inner(int n, long ts, boolean handshakeKeys) {
            int i = n - 1;
            while (i >= 0 && out[i] == 0) {
                i--;
            }
            if (i < 0) {
                stop(name() + " record " + records + " has no content type; the rest is not decrypted", ts, true);
                return;
            }
            int innerType = out[i] & 0xff;
            if (innerType == TlsRecordDecoder.APPLICATION_DATA) {
                if (handshakeKeys) {
                    stop("application data under handshake keys at " + name() + " record " + records, ts, true);
                    return;
                }
                appRecords++;
                deliver(out, i, ts);
            } else if (innerType == TlsRecordDecoder.HANDSHAKE) {
                keyUpdate = false;
                handshake.feed(out, 0, i, (t, m, l) -> {
                    if (t == TlsHandshakeFields.FINISHED) {
                        finishedSeen = true;
                    } else if (t == TlsHandshakeFields.ENCRYPTED_EXTENSIONS && m != null) {
                        String a = TlsHandshakeFields.encryptedExtensionsAlpn(m, l);
                        if (a != null) {
                            alpn = a;
                        }
                    } else if (t == TlsHandshakeFields.KEY_UPDATE && !handshakeKeys) {
                        keyUpdate = true;
                    }
                });
                if (keyUpdate && phase == Phase.APPLICATION) {
                    app = app.next(); // RFC 8446 4.6.3: KeyUpdate ends its record; the next one uses new keys
                    handshake.reset();
                }
            }
            // Alerts carry no application data; close_notify is followed by the end of the stream.
        }

        private void deliver(byte[] b, int n, long ts) {
            if (n > 0) {
                anyDecrypted = true;
                output.plaintext(direction, b, 0, n, ts);
            }
        }

        void stop(String why, long ts, boolean note) {
            boolean wasLive = phase != Phase.STOPPED;
            phase = Phase.STOPPED;
            if (why != null && note) {
                notes.add(direction == Direction.CLIENT_TO_SERVER ? "client->server: " + why : "server->client: " + why);
                if (failure == null) {
                    failure = "failed";
                }
            }
            if (wasLive) {
                output.lost(direction, ts);
            }
        }
    }
}
