package org.egressaudit.harness.vm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Client for the QEMU guest agent (qemu-ga) behind a virtio-serial port whose host end is a QEMU chardev socket
 * ({@code -chardev socket,id=qga,path=PATH,server=on,wait=off -device virtserialport,chardev=qga,
 * name=org.qemu.guest_agent.0}).
 *
 * <p>The channel survives the guest: requests written before the agent runs are delivered when it starts, and
 * replies meant for an earlier client may still be in it. So the client synchronizes with guest-sync-delimited
 * and a random id, discarding everything up to the matching reply, when it connects and again after any request
 * went wrong mid-way (timeout, reply too long or malformed). Replies carry the request's {@code id}; one with
 * another id is stale and skipped.
 *
 * <p>The guest is not trusted: replies are bounded ({@value #MAX_REPLY_BYTES} bytes), every request has a timeout,
 * malformed replies are errors. Requests run one at a time; {@link #close()} may be called from another thread.
 */
public final class GuestAgentClient implements AutoCloseable {
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Each guest-sync try while the guest boots; short so that a try sent before the agent ran is not waited out. */
    static final Duration SYNC_ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    /** Longest reply accepted: two 16 MiB exec outputs in base64 fit. */
    public static final int MAX_REPLY_BYTES = 64 << 20;
    /** Raw bytes per guest-file-write. */
    static final int WRITE_CHUNK_BYTES = 256 << 10;
    /** Bytes asked per guest-file-read. */
    static final int READ_CHUNK_BYTES = 1 << 20;
    /** Stale replies (other ids) skipped while waiting for one reply before giving up. */
    private static final int MAX_STALE_REPLIES = 1000;
    private static final Duration FIRST_POLL = Duration.ofMillis(20);
    private static final Duration MAX_POLL = Duration.ofMillis(250);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final UnixLineChannel channel;
    private final JsonMessages json = new JsonMessages(MAX_REPLY_BYTES);
    private volatile Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private boolean needsSync = true;
    private long lastId;

    private GuestAgentClient(UnixLineChannel channel) {
        this.channel = channel;
    }

    /**
     * Connects (retrying while the socket is missing) and repeats guest-sync until the agent answers.
     *
     * @param bootTimeout how long the guest may take to boot and start its agent
     * @throws GuestAgentException if the agent did not answer within {@code bootTimeout}
     */
    public static GuestAgentClient connect(Path socket, Duration bootTimeout) {
        UnixLineChannel.requirePositive(bootTimeout, "boot timeout");
        Instant deadline = Instant.now().plus(bootTimeout);
        UnixLineChannel channel;
        try {
            channel = UnixLineChannel.connect(socket, bootTimeout, MAX_REPLY_BYTES, true);
        } catch (IOException e) {
            throw new GuestAgentException(null, null, "guest agent: " + e.getMessage(), e);
        }
        GuestAgentClient client = new GuestAgentClient(channel);
        try {
            synchronized (client) {
                while (!client.sync(SYNC_ATTEMPT_TIMEOUT, deadline)) {
                    if (!Instant.now().isBefore(deadline)) {
                        throw new GuestAgentException("guest-sync-delimited", "the guest agent did not answer within "
                                + UnixLineChannel.format(bootTimeout)
                                + ": is qemu-guest-agent installed and started in the image?");
                    }
                }
            }
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Timeout of each later request (default {@link #DEFAULT_REQUEST_TIMEOUT}). */
    public GuestAgentClient requestTimeout(Duration timeout) {
        UnixLineChannel.requirePositive(timeout, "request timeout");
        this.requestTimeout = timeout;
        return this;
    }

    /**
     * One guest-sync-delimited exchange: sends 0xFF (the agent drops any partial request it holds) and the sync
     * request, then discards everything until the reply with our random id.
     *
     * @return false if no matching reply came within {@code attempt} (capped by {@code deadline})
     */
    private boolean sync(Duration attempt, Instant deadline) {
        Instant end = Instant.now().plus(attempt);
        if (end.isAfter(deadline)) {
            end = deadline;
        }
        long id = RANDOM.nextLong() & ((1L << 53) - 1); // exact as a JSON number everywhere
        ObjectNode request = json.object().put("execute", "guest-sync-delimited");
        request.putObject("arguments").put("id", id);
        try {
            channel.writeRaw(new byte[] {(byte) UnixLineChannel.SENTINEL}, end);
            channel.writeLine(json.write(request), end);
            channel.skipToSentinel();
            while (true) {
                byte[] line;
                try {
                    line = channel.readLine(end);
                } catch (UnixLineChannel.LineTooLongException e) {
                    continue; // stale data; the channel skips the rest of it
                }
                if (line == null) {
                    throw closedByPeer("guest-sync-delimited");
                }
                ObjectNode reply;
                try {
                    reply = json.parse(line);
                } catch (IOException e) {
                    continue; // stale or partial data before our reply
                }
                JsonNode value = reply.get("return");
                if (value != null && value.isIntegralNumber() && value.asLong() == id) {
                    needsSync = false;
                    return true;
                }
            }
        } catch (UnixLineChannel.LineTimeoutException e) {
            return false;
        } catch (IOException e) {
            throw new GuestAgentException("guest-sync-delimited", null, "guest agent: " + e.getMessage(), e);
        }
    }

    public synchronized void ping() {
        request("guest-ping", null, requestTimeout);
    }

    /** guest-info: the agent's version and supported commands. */
    public synchronized JsonNode info() {
        return requireObject("guest-info", request("guest-info", null, requestTimeout));
    }

    /**
     * The guest OS's pretty name (or name, or id) from guest-get-osinfo; "unknown" if the agent does not support
     * the command or reports none.
     */
    public synchronized String osName() {
        JsonNode info;
        try {
            info = request("guest-get-osinfo", null, requestTimeout);
        } catch (GuestAgentException e) {
            if (e.errorClass() == null) {
                throw e; // timeout or broken channel, not "unsupported"
            }
            return "unknown";
        }
        for (String field : List.of("pretty-name", "name", "id")) {
            JsonNode v = info.path(field);
            if (v.isTextual() && !v.asText().isBlank()) {
                return v.asText();
            }
        }
        return "unknown";
    }

    /**
     * Starts a process in the guest (guest-exec) without waiting for it.
     *
     * @param path executable; searched in the agent's PATH if it has no slash
     * @param env entries {@code NAME=value}; the process gets only these if any are given
     * @param captureOutput whether stdout and stderr are kept for {@link #execStatus}
     * @return the guest pid
     */
    public synchronized long exec(String path, List<String> args, List<String> env, boolean captureOutput) {
        requireText(path, "executable path");
        ObjectNode arguments = json.object().put("path", path);
        ArrayNode arg = arguments.putArray("arg");
        for (String a : args) {
            requireNoNul(Objects.requireNonNull(a, "null argument"), "argument of " + path);
            arg.add(a);
        }
        if (!env.isEmpty()) {
            ArrayNode e = arguments.putArray("env");
            for (String entry : env) {
                Objects.requireNonNull(entry, "null environment entry");
                requireNoNul(entry, "environment entry");
                if (entry.indexOf('=') <= 0) {
                    throw new IllegalArgumentException("environment entry is not NAME=value: " + entry);
                }
                e.add(entry);
            }
        }
        arguments.put("capture-output", captureOutput);
        JsonNode pid = request("guest-exec", arguments, requestTimeout).path("pid");
        if (!pid.isIntegralNumber()) {
            throw new GuestAgentException("guest-exec", "guest agent: reply to guest-exec " + path
                    + " has no integer pid");
        }
        return pid.asLong();
    }

    /** guest-exec-status, output decoded. */
    public synchronized ExecStatus execStatus(long pid) {
        ObjectNode arguments = json.object().put("pid", pid);
        JsonNode r = requireObject("guest-exec-status", request("guest-exec-status", arguments, requestTimeout));
        JsonNode exited = r.get("exited");
        if (exited == null || !exited.isBoolean()) {
            throw new GuestAgentException("guest-exec-status", "guest agent: guest-exec-status for pid " + pid
                    + " has no boolean 'exited'");
        }
        return new ExecStatus(exited.asBoolean(), optionalInt(r, "exitcode"), optionalInt(r, "signal"),
                base64(r, "out-data"), base64(r, "err-data"), r.path("out-truncated").asBoolean(false),
                r.path("err-truncated").asBoolean(false));
    }

    /**
     * Runs a command with captured output and polls its status (every 20 ms at first, backing off to 250 ms)
     * until it exits or {@code timeout} passes. Each poll has the request timeout of its own.
     *
     * @return the final status; {@code exited() == false} if the timeout passed (the process still runs: kill it
     *     with another exec)
     */
    public synchronized ExecStatus run(Duration timeout, String path, String... args) {
        UnixLineChannel.requirePositive(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        long pid = exec(path, List.of(args), List.of(), true);
        Duration delay = FIRST_POLL;
        while (true) {
            ExecStatus status = execStatus(pid);
            long left = deadline - System.nanoTime();
            if (status.exited() || left <= 0) {
                return status;
            }
            try {
                Thread.sleep(Math.min(delay.toMillis(), Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GuestAgentException("guest-exec-status", null, "interrupted waiting for " + path
                        + " (guest pid " + pid + ")", e);
            }
            delay = delay.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : delay.multipliedBy(2);
        }
    }

    /**
     * Writes {@code data} (read to its end, not closed) to a file in the guest, created or truncated, in chunks of
     * {@value #WRITE_CHUNK_BYTES} bytes. The guest handle is closed even on failure.
     */
    public synchronized void writeFile(String guestPath, InputStream data) {
        requireText(guestPath, "guest path");
        Objects.requireNonNull(data, "data");
        long handle = open(guestPath, "wb");
        RuntimeException failure = null;
        try {
            long written = 0;
            while (true) {
                byte[] chunk;
                try {
                    chunk = data.readNBytes(WRITE_CHUNK_BYTES);
                } catch (IOException e) {
                    throw new UncheckedIOException("reading the data for guest file " + guestPath, e);
                }
                if (chunk.length == 0) {
                    return;
                }
                ObjectNode arguments = json.object().put("handle", handle)
                        .put("buf-b64", Base64.getEncoder().encodeToString(chunk)).put("count", chunk.length);
                JsonNode count = request("guest-file-write", arguments, requestTimeout).path("count");
                if (!count.isIntegralNumber() || count.asLong() != chunk.length) {
                    throw new GuestAgentException("guest-file-write", "guest agent: short write to " + guestPath
                            + " at offset " + written + ": " + count + " of " + chunk.length + " bytes");
                }
                written += chunk.length;
            }
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            close(handle, guestPath, failure);
        }
    }

    /**
     * Copies a guest file to {@code out} (not closed) in reads of {@value #READ_CHUNK_BYTES} bytes.
     *
     * @return the number of bytes copied
     * @throws GuestAgentException if the file holds more than {@code maxBytes} (nothing beyond the limit is
     *     copied), or on any agent error
     */
    public synchronized long readFile(String guestPath, OutputStream out, long maxBytes) {
        requireText(guestPath, "guest path");
        Objects.requireNonNull(out, "out");
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        long handle = open(guestPath, "rb");
        RuntimeException failure = null;
        try {
            long total = 0;
            while (true) {
                ObjectNode arguments = json.object().put("handle", handle).put("count", READ_CHUNK_BYTES);
                JsonNode r = requireObject("guest-file-read", request("guest-file-read", arguments, requestTimeout));
                byte[] chunk = base64(r, "buf-b64");
                JsonNode count = r.path("count");
                if (!count.isIntegralNumber() || count.asLong() != chunk.length || chunk.length > READ_CHUNK_BYTES) {
                    throw new GuestAgentException("guest-file-read", "guest agent: inconsistent read of " + guestPath
                            + ": count " + count + ", " + chunk.length + " bytes of data, " + READ_CHUNK_BYTES
                            + " asked");
                }
                if (total + chunk.length > maxBytes) {
                    throw new GuestAgentException("guest-file-read", "guest file " + guestPath
                            + " is larger than the limit of " + maxBytes + " bytes");
                }
                try {
                    out.write(chunk);
                } catch (IOException e) {
                    throw new UncheckedIOException("writing the contents of guest file " + guestPath, e);
                }
                total += chunk.length;
                // an empty read without eof would repeat for ever (a pipe with no writer): treat as the end
                if (r.path("eof").asBoolean(false) || chunk.length == 0) {
                    return total;
                }
            }
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            close(handle, guestPath, failure);
        }
    }

    private long open(String guestPath, String mode) {
        ObjectNode arguments = json.object().put("path", guestPath).put("mode", mode);
        JsonNode handle = request("guest-file-open", arguments, requestTimeout);
        if (!handle.isIntegralNumber()) {
            throw new GuestAgentException("guest-file-open", "guest agent: guest-file-open " + guestPath
                    + " returned no integer handle");
        }
        return handle.asLong();
    }

    private void close(long handle, String guestPath, RuntimeException failure) {
        try {
            request("guest-file-close", json.object().put("handle", handle), requestTimeout);
        } catch (RuntimeException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            } else {
                throw new GuestAgentException("guest-file-close", null, "guest agent: closing " + guestPath
                        + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Sends one request and returns its {@code return} value (re-synchronizing first if an earlier request went
     * wrong mid-way).
     */
    private JsonNode request(String command, ObjectNode arguments, Duration timeout) {
        if (!channel.isOpen()) {
            throw new GuestAgentException(command, "guest agent " + command + ": the client is closed");
        }
        Instant deadline = Instant.now().plus(timeout);
        if (needsSync && !sync(timeout, deadline)) {
            throw new GuestAgentException(command, "guest agent " + command + ": no answer to guest-sync within "
                    + UnixLineChannel.format(timeout) + " (after an earlier request failed)");
        }
        long id = ++lastId;
        ObjectNode request = json.object().put("execute", command);
        if (arguments != null) {
            request.set("arguments", arguments);
        }
        request.put("id", id);
        needsSync = true; // until the reply is in: whatever goes wrong leaves the channel out of step
        try {
            channel.writeLine(json.write(request), deadline);
            for (int stale = 0; stale <= MAX_STALE_REPLIES; stale++) {
                byte[] line = channel.readLine(deadline);
                if (line == null) {
                    throw closedByPeer(command);
                }
                if (line.length == 0) {
                    continue;
                }
                ObjectNode reply;
                try {
                    reply = json.parse(line);
                } catch (IOException e) {
                    throw new GuestAgentException(command, null, "guest agent " + command + ": " + e.getMessage(), e);
                }
                JsonNode replyId = reply.get("id");
                if (replyId != null && !(replyId.isIntegralNumber() && replyId.asLong() == id)) {
                    continue; // a reply to a request that timed out earlier
                }
                needsSync = false;
                JsonNode error = reply.get("error");
                if (error != null) {
                    String cls = error.path("class").asText("?");
                    throw new GuestAgentException(command, cls, "guest agent " + command + " failed: " + cls + ": "
                            + error.path("desc").asText("(no description)"), null);
                }
                JsonNode value = reply.get("return");
                if (value == null) {
                    needsSync = true;
                    throw new GuestAgentException(command, "guest agent " + command + ": reply has neither return "
                            + "nor error: " + UnixLineChannel.excerpt(line));
                }
                return value;
            }
            throw new GuestAgentException(command, "guest agent " + command + ": more than " + MAX_STALE_REPLIES
                    + " replies to other requests");
        } catch (UnixLineChannel.LineTimeoutException e) {
            throw new GuestAgentException(command, null, "guest agent " + command + ": no reply within "
                    + UnixLineChannel.format(timeout), e);
        } catch (UnixLineChannel.LineTooLongException e) {
            throw new GuestAgentException(command, null, "guest agent " + command + ": reply longer than "
                    + MAX_REPLY_BYTES + " bytes", e);
        } catch (IOException e) {
            throw new GuestAgentException(command, null, "guest agent " + command + ": " + e.getMessage(), e);
        }
    }

    private GuestAgentException closedByPeer(String command) {
        return new GuestAgentException(command, "guest agent " + command + ": " + channel.socket()
                + " was closed by QEMU (did QEMU exit?)");
    }

    private static JsonNode requireObject(String command, JsonNode value) {
        if (!value.isObject()) {
            throw new GuestAgentException(command, "guest agent " + command + ": reply is not an object: "
                    + UnixLineChannel.excerpt(value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return value;
    }

    private static Integer optionalInt(JsonNode r, String field) {
        JsonNode v = r.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new GuestAgentException("guest-exec-status", "guest agent: '" + field + "' is not an int: "
                    + UnixLineChannel.excerpt(v.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return v.asInt();
    }

    private static byte[] base64(JsonNode r, String field) {
        JsonNode v = r.get(field);
        if (v == null || v.isNull()) {
            return new byte[0];
        }
        if (!v.isTextual()) {
            throw new GuestAgentException(null, "guest agent: '" + field + "' is not a string");
        }
        try {
            return Base64.getDecoder().decode(v.asText());
        } catch (IllegalArgumentException e) {
            throw new GuestAgentException(null, null, "guest agent: '" + field + "' is not valid base64", e);
        }
    }

    private static void requireText(String s, String what) {
        Objects.requireNonNull(s, what);
        if (s.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        requireNoNul(s, what);
    }

    private static void requireNoNul(String s, String what) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("NUL character in " + what + ": " + s.replace('\0', '?'));
        }
    }

    /** Idempotent; may be called from another thread to abort a request in progress. */
    @Override
    public void close() {
        channel.close();
    }
}
