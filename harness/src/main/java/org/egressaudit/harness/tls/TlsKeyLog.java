package org.egressaudit.harness.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The NSS key log (the SSLKEYLOGFILE format Wireshark and the analyzers read) of the sessions the harness
 * terminates: TLS 1.2 as {@code CLIENT_RANDOM <client random> <master secret>}, TLS 1.3 as one line per traffic
 * secret. Each session's lines are written and flushed as soon as its handshake completes, so a run that is cut
 * short still has the keys of what was captured. Safe to use from any thread. Bounded: the agent decides how many
 * sessions there are.
 */
public final class TlsKeyLog implements AutoCloseable {
    public static final String FILE_NAME = "tls-keys.log";
    /** Default size limit (some 300 000 TLS 1.3 sessions). */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;

    /** One secret of one session. */
    public record Secret(String label, byte[] secret) {
        public Secret {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(secret, "secret");
            if (!label.matches("[A-Z][A-Z0-9_]*")) {
                throw new IllegalArgumentException("not an NSS key log label: " + label);
            }
        }
    }

    private final Path file;
    private final OutputStream out;
    private final long maxBytes;
    private long written;
    private long sessions;
    private long dropped;
    private IOException failure;
    private boolean closed;

    private TlsKeyLog(Path file, OutputStream out, long maxBytes) {
        this.file = file;
        this.out = out;
        this.maxBytes = maxBytes;
    }

    /** Creates (or truncates) {@code file}, readable by its owner only: it decrypts the capture. */
    public static TlsKeyLog create(Path file, long maxBytes) throws IOException {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
        }
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
        }
        OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        return new TlsKeyLog(file, out, maxBytes);
    }

    public Path file() {
        return file;
    }

    /**
     * Writes the lines of one session. Never throws: a full or failing log is counted in {@link #droppedSessions()}
     * (and {@link #failure()}) rather than breaking the connection.
     *
     * @return true when the lines were written
     */
    public synchronized boolean session(byte[] clientRandom, List<Secret> secrets) {
        if (clientRandom == null || clientRandom.length != 32) {
            throw new IllegalArgumentException("a client random is 32 bytes");
        }
        StringBuilder sb = new StringBuilder();
        String random = HexFormat.of().formatHex(clientRandom);
        for (Secret s : secrets) {
            sb.append(s.label()).append(' ').append(random).append(' ')
                    .append(HexFormat.of().formatHex(s.secret())).append('\n');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
        if (closed || failure != null || written + bytes.length > maxBytes) {
            dropped++;
            return false;
        }
        try {
            out.write(bytes);
            out.flush();
            written += bytes.length;
            sessions++;
            return true;
        } catch (IOException e) {
            failure = e;
            dropped++;
            return false;
        }
    }

    /** Sessions whose keys were written. */
    public synchronized long sessions() {
        return sessions;
    }

    /** Sessions whose keys could not be written (log full, closed or failing). */
    public synchronized long droppedSessions() {
        return dropped;
    }

    /** The first write error, or null. */
    public synchronized IOException failure() {
        return failure;
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }
}
