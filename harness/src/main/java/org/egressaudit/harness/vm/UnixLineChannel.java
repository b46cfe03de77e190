package org.egressaudit.harness.vm;

import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A client connection to a UNIX domain socket that carries newline-delimited messages (QMP, qemu-ga), with a
 * deadline on every read and write and a bound on the length of a received line, because the peer (QEMU, or the
 * guest behind it) may hang or send without end.
 *
 * <p>The channel is non-blocking; reads and writes wait on their own selectors so that one thread may read while
 * another writes. Reads must come from one thread at a time, and so must writes. {@link #close()} may be called
 * from any thread and wakes a blocked reader.
 */
final class UnixLineChannel implements AutoCloseable {
    /** Byte qemu-ga puts before the reply to guest-sync-delimited: whatever came before it is stale. */
    static final int SENTINEL = 0xFF;
    /** sun_path is 108 bytes including the terminating NUL on Linux. */
    private static final int MAX_SOCKET_PATH_BYTES = 107;
    private static final int SHRINK_ABOVE = 1 << 20;
    private static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(20);
    private static final Duration MAX_RETRY_DELAY = Duration.ofMillis(250);

    private final Path socket;
    private final SocketChannel channel;
    private final Selector readSelector;
    private final Selector writeSelector;
    private final int maxLineBytes;
    private final boolean sentinelResetsLine;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024).flip();
    private byte[] line = new byte[1024];
    private int lineLength;
    private boolean skippingToSentinel;
    /** The line being received went over the limit: drop the rest of it. */
    private boolean skippingOversize;
    private volatile boolean closed;

    private UnixLineChannel(Path socket, SocketChannel channel, int maxLineBytes, boolean sentinelResetsLine)
            throws IOException {
        this.socket = socket;
        this.channel = channel;
        this.maxLineBytes = maxLineBytes;
        this.sentinelResetsLine = sentinelResetsLine;
        Selector r = null;
        try {
            channel.configureBlocking(false);
            r = Selector.open();
            channel.register(r, SelectionKey.OP_READ);
            Selector w = Selector.open();
            channel.register(w, SelectionKey.OP_WRITE);
            this.readSelector = r;
            this.writeSelector = w;
        } catch (IOException | RuntimeException e) {
            closeQuietly(r);
            closeQuietly(channel);
            throw e;
        }
    }

    /**
     * Connects, retrying while the socket file does not exist yet or nobody listens on it (QEMU is still starting).
     *
     * @param sentinelResetsLine whether a 0xFF byte discards the partial line before it (qemu-ga)
     * @throws IOException the last connection error once {@code timeout} has passed
     */
    static UnixLineChannel connect(Path socket, Duration timeout, int maxLineBytes, boolean sentinelResetsLine)
            throws IOException {
        Objects.requireNonNull(socket, "socket");
        requirePositive(timeout, "timeout");
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
        }
        Path absolute = socket.toAbsolutePath();
        if (absolute.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
            throw new IllegalArgumentException("UNIX socket path longer than " + MAX_SOCKET_PATH_BYTES
                    + " bytes (the kernel's limit): " + absolute);
        }
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(absolute);
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration delay = FIRST_RETRY_DELAY;
        while (true) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(address); // local: completes or fails at once
                return new UnixLineChannel(absolute, ch, maxLineBytes, sentinelResetsLine);
            } catch (SocketException e) {
                // ENOENT (not created yet) or ECONNREFUSED (file left over, or not listening yet): retry
                closeQuietly(ch);
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("could not connect to " + absolute + " within " + format(timeout) + ": "
                            + e.getMessage(), e);
                }
                sleep(Math.min(delay.toNanos(), left));
                delay = delay.multipliedBy(2).compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : delay.multipliedBy(2);
            } catch (IOException | RuntimeException e) {
                closeQuietly(ch);
                throw e;
            }
        }
    }

    Path socket() {
        return socket;
    }

    /** Writes {@code bytes} then a newline. */
    void writeLine(byte[] bytes, Instant deadline) throws IOException {
        ByteBuffer[] buffers = {ByteBuffer.wrap(bytes), ByteBuffer.wrap(new byte[] {'\n'})};
        write(buffers, deadline);
    }

    void writeRaw(byte[] bytes, Instant deadline) throws IOException {
        write(new ByteBuffer[] {ByteBuffer.wrap(bytes)}, deadline);
    }

    private void write(ByteBuffer[] buffers, Instant deadline) throws IOException {
        ensureOpen();
        while (buffers[buffers.length - 1].hasRemaining()) {
            if (channel.write(buffers) > 0) {
                continue;
            }
            await(writeSelector, deadline, "write to");
        }
    }

    /**
     * Reads the next line (without its line end: LF or CRLF).
     *
     * @return the line, or {@code null} if the peer closed the connection (a partial last line is dropped)
     * @throws LineTimeoutException when {@code deadline} passes first ({@code null}: wait without end); the partial
     *     line is kept, so a later call continues it
     * @throws LineTooLongException when the line exceeds the limit; the rest of it is skipped by the next read
     */
    byte[] readLine(Instant deadline) throws IOException {
        ensureOpen();
        while (true) {
            while (readBuffer.hasRemaining()) {
                int b = readBuffer.get() & 0xFF;
                if (b == SENTINEL && sentinelResetsLine) {
                    lineLength = 0;
                    skippingToSentinel = false;
                    skippingOversize = false; // what follows is a new message
                } else if (skippingToSentinel) {
                    continue;
                } else if (b == '\n') {
                    int n = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
                    lineLength = 0;
                    if (skippingOversize) {
                        skippingOversize = false;
                        continue;
                    }
                    byte[] result = Arrays.copyOf(line, n);
                    if (line.length > SHRINK_ABOVE) {
                        line = new byte[1024]; // one big reply should not pin its buffer for the connection's life
                    }
                    return result;
                } else if (!skippingOversize) {
                    append((byte) b);
                }
            }
            readBuffer.clear();
            int n;
            try {
                n = channel.read(readBuffer);
            } finally {
                readBuffer.flip();
            }
            if (n < 0) {
                return null;
            }
            if (n == 0) {
                await(readSelector, deadline, "read from");
            }
        }
    }

    /** Discards everything received up to and including the next 0xFF byte (qemu-ga's sync sentinel). */
    void skipToSentinel() {
        skippingToSentinel = true;
        skippingOversize = false;
        lineLength = 0;
    }

    private void append(byte b) throws LineTooLongException {
        if (lineLength == maxLineBytes) {
            skippingOversize = true;
            lineLength = 0;
            line = new byte[1024]; // do not hold on to the big buffer
            throw new LineTooLongException("message from " + socket + " longer than " + maxLineBytes + " bytes");
        }
        if (lineLength == line.length) {
            line = Arrays.copyOf(line, (int) Math.min(maxLineBytes, 2L * line.length));
        }
        line[lineLength++] = b;
    }

    private void await(Selector selector, Instant deadline, String what) throws IOException {
        long millis = 0;
        if (deadline != null) {
            long left = Duration.between(Instant.now(), deadline).toNanos();
            if (left <= 0) {
                throw new LineTimeoutException("timed out waiting to " + what + " " + socket);
            }
            millis = Math.max(1, (left + 999_999) / 1_000_000);
        }
        try {
            selector.select(millis);
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            throw new IOException("connection to " + socket + " closed");
        }
        ensureOpen();
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("connection to " + socket + " closed");
        }
    }

    boolean isOpen() {
        return !closed;
    }

    /** Idempotent; wakes a thread blocked in {@link #readLine}. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(readSelector); // wakes a reader blocked in select
        closeQuietly(writeSelector);
        closeQuietly(channel);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // closing on a failure path or for good: nothing to do about it
        }
    }

    private static void sleep(long nanos) throws IOException {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while connecting");
        }
    }

    static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    /** "10 s", "250 ms": for messages. */
    static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** The first 200 characters of a message, printable, for error messages. */
    static String excerpt(byte[] bytes) {
        String s = new String(bytes, 0, Math.min(bytes.length, 800), StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(200).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b + (s.codePointCount(0, s.length()) > 200 || bytes.length > 800 ? "..." : "");
    }

    /** The read or write deadline passed. */
    static final class LineTimeoutException extends IOException {
        LineTimeoutException(String message) {
            super(message);
        }
    }

    /** A received line was longer than the limit. */
    static final class LineTooLongException extends IOException {
        LineTooLongException(String message) {
            super(message);
        }
    }
}
