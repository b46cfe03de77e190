package org.egressaudit.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The terminal status line: position, elapsed time, capture size so far. */
class ProgressTest {

    @Test
    void theLineShowsEachRunningScenario(@TempDir Path d) throws Exception {
        AtomicLong now = new AtomicLong();
        Progress p = new Progress(new PrintWriter(new StringWriter()), 5, now::get);
        assertNull(p.line());
        p.started(2, "https-upload");
        p.capture("https-upload", d.resolve("capture.pcap"));
        now.addAndGet(72_000_000_000L);
        assertEquals("scenario 2 of 5: https-upload (1:12, 0 B captured)", p.line());
        Files.write(d.resolve("capture.pcap"), new byte[3 * 1024]);
        p.started(3, "honest");
        now.addAndGet(1_000_000_000L);
        assertEquals("scenario 2 of 5: https-upload (1:13, 3.0 KiB captured) | scenario 3 of 5: honest (0:01, 0 B "
                + "captured)", p.line());
        p.finished("https-upload");
        p.finished("honest");
        assertNull(p.line());
    }
}
