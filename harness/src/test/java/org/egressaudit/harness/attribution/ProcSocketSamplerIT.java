package org.egressaudit.harness.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.egressaudit.analyzers.engine.AnalysisResult.ConnectionRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Samples a real network namespace: a python process started in a fresh one ({@code unshare -n}, loopback only)
 * listens and connects on 127.0.0.1, and starts a child that holds a UDP socket. The sampler gets the python
 * process as the namespace's "init" and must name the right process for each socket.
 */
class ProcSocketSamplerIT {
    private static final String PYTHON = "/usr/bin/python3";

    private static final String CHILD = "import socket,sys,time\n"
            + "u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.bind(('127.0.0.1',0))\n"
            + "u.sendto(b'q',('127.0.0.1',53))\n"
            + "print('udp',u.getsockname()[1],flush=True); time.sleep(30)\n";

    private static final String PARENT = "import os,socket,subprocess,sys,time\n"
            + "s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen()\n"
            + "c=socket.socket(); c.connect(s.getsockname()); a,_=s.accept(); c.send(b'hello')\n"
            + "child=subprocess.Popen([sys.executable,'-c',sys.argv[1],'attribution-child-marker'])\n"
            + "print('pid',os.getpid(),flush=True)\n"
            + "print('child',child.pid,flush=True)\n"
            + "print('tcp',c.getsockname()[1],s.getsockname()[1],flush=True)\n"
            + "time.sleep(30)\n";

    @Test
    void socketsInANamespaceAreAttributedToTheirProcesses() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")) && Files.isExecutable(Path.of(PYTHON))
                && Files.isExecutable(Path.of("/usr/sbin/ip")), "needs unshare, ip and python3");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root (a new network namespace)");
        Process p = new ProcessBuilder("/usr/bin/unshare", "-n", "/bin/sh", "-c",
                "/usr/sbin/ip link set lo up && exec " + PYTHON + " -c \"$0\" \"$1\" attribution-parent-marker",
                PARENT, CHILD).redirectErrorStream(true).start();
        ProcessHandle child = null;
        try {
            Map<String, String[]> said = new HashMap<>();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (said.size() < 4 && System.nanoTime() < deadline) {
                String line = out.readLine();
                assertNotNull(line, "the namespace process ended early: " + said.keySet());
                String[] f = line.split(" ");
                said.put(f[0], f);
            }
            int pid = Integer.parseInt(said.get("pid")[1]);
            assertEquals(p.pid(), pid, "sh execs python: the namespace's first process");
            int childPid = Integer.parseInt(said.get("child")[1]);
            child = ProcessHandle.of(childPid).orElse(null);
            int tcpPort = Integer.parseInt(said.get("tcp")[1]);
            int listenPort = Integer.parseInt(said.get("tcp")[2]);
            int udpPort = Integer.parseInt(said.get("udp")[1]);

            ProcSocketSampler.Result r;
            try (ProcSocketSampler sampler = ProcSocketSampler.start(pid, Duration.ofMillis(20))) {
                Thread.sleep(300);
                sampler.close();
                r = sampler.result();
            }
            assertTrue(r.samples() >= 3, "sampled repeatedly: " + r.samples());
            assertEquals(List.of(), r.problems());

            SocketOwner client = find(r, "tcp", tcpPort, listenPort);
            assertEquals(pid, client.process().pid());
            assertEquals(pid, client.process().hostPid(), "same pid namespace as the host here");
            assertEquals(Path.of(PYTHON).toRealPath().toString(), client.process().exe());
            assertTrue(client.process().cmdline().contains("attribution-parent-marker"), client.process().cmdline());
            assertEquals("ESTABLISHED", client.state());
            assertEquals("root", client.process().user());
            assertEquals(0, client.process().uid());
            assertNotNull(client.process().started());
            assertEquals("LISTEN", find(r, "tcp", listenPort, 0).state());

            SocketOwner udp = find(r, "udp", udpPort, 0);
            assertEquals(childPid, udp.process().pid());
            assertEquals(pid, udp.process().ppid());
            assertTrue(udp.process().cmdline().contains("attribution-child-marker"), udp.process().cmdline());
            assertTrue(r.owners().stream().noneMatch(o -> o.process().pid() != pid && o.process().pid() != childPid),
                    "only processes of the namespace: " + r.owners());

            // And the matcher names them for the flows a capture would show.
            ConnectionAttribution m = new ConnectionAttribution(new ConnectionAttribution.Sources(r, null,
                    Set.of(), false, ConnectionAttribution.DEFAULT_TOLERANCE));
            long now = System.currentTimeMillis() * 1_000_000L;
            List<Attribution> a = m.connections(List.of(
                    new ConnectionRecord("tcp 127.0.0.1:" + tcpPort + " -> 127.0.0.1:" + listenPort, "tcp", null,
                            null, null, now - 200_000_000L, now, 5, 0, 0, 0, true),
                    new ConnectionRecord("udp 127.0.0.1:" + udpPort + " -> 127.0.0.1:53", "udp", null, null, null,
                            now - 200_000_000L, now - 200_000_000L, 1, 0, 0, 0, false)));
            assertEquals(pid, a.get(0).process().orElseThrow().pid());
            assertEquals(childPid, a.get(1).process().orElseThrow().pid());
        } finally {
            if (child != null) {
                child.destroyForcibly();
            }
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "namespace process did not exit");
            if (child != null) {
                child.onExit().get(10, TimeUnit.SECONDS);
            }
        }
        // The namespace belonged to those processes only: with them gone, it is gone.
        assertFalse(ProcessHandle.of(p.pid()).isPresent());
    }

    private static SocketOwner find(ProcSocketSampler.Result r, String transport, int localPort, int remotePort) {
        return r.owners().stream()
                .filter(o -> o.transport().equals(transport) && o.local().port() == localPort
                        && o.remote().port() == remotePort)
                .findFirst().orElseThrow(() -> new AssertionError("no " + transport + " socket on port " + localPort
                        + " -> " + remotePort + " in " + r.owners()));
    }
}
