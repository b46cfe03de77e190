package org.egressaudit.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A burst of 512 MiB from the sandbox: the capture must keep every packet, and say so with libpcap's counters. */
class CaptureBurstIT {
    static final long BURST = 512L << 20;

    @Test
    void aHalfGigabyteBurstIsCapturedWithoutDrops(@TempDir Path dir) throws Exception {
        ScenarioFixture fx = new ScenarioFixture(dir);
        var s = fx.scenario("burst", "head -c " + BURST + " /dev/zero | nc -N 203.0.113.9 9000",
                "{duration: 120s, agentExits: true}");
        RunOutcome o = fx.runner().run(s);
        assertNotNull(o.result(), o.problem() + "\n" + fx.progress);
        assertEquals(0, o.capture().dropped(), "kernel buffer drops: " + o.capture());
        assertEquals(0, o.capture().droppedByInterface(), o.capture().toString());
        assertTrue(o.capture().fileBytes() > BURST, o.capture().toString());
        AnalysisResult.ConnectionRecord c = o.result().connections().stream()
                .filter(x -> x.server().equals("203.0.113.9:9000")).findFirst()
                .orElseThrow(() -> new AssertionError(o.result().connections().toString()));
        assertEquals(BURST, c.bytesToServer(), "every byte of the burst was reassembled from the capture");
        assertEquals(0, c.missingBytes());
    }
}
