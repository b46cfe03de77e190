package org.egressaudit.harness.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class QmpClientTest {
    static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "
            + "\"package\": \"Debian\"}, \"capabilities\": [\"oob\"]}}";

    @TempDir
    Path dir;

    /** Greets, answers qmp_capabilities (checking it is the first command), then runs {@code rest}. */
    static FakeUnixServer.Script qemu(FakeUnixServer.Script rest) {
        return peer -> {
            peer.send(GREETING);
            ObjectNode caps = peer.readJson();
            assertEquals("qmp_capabilities", caps.path("execute").asText());
            peer.send("{\"return\": {}, \"id\": \"" + caps.path("id").asText() + "\"}");
            rest.serve(peer);
        };
    }

    static String reply(ObjectNode request, String returnJson) {
        return "{\"return\": " + returnJson + ", \"id\": \"" + request.path("id").asText() + "\"}";
    }

    @Test
    void negotiatesCapabilitiesAndQueriesStatus() throws Exception {
        Path sock = dir.resolve("qmp.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, qemu(peer -> {
            for (int i = 0; i < 2; i++) {
                ObjectNode q = peer.readJson();
                assertEquals("query-status", q.path("execute").asText());
                peer.send(reply(q, "{\"status\": \"running\", \"singlestep\": false, \"running\": true}"));
            }
            assertNull(peer.readLine()); // client closed
        }));
                QmpClient qmp = QmpClient.connect(sock, Duration.ofSeconds(5))) {
            assertEquals("running", qmp.status());
            assertTrue(qmp.running());
            qmp.close();
            server.awaitScript(Duration.ofSeconds(5));
        }
    }

    @Test
    void keepsEventsInterleavedWithRepliesApart() throws Exception {
        Path sock = dir.resolve("qmp.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, qemu(peer -> {
            ObjectNode q = peer.readJson();
            // an event between command and reply, with a reply-like member name inside its data
            peer.send("{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 250000}, \"event\": \"STOP\", "
                    + "\"data\": {\"return\": 1}}");
            peer.send(reply(q, "{\"status\": \"paused\", \"running\": false}"));
            peer.send("{\"timestamp\": {\"seconds\": 1700000001, \"microseconds\": 0}, \"event\": \"SHUTDOWN\", "
                    + "\"data\": {\"guest\": true, \"reason\": \"guest-shutdown\"}}");
            peer.readLine();
        }));
                QmpClient qmp = QmpClient.connect(sock, Duration.ofSeconds(5))) {
            assertEquals("paused", qmp.status());
            Optional<QmpEvent> shutdown = qmp.awaitEvent("SHUTDOWN", Duration.ofSeconds(5));
            assertTrue(shutdown.isPresent());
            assertEquals("guest-shutdown", shutdown.get().data().path("reason").asText());
            assertEquals(Instant.ofEpochSecond(1700000001), shutdown.get().at());
            assertTrue(qmp.shutdownSeen());
            List<QmpEvent> events = qmp.events();
            assertEquals(List.of("STOP", "SHUTDOWN"), events.stream().map(QmpEvent::name).toList());
            assertEquals(Instant.ofEpochSecond(1700000000, 250_000_000), events.get(0).at());
            assertTrue(qmp.awaitEvent("RESET", Duration.ofMillis(100)).isEmpty());
        }
    }

    @Test
    void errorReplyNamesCommandAndQemuDescription() throws Exception {
        Path sock = dir.resolve("qmp.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, qemu(peer -> {
            ObjectNode q = peer.readJson();
            peer.send("{\"id\": \"" + q.path("id").asText() + "\", \"error\": {\"class\": \"CommandNotFound\", "
                    + "\"desc\": \"The command system_powerdown has not been found\"}}");
            peer.readLine();
        }));
                QmpClient qmp = QmpClient.connect(sock, Duration.ofSeconds(5))) {
            QmpException e = assertThrows(QmpException.class, qmp::powerdown);
            assertEquals("system_powerdown", e.command());
            assertEquals("CommandNotFound", e.errorClass());
            assertTrue(e.getMessage().contains("system_powerdown failed: CommandNotFound: The command "
                    + "system_powerdown has not been found"), e.getMessage());
        }
    }

    @Test
    void commandTimesOutAndLateReplyIsNotTakenForTheNextOne() throws Exception {
        Path sock = dir.resolve("qmp.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, qemu(peer -> {
            ObjectNode first = peer.readJson(); // not answered in time
            ObjectNode second = peer.readJson();
            peer.send(reply(first, "{\"status\": \"running\", \"running\": true}"));
            peer.send(reply(second, "{\"status\": \"paused\", \"running\": false}"));
            peer.readLine();
        }));
                QmpClient qmp = QmpClient.connect(sock, Duration.ofSeconds(5))) {
            qmp.commandTimeout(Duration.ofMillis(300));
            long start = System.nanoTime();
            QmpException e = assertThrows(QmpException.class, qmp::status);
            assertTrue(e.getMessage().contains("query-status got no reply within 300 ms"), e.getMessage());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(3)) < 0);
            qmp.commandTimeout(Duration.ofSeconds(5));
            assertEquals("paused", qmp.status());
        }
    }

    @Test
    void waitsForTheSocketToAppear() throws Exception {
        Path sock = dir.resolve("late.sock");
        try (FakeUnixServer server = FakeUnixServer.startLater(sock, Duration.ofMillis(700), qemu(peer -> {
            peer.readLine();
        }));
                QmpClient qmp = QmpClient.connect(sock, Duration.ofSeconds(10))) {
            assertTrue(qmp.connected());
        }
    }

    @Test
    void missingSocketFailsAfterTheTimeout() {
        Path sock = dir.resolve("never.sock");
        long start = System.nanoTime();
        QmpException e = assertThrows(QmpException.class, () -> QmpClient.connect(sock, Duration.ofMillis(500)));
        assertTrue(e.getMessage().contains("could not connect to " + sock + " within 500 ms"), e.getMessage());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofMillis(450)) > 0 && took.compareTo(Duration.ofSeconds(3)) < 0, took::toString);
    }

    @Test
    void somethingElseOnTheSocketIsNotQmp() throws Exception {
        Path sock = dir.resolve("qga.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, peer -> {
            peer.send("{\"return\": 42}");
            peer.readLine();
        })) {
            QmpException e = assertThrows(QmpException.class, () -> QmpClient.connect(sock, Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("did not start with a QMP greeting: {\"return\": 42}"), e.getMessage());
        }
    }

    @Test
    void quitIsDoneWhenQemuClosesTheSocketWithoutReplying() throws Exception {
        Path sock = dir.resolve("qmp.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, qemu(peer -> {
            ObjectNode q = peer.readJson();
            assertEquals("quit", q.path("execute").asText());
            peer.send("{\"timestamp\": {\"seconds\": 1700000002, \"microseconds\": 0}, \"event\": \"SHUTDOWN\", "
                    + "\"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}}");
            peer.close();
        }));
                QmpClient qmp = QmpClient.connect(sock, Duration.ofSeconds(5))) {
            qmp.quit();
            assertTrue(qmp.awaitDisconnect(Duration.ofSeconds(5)));
            assertTrue(qmp.shutdownSeen());
            assertFalse(qmp.connected());
            QmpException e = assertThrows(QmpException.class, qmp::status);
            assertTrue(e.getMessage().contains("not sent: QEMU closed the QMP connection"), e.getMessage());
        }
    }

    @Test
    void commandInFlightFailsAtOnceWhenQemuGoesAway() throws Exception {
        Path sock = dir.resolve("qmp.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, qemu(peer -> {
            peer.readJson();
            peer.close();
        }));
                QmpClient qmp = QmpClient.connect(sock, Duration.ofSeconds(5))) {
            long start = System.nanoTime();
            QmpException e = assertThrows(QmpException.class, qmp::status);
            assertTrue(e.getMessage().contains("query-status failed: QEMU closed the QMP connection"), e.getMessage());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(5)) < 0);
        }
    }
}
