package org.egressaudit.harness.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container case over a fixture /proc: host pids differ from the sandbox's, the agent's parent (docker exec's
 * shim) is outside the sandbox, a host process is in another namespace, and the sandbox's passwd may be a link.
 */
class ProcSocketSamplerTest {
    private static final String NET = "net:[4026532281]";

    @Test
    void containerProcessesAreNamedAsTheSandboxSeesThem(@TempDir Path proc) throws Exception {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "fixture is little-endian");
        Files.writeString(proc.resolve("stat"), "cpu 1 2 3\nbtime 1795424000\n");
        process(proc, 5000, "1", 1, NET, "/usr/bin/docker-init", "docker-init\0--\0sleep\0infinity\0", 4000, 0);
        process(proc, 4000, "4000", 1, "net:[1]", "/usr/bin/containerd-shim-runc-v2", "shim\0", 1, 0);
        process(proc, 5100, "5100\t812", 4000, NET, "/usr/bin/clamsubmit",
                "clamsubmit\0-n\0/home/user/Documents/x.exe\0", 3000, 1000);
        Files.createDirectories(proc.resolve("5100/fd"));
        Files.createSymbolicLink(proc.resolve("5100/fd/3"), Path.of("socket:[777]"));
        Files.createSymbolicLink(proc.resolve("5100/fd/4"), Path.of("/home/user/Documents/x.exe"));
        Files.createDirectories(proc.resolve("4000/fd"));
        Files.createSymbolicLink(proc.resolve("4000/fd/9"), Path.of("socket:[777]"));
        Files.createDirectories(proc.resolve("5100/root/etc"));
        Files.writeString(proc.resolve("5100/root/etc/passwd"), "root:x:0:0::/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n");
        Files.createDirectories(proc.resolve("5000/net"));
        Files.writeString(proc.resolve("5000/net/tcp"), "  sl  local_address rem_address   st tx_queue rx_queue tr "
                + "tm->when retrnsmt   uid  timeout inode\n   0: 020012AC:9C40 010012AC:01BB 01 00000000:00000000 "
                + "00:00000000 00000000  1000        0 777 1 0000000000000000 20 4 30 10 -1\n");

        ProcSocketSampler s = ProcSocketSampler.create(proc, 5000, Duration.ofMillis(40),
                ProcSocketSampler.Limits.DEFAULT);
        s.sampleOnce();
        s.sampleOnce();
        s.close();
        ProcSocketSampler.Result r = s.result();
        assertEquals(1, r.owners().size(), "the shim holds the inode too but is not in the namespace: " + r.owners());
        SocketOwner o = r.owners().get(0);
        assertEquals(new Endpoint("172.18.0.2", 40000), o.local());
        assertEquals(new Endpoint("172.18.0.1", 443), o.remote());
        ProcessInfo p = o.process();
        assertEquals(812, p.pid(), "NSpid's last field");
        assertEquals(5100, p.hostPid());
        assertEquals(0, p.ppid(), "a parent outside the sandbox's pid namespace shows as 0, as inside it");
        assertEquals("/usr/bin/clamsubmit", p.exe());
        assertEquals("clamsubmit -n /home/user/Documents/x.exe", p.cmdline());
        assertEquals(1000, p.uid());
        assertEquals("user", p.user());
        assertEquals(java.time.Instant.ofEpochSecond(1795424030), p.started(), "3000 ticks of 10 ms after boot");
        assertEquals(2, r.samples());
        assertTrue(!o.lastSeen().isBefore(o.firstSeen()));
        assertTrue(r.problems().stream().allMatch(x -> x.contains("udp") || x.contains("tcp6")), r.problems().toString());
    }

    @Test
    void aPasswdLinkIsNotFollowedOutOfTheSandbox(@TempDir Path proc) throws Exception {
        process(proc, 5100, "5100\t812", 1, NET, "/usr/bin/x", "x\0", 1, 0);
        Path outside = proc.resolve("host-passwd");
        Files.writeString(outside, "hostadmin:x:0:0::/root:/bin/sh\n");
        Files.createDirectories(proc.resolve("5100/root/etc"));
        Files.createSymbolicLink(proc.resolve("5100/root/etc/passwd"), outside);
        assertNull(new ProcReader(proc).userName(5100, 0));
    }

    @Test
    void aMissingSandboxIsAClearError(@TempDir Path proc) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProcSocketSampler.create(proc, 4242, Duration.ofMillis(40), ProcSocketSampler.Limits.DEFAULT));
        assertTrue(e.getMessage().startsWith("cannot read the network namespace of pid 4242"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ProcSocketSampler.create(proc, 1, Duration.ZERO, ProcSocketSampler.Limits.DEFAULT));
    }

    private static void process(Path proc, int hostPid, String nsPid, int hostPpid, String net, String exe,
                                String cmdline, long startTicks, int uid) throws IOException {
        Path d = Files.createDirectories(proc.resolve(Integer.toString(hostPid)));
        Files.createDirectories(d.resolve("ns"));
        Files.createSymbolicLink(d.resolve("ns/net"), Path.of(net));
        Files.createSymbolicLink(d.resolve("exe"), Path.of(exe));
        Files.writeString(d.resolve("cmdline"), cmdline);
        Files.writeString(d.resolve("status"), "Name:\tx\nPPid:\t" + hostPpid + "\nUid:\t" + uid + "\t" + uid
                + "\t" + uid + "\t" + uid + "\nNSpid:\t" + nsPid + "\n");
        Files.writeString(d.resolve("stat"), hostPid + " (odd) name) S " + hostPpid
                + " 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 " + startTicks + " 0 0\n");
    }
}
