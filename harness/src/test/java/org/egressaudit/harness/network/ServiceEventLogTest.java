package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceEventLogTest {

    private static ServiceEvent event(int i) {
        return new ServiceEvent(Instant.now(), ServiceEvent.Service.UDP, new InetSocketAddress("127.0.0.1", 1000 + i),
                null, ServiceEvent.Kind.DATAGRAM, "datagram " + i, Map.of("i", Integer.toString(i)));
    }

    @Test
    void memoryKeepsTheFirstEventsAndCountsTheRest() {
        try (ServiceEventLog log = new ServiceEventLog(3)) {
            for (int i = 0; i < 10; i++) {
                log.record(event(i));
            }
            assertEquals(3, log.events().size());
            assertEquals("datagram 0", log.events().get(0).detail(), "a flood cannot push early evidence out");
            assertEquals(7, log.droppedFromMemory());
        }
    }

    @Test
    void theFileStopsAtItsLimitAndCountsWhatItLeftOut(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("services.jsonl");
        try (ServiceEventLog log = ServiceEventLog.streamingTo(file, 100, 600)) {
            for (int i = 0; i < 10; i++) {
                log.record(event(i));
            }
        }
        long lines = Files.readAllLines(file).size();
        assertTrue(lines >= 1 && lines < 10, lines + " lines");
        assertTrue(Files.size(file) <= 600);
    }

    @Test
    void longTextIsCut() {
        ServiceEvent e = new ServiceEvent(Instant.now(), ServiceEvent.Service.TCP, null, null,
                ServiceEvent.Kind.HTTP_REQUEST, "x".repeat(10_000), Map.of("path", "/" + "a".repeat(10_000)));
        assertTrue(e.detail().length() < ServiceEvent.MAX_TEXT + 30);
        assertTrue(e.attributes().get("path").endsWith("...(7953 more)"), e.attributes().get("path"));
    }
}
