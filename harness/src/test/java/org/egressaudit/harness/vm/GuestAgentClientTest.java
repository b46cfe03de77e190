package org.egressaudit.harness.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class GuestAgentClientTest {
    @TempDir
    Path dir;

    /**
     * A fake qemu-ga: answers guest-sync-delimited like the real one (0xFF, then the id) and hands every other
     * request to {@code handler}, whose reply (a {"return"} or {"error"} object, or null for no reply) gets the
     * request's id.
     */
    static FakeUnixServer.Script agent(Function<ObjectNode, ObjectNode> handler) {
        return peer -> {
            ObjectNode request;
            while ((request = peer.readJson()) != null) {
                String command = request.path("execute").asText();
                if (command.equals("guest-sync-delimited")) {
                    peer.sendRaw(new byte[] {(byte) 0xFF});
                    peer.send("{\"return\": " + request.path("arguments").path("id").asLong() + "}");
                    continue;
                }
                ObjectNode reply = handler.apply(request);
                if (reply != null) {
                    reply.set("id", request.get("id"));
                    peer.send(reply);
                }
            }
        };
    }

    static ObjectNode ok(Object value) {
        ObjectNode r = FakeUnixServer.JSON.createObjectNode();
        r.set("return", FakeUnixServer.JSON.valueToTree(value));
        return r;
    }

    static ObjectNode error(String cls, String desc) {
        ObjectNode r = FakeUnixServer.JSON.createObjectNode();
        r.putObject("error").put("class", cls).put("desc", desc);
        return r;
    }

    @Test
    void syncDiscardsStaleDataUpToTheMatchingReply() throws Exception {
        Path sock = dir.resolve("qga.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, peer -> {
            ObjectNode sync = peer.readJson();
            assertEquals("guest-sync-delimited", sync.path("execute").asText());
            assertEquals(1, peer.sentinelsReceived.get(), "0xFF must precede guest-sync-delimited");
            long id = sync.path("arguments").path("id").asLong();
            // left over from an earlier client: replies, a broken line, a sync reply with another id
            peer.send("{\"return\": {}, \"id\": 7}");
            peer.sendRaw("{\"return\": {\"pid\": 1".getBytes(StandardCharsets.UTF_8));
            peer.sendRaw(new byte[] {(byte) 0xFF});
            peer.send("{\"return\": " + (id + 1) + "}");
            peer.send("not json at all");
            peer.sendRaw("{\"retu".getBytes(StandardCharsets.UTF_8));
            peer.sendRaw(new byte[] {(byte) 0xFF});
            peer.send("{\"return\": " + id + "}");
            ObjectNode ping = peer.readJson();
            assertEquals("guest-ping", ping.path("execute").asText());
            assertTrue(ping.path("id").isIntegralNumber());
            peer.send("{\"return\": {}, \"id\": " + ping.path("id").asLong() + "}");
            assertNull(peer.readLine());
        });
                GuestAgentClient qga = GuestAgentClient.connect(sock, Duration.ofSeconds(10))) {
            qga.ping();
            qga.close();
            server.awaitScript(Duration.ofSeconds(5));
        }
    }

    @Test
    void repeatsSyncWhileTheGuestBoots() throws Exception {
        Path sock = dir.resolve("qga.sock");
        // the socket appears late (QEMU starting) and the first sync is never answered (agent not running yet);
        // then the agent answers both queued syncs, the stale one first
        try (FakeUnixServer server = FakeUnixServer.startLater(sock, Duration.ofMillis(500), peer -> {
            ObjectNode first = peer.readJson();
            ObjectNode second = peer.readJson(); // arrives after the client's 2 s try
            for (ObjectNode sync : List.of(first, second)) {
                peer.sendRaw(new byte[] {(byte) 0xFF});
                peer.send("{\"return\": " + sync.path("arguments").path("id").asLong() + "}");
            }
            agent(r -> ok(Map.of("version", "7.2.22", "supported_commands", List.of()))).serve(peer);
        });
                GuestAgentClient qga = GuestAgentClient.connect(sock, Duration.ofSeconds(20))) {
            assertEquals("7.2.22", qga.info().path("version").asText());
        }
    }

    @Test
    void agentThatNeverAnswersFailsWithAHint() throws Exception {
        Path sock = dir.resolve("qga.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, peer -> {
            while (peer.readLine() != null) {
                // a guest without qemu-ga: requests vanish
            }
        })) {
            long start = System.nanoTime();
            GuestAgentException e = assertThrows(GuestAgentException.class,
                    () -> GuestAgentClient.connect(sock, Duration.ofMillis(1500)));
            assertEquals("the guest agent did not answer within 1500 ms: is qemu-guest-agent installed and started "
                    + "in the image?", e.getMessage());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(Duration.ofMillis(1400)) > 0 && took.compareTo(Duration.ofSeconds(4)) < 0,
                    took::toString);
        }
    }

    @Test
    void errorReplyBecomesAnExceptionAndUnsupportedOsInfoIsUnknown() throws Exception {
        Path sock = dir.resolve("qga.sock");
        boolean[] supported = {false};
        try (FakeUnixServer server = FakeUnixServer.start(sock, agent(r -> switch (r.path("execute").asText()) {
            case "guest-get-osinfo" -> supported[0]
                    ? ok(Map.of("id", "debian", "name", "Debian GNU/Linux", "pretty-name", "Debian GNU/Linux 12"))
                    : error("CommandNotFound", "The command guest-get-osinfo has not been found");
            case "guest-exec" -> error("GenericError", "Guest agent command failed, error was 'Failed to execute "
                    + "child process \"/nonexistent\" (No such file or directory)'");
            default -> error("GenericError", "unexpected");
        }));
                GuestAgentClient qga = GuestAgentClient.connect(sock, Duration.ofSeconds(10))) {
            assertEquals("unknown", qga.osName());
            supported[0] = true;
            assertEquals("Debian GNU/Linux 12", qga.osName());
            GuestAgentException e = assertThrows(GuestAgentException.class,
                    () -> qga.exec("/nonexistent", List.of(), List.of(), false));
            assertEquals("guest-exec", e.command());
            assertEquals("GenericError", e.errorClass());
            assertTrue(e.getMessage().startsWith("guest agent guest-exec failed: GenericError: Guest agent command "
                    + "failed"), e.getMessage());
        }
    }

    @Test
    void oversizeReplyIsAnErrorAndTheClientResyncs() throws Exception {
        Path sock = dir.resolve("qga.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, agent(r -> {
            if (r.path("execute").asText().equals("guest-info")) {
                String huge = "x".repeat(GuestAgentClient.MAX_REPLY_BYTES);
                return ok(Map.of("version", huge));
            }
            return ok(Map.of());
        }))) {
            try (GuestAgentClient qga = GuestAgentClient.connect(sock, Duration.ofSeconds(10))) {
                GuestAgentException e = assertThrows(GuestAgentException.class, qga::info);
                assertEquals("guest agent guest-info: reply longer than 67108864 bytes", e.getMessage());
                qga.ping(); // the rest of the huge line was skipped, and a new guest-sync put the channel in step
            }
        }
    }

    @Test
    void malformedReplyIsAnErrorWithTheStartOfIt() throws Exception {
        Path sock = dir.resolve("qga.sock");
        String garbage = "{\"return\": " + "<".repeat(1000);
        try (FakeUnixServer server = FakeUnixServer.start(sock, peer -> {
            boolean[] first = {true};
            ObjectNode request;
            while ((request = peer.readJson()) != null) {
                if (request.path("execute").asText().equals("guest-sync-delimited")) {
                    peer.sendRaw(new byte[] {(byte) 0xFF});
                    peer.send("{\"return\": " + request.path("arguments").path("id").asLong() + "}");
                } else if (first[0]) {
                    first[0] = false;
                    peer.send(garbage);
                } else {
                    peer.send("{\"return\": {}, \"id\": " + request.path("id").asLong() + "}");
                }
            }
        });
                GuestAgentClient qga = GuestAgentClient.connect(sock, Duration.ofSeconds(10))) {
            GuestAgentException e = assertThrows(GuestAgentException.class, qga::ping);
            assertTrue(e.getMessage().startsWith("guest agent guest-ping: malformed JSON: {\"return\": <<<"),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("<<<..."), e.getMessage());
            assertTrue(e.getMessage().length() < 300, e.getMessage());
            qga.ping();
        }
    }

    @Test
    void requestTimesOutAndTheLateReplyIsDiscarded() throws Exception {
        Path sock = dir.resolve("qga.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, peer -> {
            ObjectNode sync = peer.readJson();
            peer.sendRaw(new byte[] {(byte) 0xFF});
            peer.send("{\"return\": " + sync.path("arguments").path("id").asLong() + "}");
            ObjectNode slow = peer.readJson(); // guest-info: answered only after the client gave up
            ObjectNode resync = peer.readJson();
            assertEquals("guest-sync-delimited", resync.path("execute").asText());
            assertEquals(2, peer.sentinelsReceived.get());
            peer.send("{\"return\": {\"version\": \"stale\"}, \"id\": " + slow.path("id").asLong() + "}");
            peer.sendRaw(new byte[] {(byte) 0xFF});
            peer.send("{\"return\": " + resync.path("arguments").path("id").asLong() + "}");
            ObjectNode again = peer.readJson();
            peer.send("{\"return\": {\"version\": \"fresh\"}, \"id\": " + again.path("id").asLong() + "}");
            peer.readLine();
        });
                GuestAgentClient qga = GuestAgentClient.connect(sock, Duration.ofSeconds(10))) {
            qga.requestTimeout(Duration.ofMillis(300));
            GuestAgentException e = assertThrows(GuestAgentException.class, qga::info);
            assertEquals("guest agent guest-info: no reply within 300 ms", e.getMessage());
            qga.requestTimeout(Duration.ofSeconds(5));
            assertEquals("fresh", qga.info().path("version").asText());
        }
    }

    @Test
    void staleReplyWithAnotherIdIsSkipped() throws Exception {
        Path sock = dir.resolve("qga.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, peer -> {
            ObjectNode sync = peer.readJson();
            peer.sendRaw(new byte[] {(byte) 0xFF});
            peer.send("{\"return\": " + sync.path("arguments").path("id").asLong() + "}");
            ObjectNode info = peer.readJson();
            peer.send("{\"return\": {\"version\": \"stale\"}, \"id\": 999999}");
            peer.send("{\"return\": {\"version\": \"right\"}, \"id\": " + info.path("id").asLong() + "}");
            peer.readLine();
        });
                GuestAgentClient qga = GuestAgentClient.connect(sock, Duration.ofSeconds(10))) {
            assertEquals("right", qga.info().path("version").asText());
        }
    }

    /** In-memory files behind guest-file-*, checking the client's chunking. */
    static final class FakeFiles implements Function<ObjectNode, ObjectNode> {
        final Map<String, ByteArrayOutputStream> files = new HashMap<>();
        final Map<Long, String> open = new HashMap<>();
        final Map<Long, Integer> readOffset = new HashMap<>();
        final List<Integer> writeSizes = new ArrayList<>();
        final List<Long> closed = new ArrayList<>();
        long nextHandle = 1000;

        @Override
        public ObjectNode apply(ObjectNode r) {
            JsonNode a = r.path("arguments");
            switch (r.path("execute").asText()) {
                case "guest-file-open" -> {
                    String path = a.path("path").asText();
                    String mode = a.path("mode").asText();
                    if (mode.equals("wb")) {
                        files.put(path, new ByteArrayOutputStream());
                    } else if (!mode.equals("rb") || !files.containsKey(path)) {
                        return error("GenericError", "failed to open file '" + path + "' (mode: '" + mode
                                + "'): No such file or directory");
                    }
                    open.put(nextHandle, path);
                    readOffset.put(nextHandle, 0);
                    return ok(nextHandle++);
                }
                case "guest-file-write" -> {
                    byte[] data = Base64.getDecoder().decode(a.path("buf-b64").asText());
                    assertEquals(data.length, a.path("count").asInt());
                    writeSizes.add(data.length);
                    files.get(open.get(a.path("handle").asLong())).writeBytes(data);
                    return ok(Map.of("count", data.length, "eof", false));
                }
                case "guest-file-read" -> {
                    long h = a.path("handle").asLong();
                    byte[] all = files.get(open.get(h)).toByteArray();
                    int from = readOffset.get(h);
                    int n = Math.min(a.path("count").asInt(), all.length - from);
                    readOffset.put(h, from + n);
                    return ok(Map.of("count", n, "buf-b64",
                            Base64.getEncoder().encodeToString(Arrays.copyOfRange(all, from, from + n)),
                            "eof", from + n == all.length));
                }
                case "guest-file-close" -> {
                    closed.add(a.path("handle").asLong());
                    open.remove(a.path("handle").asLong());
                    return ok(Map.of());
                }
                default -> {
                    return error("CommandNotFound", "The command " + r.path("execute").asText() + " has not been found");
                }
            }
        }
    }

    @Test
    void writesAndReadsFilesInChunks() throws Exception {
        Path sock = dir.resolve("qga.sock");
        FakeFiles fake = new FakeFiles();
        byte[] data = new byte[(2 << 20) + 600 * 1024 + 17]; // three full read chunks, eleven write chunks
        new Random(7).nextBytes(data);
        try (FakeUnixServer server = FakeUnixServer.start(sock, agent(fake));
                GuestAgentClient qga = GuestAgentClient.connect(sock, Duration.ofSeconds(10))) {
            qga.writeFile("/tmp/sample.bin", new ByteArrayInputStream(data));
            assertEquals(11, fake.writeSizes.size());
            assertTrue(fake.writeSizes.subList(0, 10).stream().allMatch(n -> n == 256 * 1024));
            assertEquals(data.length - 10 * 256 * 1024, fake.writeSizes.get(10));
            assertEquals(List.of(1000L), fake.closed);

            ByteArrayOutputStream back = new ByteArrayOutputStream();
            assertEquals(data.length, qga.readFile("/tmp/sample.bin", back, data.length));
            assertArrayEquals(data, back.toByteArray());
            assertEquals(List.of(1000L, 1001L), fake.closed);

            GuestAgentException tooBig = assertThrows(GuestAgentException.class,
                    () -> qga.readFile("/tmp/sample.bin", new ByteArrayOutputStream(), 1 << 20));
            assertEquals("guest file /tmp/sample.bin is larger than the limit of 1048576 bytes", tooBig.getMessage());
            assertEquals(List.of(1000L, 1001L, 1002L), fake.closed, "handle closed after the failure too");

            qga.writeFile("/tmp/empty", new ByteArrayInputStream(new byte[0]));
            assertEquals(0, qga.readFile("/tmp/empty", new ByteArrayOutputStream(), 0));

            GuestAgentException missing = assertThrows(GuestAgentException.class,
                    () -> qga.readFile("/nope", new ByteArrayOutputStream(), 10));
            assertTrue(missing.getMessage().contains("failed to open file '/nope'"), missing.getMessage());
        }
    }

    @Test
    void execSendsArgumentsAndRunDecodesTheStatus() throws Exception {
        Path sock = dir.resolve("qga.sock");
        List<ObjectNode> execs = new ArrayList<>();
        int[] polls = {0};
        try (FakeUnixServer server = FakeUnixServer.start(sock, agent(r -> switch (r.path("execute").asText()) {
            case "guest-exec" -> {
                execs.add(r);
                yield ok(Map.of("pid", 4242));
            }
            case "guest-exec-status" -> {
                assertEquals(4242, r.path("arguments").path("pid").asLong());
                if (++polls[0] < 3) {
                    yield ok(Map.of("exited", false));
                }
                yield ok(Map.of("exited", true, "exitcode", 3,
                        "out-data", Base64.getEncoder().encodeToString("hello\n".getBytes(StandardCharsets.UTF_8)),
                        "err-data", Base64.getEncoder().encodeToString(new byte[] {(byte) 0xC3, 0x28}),
                        "out-truncated", true));
            }
            default -> error("CommandNotFound", "no");
        }));
                GuestAgentClient qga = GuestAgentClient.connect(sock, Duration.ofSeconds(10))) {
            assertEquals(4242, qga.exec("/bin/sh", List.of("-c", "echo $X"), List.of("X=1", "PATH=/bin"), false));
            JsonNode a = execs.get(0).path("arguments");
            assertEquals("/bin/sh", a.path("path").asText());
            assertEquals(List.of("-c", "echo $X"), List.of(a.path("arg").get(0).asText(), a.path("arg").get(1).asText()));
            assertEquals("X=1", a.path("env").get(0).asText());
            assertFalse(a.path("capture-output").asBoolean());

            ExecStatus s = qga.run(Duration.ofSeconds(10), "echo", "hello");
            assertTrue(s.exited());
            assertEquals(3, s.exitCode());
            assertNull(s.signal());
            assertFalse(s.succeeded());
            assertEquals("hello\n", s.stdoutText());
            assertArrayEquals(new byte[] {(byte) 0xC3, 0x28}, s.stderr());
            assertTrue(s.stdoutTruncated());
            assertFalse(s.stderrTruncated());
            assertEquals(3, polls[0]);
            assertTrue(execs.get(1).path("arguments").path("capture-output").asBoolean());
            assertFalse(execs.get(1).path("arguments").has("env"));

            assertThrows(IllegalArgumentException.class, () -> qga.exec("/bin/sh", List.of(), List.of("=x"), true));
            assertThrows(IllegalArgumentException.class, () -> qga.exec("/bin/sh", List.of("a\0b"), List.of(), true));
            assertThrows(IllegalArgumentException.class, () -> qga.exec("", List.of(), List.of(), true));
        }
    }

    @Test
    void runGivesUpAtItsTimeoutWithTheProcessStillRunning() throws Exception {
        Path sock = dir.resolve("qga.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, agent(r -> switch (r.path("execute").asText()) {
            case "guest-exec" -> ok(Map.of("pid", 7));
            case "guest-exec-status" -> ok(Map.of("exited", false));
            default -> error("CommandNotFound", "no");
        }));
                GuestAgentClient qga = GuestAgentClient.connect(sock, Duration.ofSeconds(10))) {
            long start = System.nanoTime();
            ExecStatus s = qga.run(Duration.ofMillis(600), "sleep", "100");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertFalse(s.exited());
            assertNull(s.exitCode());
            assertTrue(took.compareTo(Duration.ofMillis(550)) > 0 && took.compareTo(Duration.ofSeconds(3)) < 0,
                    took::toString);
        }
    }

    @Test
    void execStatusRejectsBadBase64() throws Exception {
        Path sock = dir.resolve("qga.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock,
                agent(r -> ok(Map.of("exited", true, "exitcode", 0, "out-data", "!!not base64!!"))));
                GuestAgentClient qga = GuestAgentClient.connect(sock, Duration.ofSeconds(10))) {
            GuestAgentException e = assertThrows(GuestAgentException.class, () -> qga.execStatus(1));
            assertEquals("guest agent: 'out-data' is not valid base64", e.getMessage());
        }
    }
}
