package org.egressaudit.harness.vm;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Client for the QEMU Machine Protocol on a UNIX socket ({@code -qmp unix:PATH,server=on,wait=off}).
 *
 * <p>A reader thread receives everything QEMU sends: replies are matched to the command in flight by the
 * {@code id} this client puts in every command (a late reply to a command that timed out is dropped), events are
 * kept (the last {@value #MAX_EVENTS}) whether or not a command is running. Commands run one at a time.
 *
 * <pre>{@code
 * try (QmpClient qmp = QmpClient.connect(dir.resolve("qmp.sock"), Duration.ofSeconds(30))) {
 *     qmp.powerdown();
 *     if (qmp.awaitEvent("SHUTDOWN", Duration.ofSeconds(60)).isEmpty()) qmp.quit();
 * }
 * }</pre>
 */
public final class QmpClient implements AutoCloseable {
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(10);
    /** Longest message accepted from QEMU (query-qmp-schema, the largest reply, is well under 1 MiB). */
    static final int MAX_MESSAGE_BYTES = 16 << 20;
    /** Events kept; older ones are dropped (a guest can make QEMU emit events without end). */
    public static final int MAX_EVENTS = 10_000;
    /** Distinct event names remembered for {@link #awaitEvent} after their events were dropped. */
    private static final int MAX_EVENT_NAMES = 512;
    private static final Duration READER_STOP_WAIT = Duration.ofSeconds(2);

    private final UnixLineChannel channel;
    private final JsonMessages json = new JsonMessages(MAX_MESSAGE_BYTES);
    private final AtomicLong ids = new AtomicLong();
    private final Object commandLock = new Object();
    private final Object lock = new Object(); // guards the fields below
    private String pendingId;
    private CompletableFuture<ObjectNode> pendingReply;
    private final ArrayDeque<QmpEvent> events = new ArrayDeque<>();
    private final Map<String, QmpEvent> firstEventByName = new LinkedHashMap<>();
    private boolean shutdownSeen;
    private String disconnected; // why, once the connection is gone
    private final Thread reader;
    private volatile Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;

    private QmpClient(UnixLineChannel channel) {
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "qmp-reader " + channel.socket().getFileName());
        this.reader.setDaemon(true);
    }

    /**
     * Connects (retrying until QEMU has created the socket, at most {@code timeout}), reads QEMU's greeting and
     * leaves capabilities negotiation mode; the greeting and negotiation each get the command timeout.
     *
     * @throws QmpException if the socket does not appear in time, or the peer does not speak QMP
     */
    public static QmpClient connect(Path socket, Duration timeout) {
        UnixLineChannel channel;
        try {
            channel = UnixLineChannel.connect(socket, timeout, MAX_MESSAGE_BYTES, false);
        } catch (IOException e) {
            throw new QmpException(null, null, "QMP: " + e.getMessage(), e);
        }
        QmpClient client = new QmpClient(channel);
        try {
            client.readGreeting();
            client.reader.start();
            client.execute("qmp_capabilities", null);
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private void readGreeting() {
        Instant deadline = Instant.now().plus(commandTimeout);
        try {
            byte[] line = channel.readLine(deadline);
            if (line == null) {
                throw new QmpException(null, "QMP: " + channel.socket() + " closed before QEMU's greeting");
            }
            ObjectNode greeting = json.parse(line);
            if (!greeting.path("QMP").isObject()) {
                throw new QmpException(null, "QMP: " + channel.socket() + " did not start with a QMP greeting: "
                        + UnixLineChannel.excerpt(line));
            }
        } catch (UnixLineChannel.LineTimeoutException e) {
            throw new QmpException(null, null, "QMP: no greeting from " + channel.socket() + " within "
                    + UnixLineChannel.format(commandTimeout), e);
        } catch (IOException e) {
            throw new QmpException(null, null, "QMP: reading the greeting from " + channel.socket() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Timeout of each later command (default {@link #DEFAULT_COMMAND_TIMEOUT}). */
    public QmpClient commandTimeout(Duration timeout) {
        UnixLineChannel.requirePositive(timeout, "command timeout");
        this.commandTimeout = timeout;
        return this;
    }

    /** QEMU's run state: "running", "paused", "shutdown", "guest-panicked", "inmigrate", ... */
    public String status() {
        JsonNode status = execute("query-status", null).path("status");
        if (!status.isTextual()) {
            throw new QmpException("query-status", "QMP query-status: reply without a status string");
        }
        return status.asText();
    }

    public boolean running() {
        return "running".equals(status());
    }

    /** Presses the ACPI power button; the guest decides whether and when to shut down. */
    public void powerdown() {
        execute("system_powerdown", null);
    }

    /**
     * Makes QEMU exit at once. QEMU closes the connection, possibly before replying: that is success.
     */
    public void quit() {
        try {
            execute("quit", null);
        } catch (QmpException e) {
            if (connected()) {
                throw e;
            }
        }
    }

    /**
     * Runs one command and returns its {@code return} value.
     *
     * @param arguments the command's {@code arguments} object, or {@code null}
     * @throws QmpException naming the command and QEMU's error class and description, or the timeout
     */
    public JsonNode execute(String command, ObjectNode arguments) {
        return execute(command, arguments, commandTimeout);
    }

    public JsonNode execute(String command, ObjectNode arguments, Duration timeout) {
        Objects.requireNonNull(command, "command");
        UnixLineChannel.requirePositive(timeout, "timeout");
        synchronized (commandLock) {
            String id = "egress-audit-" + ids.incrementAndGet();
            CompletableFuture<ObjectNode> reply = new CompletableFuture<>();
            synchronized (lock) {
                if (disconnected != null) {
                    throw new QmpException(command, "QMP command " + command + " not sent: " + disconnected);
                }
                pendingId = id;
                pendingReply = reply;
            }
            Instant deadline = Instant.now().plus(timeout);
            try {
                ObjectNode request = json.object().put("execute", command);
                if (arguments != null) {
                    request.set("arguments", arguments);
                }
                request.put("id", id);
                channel.writeLine(json.write(request), deadline);
                long left = Math.max(1, Duration.between(Instant.now(), deadline).toNanos());
                return result(command, reply.get(left, TimeUnit.NANOSECONDS));
            } catch (TimeoutException | UnixLineChannel.LineTimeoutException e) {
                throw new QmpException(command, null, "QMP command " + command + " got no reply within "
                        + UnixLineChannel.format(timeout) + " on " + channel.socket(), e);
            } catch (ExecutionException e) {
                throw new QmpException(command, null, "QMP command " + command + " failed: "
                        + e.getCause().getMessage(), e.getCause());
            } catch (IOException e) {
                throw new QmpException(command, null, "QMP command " + command + " could not be sent: "
                        + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QmpException(command, null, "interrupted waiting for QMP command " + command, e);
            } finally {
                synchronized (lock) {
                    pendingId = null;
                    pendingReply = null;
                }
            }
        }
    }

    private static JsonNode result(String command, ObjectNode reply) {
        JsonNode error = reply.get("error");
        if (error != null) {
            String cls = error.path("class").asText("?");
            throw new QmpException(command, cls, "QMP command " + command + " failed: " + cls + ": "
                    + error.path("desc").asText("(no description)"), null);
        }
        return reply.get("return");
    }

    /** Events received so far, oldest first (at most {@value #MAX_EVENTS}: the oldest are dropped). */
    public List<QmpEvent> events() {
        synchronized (lock) {
            return List.copyOf(events);
        }
    }

    /** Whether QEMU reported a SHUTDOWN event (guest powered off, or quit). */
    public boolean shutdownSeen() {
        synchronized (lock) {
            return shutdownSeen;
        }
    }

    /**
     * Waits for the first event called {@code name} since connecting (returned at once if already received).
     *
     * @return the event, or empty when the timeout passed or the connection closed without one
     */
    public Optional<QmpEvent> awaitEvent(String name, Duration timeout) {
        Objects.requireNonNull(name, "name");
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                QmpEvent e = firstEventByName.get(name);
                if (e != null) {
                    return Optional.of(e);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || disconnected != null) {
                    return Optional.empty();
                }
                waitOn(left);
            }
        }
    }

    /** Waits until QEMU has closed the connection (after quit, or when QEMU exits); true if it did. */
    public boolean awaitDisconnect(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (disconnected == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                waitOn(left);
            }
            return true;
        }
    }

    public boolean connected() {
        synchronized (lock) {
            return disconnected == null;
        }
    }

    private void waitOn(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(lock, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException(null, null, "interrupted waiting on QMP", e);
        }
    }

    private void readLoop() {
        while (true) {
            byte[] line;
            try {
                line = channel.readLine(null);
            } catch (UnixLineChannel.LineTooLongException e) {
                failPending(e.getMessage()); // the rest of the line is skipped; the protocol goes on
                continue;
            } catch (IOException e) {
                disconnect(channel.isOpen() ? "reading " + channel.socket() + ": " + e.getMessage()
                        : "the QMP client was closed");
                return;
            }
            if (line == null) {
                disconnect("QEMU closed the QMP connection " + channel.socket());
                return;
            }
            if (line.length == 0) {
                continue;
            }
            ObjectNode message;
            try {
                message = json.parse(line);
            } catch (IOException e) {
                failPending("QEMU sent " + e.getMessage());
                continue;
            }
            dispatch(message);
        }
    }

    private void dispatch(ObjectNode message) {
        JsonNode event = message.get("event");
        synchronized (lock) {
            if (event != null) {
                record(new QmpEvent(event.asText(), message.get("data"), timestamp(message.path("timestamp"))));
            } else if (message.has("return") || message.has("error")) {
                if (pendingReply != null && pendingId.equals(message.path("id").asText(null))) {
                    pendingReply.complete(message);
                }
                // else: the late reply to a command that timed out
            }
            lock.notifyAll();
        }
    }

    private void record(QmpEvent e) {
        if (events.size() == MAX_EVENTS) {
            events.removeFirst();
        }
        events.addLast(e);
        if (firstEventByName.size() < MAX_EVENT_NAMES) {
            firstEventByName.putIfAbsent(e.name(), e);
        }
        if (e.name().equals("SHUTDOWN")) {
            shutdownSeen = true;
        }
    }

    private static Instant timestamp(JsonNode ts) {
        long seconds = ts.path("seconds").asLong(-1);
        long micros = ts.path("microseconds").asLong(-1);
        if (seconds < 0 || micros < 0 || micros >= 1_000_000) {
            return Instant.now();
        }
        return Instant.ofEpochSecond(seconds, micros * 1000);
    }

    private void failPending(String why) {
        synchronized (lock) {
            if (pendingReply != null) {
                pendingReply.completeExceptionally(new IOException(why));
            }
        }
    }

    private void disconnect(String why) {
        synchronized (lock) {
            if (disconnected == null) {
                disconnected = why;
            }
            if (pendingReply != null) {
                pendingReply.completeExceptionally(new IOException(why));
            }
            lock.notifyAll();
        }
    }

    /** Idempotent; does not stop QEMU (see {@link #quit()}). */
    @Override
    public void close() {
        channel.close();
        if (reader.isAlive() && Thread.currentThread() != reader) {
            try {
                reader.join(READER_STOP_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        disconnect("the QMP client was closed");
    }
}
