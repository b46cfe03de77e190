package org.egressaudit.harness.network;

import static org.egressaudit.harness.sandbox.TestImages.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.sandbox.TestImages;
import org.junit.jupiter.api.Test;

class RunNetworkIT {

    private static String runId() {
        return "it-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void createsInspectsAndRemovesAnInternalNetwork() {
        String runId = runId();
        String id;
        String bridge;
        try (RunNetwork net = RunNetwork.create(runId)) {
            id = net.id();
            bridge = net.bridgeInterface();
            assertEquals("br-" + id.substring(0, 12), bridge);
            assertTrue(Files.exists(Path.of("/sys/class/net", bridge)), bridge);
            String inspect = HostCommand.of("docker", "network", "inspect", "--format",
                    "{{.Internal}} {{index .Labels \"egress-audit.run\"}} {{(index .IPAM.Config 0).Subnet}}"
                            + " {{(index .IPAM.Config 0).Gateway}}", id).runChecked().stdoutText().strip();
            assertEquals("true " + runId + " " + net.subnet() + " " + net.gateway().getHostAddress(), inspect);
            assertEquals(List.of(id), lines("docker", "network", "ls", "--no-trunc", "-q", "--filter",
                    "label=egress-audit.run=" + runId));
            assertEquals(Long.toString(ProcessHandle.current().pid()), net.labels().get(RunNetwork.LABEL_OWNER_PID));
        }
        assertEquals(List.of(), lines("docker", "network", "ls", "-q", "--filter", "label=egress-audit.run=" + runId));
        assertFalse(Files.exists(Path.of("/sys/class/net", bridge)));
    }

    @Test
    void leftoverSweepRemovesOnlyObjectsOfDeadOwners() {
        String dead = runId();
        String alive = runId();
        String deadPid = "99999999"; // above any pid_max: never a live process
        String ownPid = Long.toString(ProcessHandle.current().pid());
        try {
            HostCommand.of("docker", "network", "create", "--internal", "--label", "egress-audit.run=" + dead,
                    "--label", "egress-audit.owner-pid=" + deadPid, "egress-audit-" + dead).runChecked();
            HostCommand.of("docker", "create", "--network", "egress-audit-" + dead, "--label",
                    "egress-audit.run=" + dead, "--label", "egress-audit.owner-pid=" + deadPid,
                    TestImages.sandboxImage(), "sleep", "infinity").runChecked();
            HostCommand.of("docker", "network", "create", "--internal", "--label", "egress-audit.run=" + alive,
                    "--label", "egress-audit.owner-pid=" + ownPid, "egress-audit-" + alive).runChecked();

            RunNetwork.Leftovers removed = RunNetwork.removeLeftovers();

            assertEquals(1, removed.containers().size(), removed.toString());
            assertTrue(removed.networks().contains("egress-audit-" + dead), removed.toString());
            assertFalse(removed.networks().contains("egress-audit-" + alive), removed.toString());
            assertEquals(List.of(), removed.failures());
            assertEquals(List.of(), lines("docker", "ps", "-aq", "--filter", "label=egress-audit.run=" + dead));
            assertEquals(List.of(), lines("docker", "network", "ls", "-q", "--filter", "label=egress-audit.run=" + dead));
            assertEquals(1, lines("docker", "network", "ls", "-q", "--filter", "label=egress-audit.run=" + alive).size());
        } finally {
            RunNetwork.removeRun(dead);
            RunNetwork.Leftovers last = RunNetwork.removeRun(alive);
            assertEquals(List.of("egress-audit-" + alive), last.networks());
        }
    }

    @Test
    void rejectsUnsafeRunIds() {
        assertThrows(IllegalArgumentException.class, () -> RunNetwork.create("a b"));
        assertThrows(IllegalArgumentException.class, () -> RunNetwork.create("-x"));
        assertThrows(IllegalArgumentException.class, () -> RunNetwork.create("x".repeat(64)));
    }
}
