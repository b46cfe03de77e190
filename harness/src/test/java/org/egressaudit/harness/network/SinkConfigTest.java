package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        SinkConfig d = SinkConfig.defaults();
        assertEquals(0, d.tcpPort());
        assertEquals(Duration.ofSeconds(1), d.protocolDetectionWait());
        assertEquals(1024, d.maxConnections());
        assertEquals(Duration.ofSeconds(60), d.idleTimeout());
        assertEquals(5, d.dnsTtlSeconds());
    }

    @Test
    void badValuesAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SinkConfig.defaults().withPorts(0, 70_000, 0))
                .getMessage().startsWith("tcpPort must be in 0..65535"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SinkConfig.defaults().withMaxConnections(0))
                .getMessage().startsWith("maxConnections"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SinkConfig.defaults().withIdleTimeout(Duration.ZERO)).getMessage().startsWith("idleTimeout"));
    }

    @Test
    void answersRejectHeaderInjectionAndBadStatus() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new HttpAnswer(200,
                Map.of("X-A", List.of("v\r\nSet-Cookie: x")), new byte[0])).getMessage().contains("X-A"));
        assertThrows(IllegalArgumentException.class, () -> new HttpAnswer(200, Map.of("Bad Name", List.of("v")),
                new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> HttpAnswer.json(99, "{}"));
    }
}
