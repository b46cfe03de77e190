package org.egressaudit.harness.network;

import static org.egressaudit.harness.sandbox.TestImages.rulesOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class RedirectsIT {

    @Test
    void installsAndRemovesExactlyItsRules() {
        String runId = "it-" + UUID.randomUUID().toString().substring(0, 8);
        try (RunNetwork net = RunNetwork.create(runId)) {
            List<String> before = rulesOf(runId);
            assertEquals(List.of(), before);
            Redirects r = Redirects.install(runId, net.bridgeInterface(), new Redirects.Ports(40053, 40443, 40999));
            try {
                List<String> present = rulesOf(runId);
                assertEquals(r.rules().size(), present.size(), String.join("\n", present));
                assertTrue(present.stream().anyMatch(l -> l.startsWith("iptables nat -A PREROUTING -i "
                        + net.bridgeInterface() + " -p udp") && l.contains("--dport 53")
                        && l.endsWith("--to-ports 40053")), String.join("\n", present));
                assertTrue(present.stream().anyMatch(l -> l.startsWith("iptables filter -A INPUT -i "
                        + net.bridgeInterface()) && l.endsWith("-j DROP")), String.join("\n", present));
            } finally {
                r.close();
            }
            assertEquals(List.of(), rulesOf(runId));
            r.close(); // idempotent
        }
    }

    @Test
    void sweepRemovesRulesOfVanishedBridgesOnly() {
        String gone = "it-" + UUID.randomUUID().toString().substring(0, 8);
        String live = "it-" + UUID.randomUUID().toString().substring(0, 8);
        try (RunNetwork net = RunNetwork.create(live);
             Redirects kept = Redirects.install(live, net.bridgeInterface(), new Redirects.Ports(1053, 1443, 1999))) {
            // a crashed run: rules left for a bridge that no longer exists
            Redirects.install(gone, "br-eagone000000", new Redirects.Ports(2053, 2443, 2999));
            int n = rulesOf(gone).size();
            assertTrue(n > 0);
            assertTrue(Redirects.removeLeftovers() >= n);
            assertEquals(List.of(), rulesOf(gone));
            assertEquals(kept.rules().size(), rulesOf(live).size());
        } finally {
            Redirects.removeRun(gone);
        }
        assertEquals(List.of(), rulesOf(live));
    }
}
