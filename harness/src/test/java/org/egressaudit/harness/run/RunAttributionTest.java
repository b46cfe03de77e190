package org.egressaudit.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.egressaudit.harness.attribution.Attribution;
import org.junit.jupiter.api.Test;

class RunAttributionTest {
    @Test
    void theContainmentProbesFlowsSaySoAndNothingElseChanges() {
        Attribution probe = new Attribution("tcp 172.18.0.2:40000 -> 203.0.113.7:80", null, 1, Optional.empty(), null,
                "no process held this socket when sampled");
        Attribution agent = new Attribution("tcp 172.18.0.2:40002 -> 172.18.0.1:80", null, 2, Optional.empty(), null,
                "no process held this socket when sampled");
        Attribution dns = new Attribution("udp 172.18.0.2:5353 -> 192.0.2.53:53", "x.example", 3, Optional.empty(),
                null, "no process held this socket when sampled");
        List<Attribution> out = RunAttribution.harnessOwn(List.of(probe, agent, dns),
                Set.of("tcp 172.18.0.2:40000", "udp 172.18.0.2:5353"));
        assertEquals(RunAttribution.PROBE_REASON, out.get(0).reason());
        assertSame(agent, out.get(1), "the agent's own flow keeps its reason");
        assertEquals(RunAttribution.PROBE_REASON, out.get(2).reason());
        assertEquals("x.example", out.get(2).dnsName());
        // same port, other transport: not the probe's
        assertSame(agent, RunAttribution.harnessOwn(List.of(agent), Set.of("udp 172.18.0.2:40002")).get(0));
    }
}
