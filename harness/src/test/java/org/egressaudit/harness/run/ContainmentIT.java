package org.egressaudit.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.egressaudit.analyzers.capture.CaptureReader;
import org.egressaudit.analyzers.capture.CaptureReaders;
import org.egressaudit.analyzers.capture.PacketRecord;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.packet.DecodedPacket;
import org.egressaudit.analyzers.packet.PacketDecoder;
import org.egressaudit.harness.capture.LiveCapture;
import org.egressaudit.harness.sandbox.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves containment: from inside the sandbox an agent dials documentation-range addresses over TCP, UDP and ICMP,
 * asks names through the configured resolver, a hard-coded resolver and Docker's embedded resolver; a capture on
 * the host's outward interface sees none of it, and the harness services saw what was redirected to them.
 */
class ContainmentIT {
    static final Set<String> PROBE_ADDRESSES = Set.of("203.0.113.7", "198.51.100.3", "192.0.2.9", "192.0.2.53",
            "203.0.113.8");

    @Test
    void nothingTheSandboxSendsLeavesTheHost(@TempDir Path dir) throws Exception {
        ScenarioFixture fx = new ScenarioFixture(dir);
        String script = String.join("\n",
                "curl -s -m 5 http://203.0.113.7:8080/probe-http -o /dev/null",
                "printf 'probe-tcp' | nc -N -w 2 198.51.100.3 443",
                "printf 'probe-udp' | nc -u -w 1 192.0.2.9 9999",
                "dig +time=2 +tries=1 +short leak-probe-a.example",
                "dig +time=2 +tries=1 +short @192.0.2.53 leak-probe-b.example",
                "dig +time=2 +tries=1 +short @127.0.0.11 leak-probe-c.example",
                "ping -c 1 -W 1 203.0.113.8 || true",
                "exit 0");
        var scenario = fx.scenario("containment-probe", script, "{duration: 60s, agentExits: true}");
        String outward = outwardInterface();
        Path hostCapture = dir.resolve("outward.pcap");
        RunOutcome o;
        try (LiveCapture watch = LiveCapture.start(outward, hostCapture)) {
            o = fx.runner().run(scenario);
        }
        assertNotNull(o.result(), o.problem() + "\n" + fx.progress);
        // 1. Nothing reached the outward interface.
        List<String> leaks = leaks(hostCapture);
        assertTrue(leaks.isEmpty(), "packets of the sandbox left the host on " + outward + ": " + leaks);
        // 2. What was redirected reached the harness services.
        String services = Files.readString(o.folder().servicesLog());
        for (String expected : List.of("/probe-http", "leak-probe-a.example", "leak-probe-b.example")) {
            assertTrue(services.contains(expected), expected + " not seen by the harness:\n" + services);
        }
        assertTrue(services.contains("\"kind\":\"datagram\"") && services.contains("\"kind\":\"raw_data\"")
                || services.contains("raw"), services);
        // 3. The capture of the sandbox shows the original destinations the agent dialled.
        Set<String> servers = new java.util.HashSet<>();
        o.result().connections().forEach(c -> servers.add(c.server()));
        assertTrue(servers.contains("203.0.113.7:8080") && servers.contains("198.51.100.3:443")
                && servers.contains("192.0.2.9:9999"), servers.toString());
        assertTrue(Leftovers.of(o.folder().runId()).isEmpty());
    }

    /** Packets on the outward interface from or to a probe address, or DNS carrying a probe name. */
    static List<String> leaks(Path capture) throws Exception {
        List<String> out = new ArrayList<>();
        PacketDecoder decoder = new PacketDecoder();
        PacketRecord rec = new PacketRecord();
        DecodedPacket p = new DecodedPacket();
        byte[] probe = "leak-probe".getBytes();
        try (CaptureReader r = CaptureReaders.open(capture)) {
            while (r.next(rec)) {
                if (contains(rec, probe)) {
                    out.add("packet #" + rec.index + " carries a probe name");
                }
                if (!decoder.decode(rec, p) || p.ipVersion != 4) {
                    continue;
                }
                String src = FlowKey.formatAddress(4, p.srcHi, p.srcLo);
                String dst = FlowKey.formatAddress(4, p.dstHi, p.dstLo);
                if (PROBE_ADDRESSES.contains(src) || PROBE_ADDRESSES.contains(dst)) {
                    out.add("packet #" + rec.index + " " + src + " -> " + dst);
                }
            }
        }
        return out;
    }

    private static boolean contains(PacketRecord rec, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= rec.capturedLength; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (rec.buffer.get(rec.offset + i + j) != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The interface of the host's default route: where a leak would go out. */
    static String outwardInterface() {
        for (String l : TestImages.lines("ip", "-4", "route", "show", "default")) {
            String[] t = l.split("\\s+");
            for (int i = 0; i + 1 < t.length; i++) {
                if (t[i].equals("dev")) {
                    return t[i + 1];
                }
            }
        }
        throw new IllegalStateException("no default route on this host");
    }

    @Test
    void outwardInterfaceIsFound() {
        assertEquals(false, outwardInterface().isBlank());
    }
}
