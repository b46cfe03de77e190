package org.egressaudit.harness.sandbox;

import static org.egressaudit.harness.sandbox.TestImages.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

import org.egressaudit.harness.network.RunNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerSandboxIT {
    private static RunNetwork network;

    @BeforeAll
    static void createNetwork() {
        network = RunNetwork.create("it-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @AfterAll
    static void removeNetwork() {
        network.close();
    }

    @Test
    void missingImageIsNeverPulledAndExplained() {
        ContainerSandbox sandbox = new ContainerSandbox(network, SandboxConfig.defaults("egress-audit/none:missing"));
        SandboxException e = assertThrows(SandboxException.class, sandbox::start);
        assertEquals("image egress-audit/none:missing not found locally: run `egress-audit images build` (images are"
                + " never pulled)", e.getMessage());
        sandbox.close();
    }

    @Test
    void execCopyProcessesLimitsAndRemoval(@TempDir Path tmp) throws Exception {
        String id;
        try (ContainerSandbox sandbox = new ContainerSandbox(network,
                SandboxConfig.defaults(TestImages.sandboxImage()).withPidsLimit(200).withMaxLogBytes(4096))) {
            sandbox.start();
            id = sandbox.containerId();
            assertEquals("200 2147483648 " + network.gateway().getHostAddress() + " "
                            + network.runId(),
                    String.join("", lines("docker", "inspect", "--format", "{{.HostConfig.PidsLimit}}"
                            + " {{.HostConfig.Memory}} {{index .HostConfig.Dns 0}} {{index .Config.Labels"
                            + " \"egress-audit.run\"}}", id)));
            assertFalse(hasNetAdmin(sandbox), "NET_ADMIN only when asked");

            ExecResult r = sandbox.exec("sh", "-c", "echo out; echo err >&2; exit 7");
            assertEquals(7, r.exitCode());
            assertEquals("out\n", r.stdoutText());
            assertEquals("err\n", r.stderrText());

            long t0 = System.nanoTime();
            ExecResult slow = sandbox.exec(Duration.ofMillis(500), "sleep", "30");
            assertTrue(slow.timedOut());
            assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 10);
            // the timed-out process was killed, not left behind (the probe itself is seen running otherwise)
            assertEquals("0", countSleep30(sandbox));
            SandboxProcess probe = sandbox.startProcess("exec sleep 30", tmp.resolve("probe.log"));
            // the exec starts asynchronously: give it a moment to appear
            String count = countSleep30(sandbox);
            for (int i = 0; i < 50 && !count.equals("1"); i++) {
                Thread.sleep(100);
                count = countSleep30(sandbox);
            }
            assertEquals("1", count);
            assertTrue(sandbox.isRunning(probe));

            Path file = tmp.resolve("planted.txt");
            Files.writeString(file, "planted content\n");
            sandbox.copyIn(file, "/corpus/planted.txt");
            assertEquals("planted content\n", sandbox.exec("cat", "/corpus/planted.txt").stdoutText());

            Path log = tmp.resolve("agent.log");
            SandboxProcess agent = sandbox.startProcess("echo started; sleep 1; head -c 100000 /dev/zero | tr '\\0' x;"
                    + " exit 3", log);
            assertTrue(sandbox.isRunning(agent));
            long deadline = System.currentTimeMillis() + 15000;
            while (sandbox.isRunning(agent) && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(OptionalLong.of(3), sandbox.exitCode(agent));
            Thread.sleep(200); // the last frames reach the log callback
            String text = Files.readString(log);
            assertTrue(text.startsWith("started\nxxx"), text.substring(0, Math.min(40, text.length())));
            assertTrue(text.endsWith("[egress-audit: log truncated at 4096 bytes]\n"));
            assertTrue(Files.size(log) < 4096 + 100);
        }
        assertEquals(List.of(), lines("docker", "ps", "-aq", "--filter", "id=" + id));
    }

    @Test
    void netAdminOnRequest() {
        try (ContainerSandbox sandbox = new ContainerSandbox(network,
                SandboxConfig.defaults(TestImages.sandboxImage()).withNetAdmin(true))) {
            sandbox.start();
            assertTrue(hasNetAdmin(sandbox));
        }
    }

    private static String countSleep30(Sandbox sandbox) {
        return sandbox.exec("sh", "-c", "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done"
                + " | grep -c '^sleep 30 $'").stdoutText().strip();
    }

    /** CAP_NET_ADMIN is bit 12 of the effective set. */
    private static boolean hasNetAdmin(Sandbox sandbox) {
        String status = sandbox.exec("cat", "/proc/self/status").stdoutText();
        String capEff = status.lines().filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow()
                .substring("CapEff:".length()).strip();
        return (Long.parseUnsignedLong(capEff, 16) & (1L << 12)) != 0;
    }
}
