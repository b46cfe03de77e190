package org.egressaudit.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void parsesTheDocumentedForms() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(2), Durations.parse("2s"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("90s"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("1m30s"));
        assertEquals(Duration.ofMinutes(5), Durations.parse("5m"));
        assertEquals(Duration.ofHours(1).plusMinutes(2).plusSeconds(3).plusMillis(4), Durations.parse("1h2m3s4ms"));
        assertEquals(Duration.ZERO, Durations.parse("0s"));
        assertEquals(Durations.MAX, Durations.parse("24h"));
    }

    @Test
    void rejectsEverythingElse() {
        for (String bad : List.of("", "30", "1.5s", "-1s", "1s1m", "1 s", "1S", "1sec", "s", "1m30", "PT30S",
                "2d", "1h1h", "25h", "9999999999ms")) {
            assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
        }
    }

    @Test
    void formatReadsBack() {
        for (String s : List.of("500ms", "2s", "1m30s", "1h", "1h2m3s4ms", "0s")) {
            assertEquals(s, Durations.format(Durations.parse(s)));
        }
        assertEquals("1m30s", Durations.format(Duration.ofSeconds(90)));
    }
}
