package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.exec.HostCommandResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real DHCP client (busybox udhcpc) in a network namespace stands in for the guest: its veth's peer is a port of
 * the run's bridge, where a tap would be with QEMU. Nothing leaves the namespace and the bridge.
 */
class DhcpResponderIT {
    private static final String SCRIPT = """
            #!/bin/sh
            echo "event=$1 ip=$ip subnet=$subnet router=$router dns=$dns domain=$domain serverid=$serverid lease=$lease"
            """;

    /** Where the responder listens: the bridge port (veth host end) or the bridge itself, as a VM run does. */
    @ParameterizedTest
    @ValueSource(strings = {"port", "bridge"})
    void aRealClientGetsTheLease(String where) throws Exception {
        try (HostBridge bridge = HostBridge.create("it-" + UUID.randomUUID().toString().substring(0, 8));
             ClientNamespace client = ClientNamespace.create(bridge, bridge.guestMac())) {
            DhcpLease lease = DhcpLease.forBridge(bridge);
            String iface = where.equals("port") ? client.hostEnd : bridge.bridgeInterface();
            try (DhcpResponder dhcp = DhcpResponder.start(iface, lease)) {
                HostCommandResult r = client.udhcpc(5, 3);

                assertEquals(0, r.exitCode(), r.stdoutText() + r.stderrText() + dhcp.events());
                Map<String, String> bound = boundLine(r.stdoutText());
                String gw = bridge.gateway().getHostAddress();
                assertEquals(bridge.guestAddress().getHostAddress(), bound.get("ip"), bound.toString());
                assertEquals("255.255.255.0", bound.get("subnet"));
                assertEquals(gw, bound.get("router"));
                assertEquals(gw, bound.get("dns"));
                assertEquals(gw, bound.get("serverid"));
                assertEquals("sandbox.test", bound.get("domain"));
                assertEquals("86400", bound.get("lease"));

                assertTrue(dhcp.leasedAt().isPresent(), dhcp.events().toString());
                List<String> events = dhcp.events();
                assertTrue(events.stream().anyMatch(e -> e.contains("DISCOVER from " + bridge.guestMac())
                        && e.endsWith("→ OFFER " + bridge.guestAddress().getHostAddress())), events.toString());
                assertTrue(events.stream().anyMatch(e -> e.contains("REQUEST from " + bridge.guestMac())
                        && e.endsWith("→ ACK " + bridge.guestAddress().getHostAddress())), events.toString());
            }
        }
    }

    @Test
    void malformedRequestsAreNotedAndTheClientIsStillServed() throws Exception {
        try (HostBridge bridge = HostBridge.create("it-" + UUID.randomUUID().toString().substring(0, 8));
             ClientNamespace client = ClientNamespace.create(bridge, bridge.guestMac());
             DhcpResponder dhcp = DhcpResponder.start(client.hostEnd, DhcpLease.forBridge(bridge))) {
            MacAddress mac = MacAddress.parse(bridge.guestMac());
            byte[] noCookie = DhcpWire.discover();
            noCookie[236] = 0;
            byte[] overflow = DhcpWire.withOptions("350101" + "37ff0103");
            for (byte[] payload : List.of(java.util.Arrays.copyOf(DhcpWire.discover(), 100), noCookie, overflow)) {
                client.sendRaw(DhcpFrames.build(mac, MacAddress.BROADCAST, 0, 0xffffffff, 68, 67, payload, 1));
            }

            HostCommandResult r = client.udhcpc(5, 3);

            assertEquals(0, r.exitCode(), r.stdoutText() + r.stderrText() + dhcp.events());
            List<String> malformed = dhcp.events().stream().filter(e -> e.contains("malformed frame")).toList();
            assertEquals(3, malformed.size(), dhcp.events().toString());
            assertTrue(malformed.get(0).contains("truncated: 100 bytes"), malformed.get(0));
            assertTrue(malformed.get(1).contains("no DHCP magic cookie"), malformed.get(1));
            assertTrue(malformed.get(2).contains("option 55") && malformed.get(2).contains("claims 255"),
                    malformed.get(2));
            assertTrue(dhcp.leasedAt().isPresent());
        }
    }

    @Test
    void anotherClientGetsNothing() throws Exception {
        try (HostBridge bridge = HostBridge.create("it-" + UUID.randomUUID().toString().substring(0, 8))) {
            String stranger = "52:54:00:00:00:01";
            assertNotEquals(stranger, bridge.guestMac());
            try (ClientNamespace client = ClientNamespace.create(bridge, stranger);
                 DhcpResponder dhcp = DhcpResponder.start(client.hostEnd, DhcpLease.forBridge(bridge))) {
                HostCommandResult r = client.udhcpc(2, 1);

                assertNotEquals(0, r.exitCode(), r.stdoutText());
                assertTrue(dhcp.leasedAt().isEmpty());
                assertTrue(dhcp.events().stream().anyMatch(e -> e.contains("from " + stranger + " xid")
                        && e.contains("not the expected client")), dhcp.events().toString());
                assertTrue(dhcp.events().stream().noneMatch(e -> e.contains("→")), dhcp.events().toString());
            }
        }
    }

    private static Map<String, String> boundLine(String stdout) {
        String line = stdout.lines().filter(l -> l.startsWith("event=bound ")).findFirst()
                .orElseThrow(() -> new AssertionError("no bound event in: " + stdout));
        return List.of(line.split(" ")).stream().map(kv -> kv.split("=", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv.length > 1 ? kv[1] : "", (a, b) -> a));
    }

    /** A namespace with one veth end (given {@code mac}); the other end is a port of the bridge. */
    private static final class ClientNamespace implements AutoCloseable {
        final String namespace;
        final String hostEnd;
        final String clientEnd;
        final Path script;

        private ClientNamespace(String namespace, String hostEnd, String clientEnd, Path script) {
            this.namespace = namespace;
            this.hostEnd = hostEnd;
            this.clientEnd = clientEnd;
            this.script = script;
        }

        static ClientNamespace create(HostBridge bridge, String mac) throws Exception {
            String rand = UUID.randomUUID().toString().substring(0, 8);
            Path script = Files.createTempFile("udhcpc-", ".sh",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.writeString(script, SCRIPT);
            ClientNamespace c = new ClientNamespace("eat-test-" + rand, "evh" + rand, "evg" + rand, script);
            try {
                Function<String[], HostCommandResult> ip = args -> HostCommand.of("ip", args)
                        .timeout(Duration.ofSeconds(30)).runChecked();
                ip.apply(new String[]{"netns", "add", c.namespace});
                ip.apply(new String[]{"link", "add", c.hostEnd, "type", "veth", "peer", "name", c.clientEnd});
                Files.writeString(Path.of("/proc/sys/net/ipv6/conf", c.hostEnd, "disable_ipv6"), "1");
                ip.apply(new String[]{"link", "set", c.clientEnd, "netns", c.namespace});
                ip.apply(new String[]{"-n", c.namespace, "link", "set", c.clientEnd, "address", mac});
                ip.apply(new String[]{"-n", c.namespace, "link", "set", c.clientEnd, "up"});
                ip.apply(new String[]{"link", "set", c.hostEnd, "master", bridge.bridgeInterface()});
                ip.apply(new String[]{"link", "set", c.hostEnd, "up"});
                return c;
            } catch (RuntimeException | java.io.IOException e) {
                c.close();
                throw e;
            }
        }

        /** Sends one Ethernet frame out of the namespace's interface through a packet socket. */
        void sendRaw(byte[] frame) {
            HostCommand.of("ip", "netns", "exec", namespace, "python3", "-c",
                            "import socket,sys; s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW);"
                                    + " s.bind((sys.argv[1], 0)); s.send(bytes.fromhex(sys.argv[2]))",
                            clientEnd, java.util.HexFormat.of().formatHex(frame))
                    .timeout(Duration.ofSeconds(30)).runChecked();
        }

        HostCommandResult udhcpc(int discovers, int secondsBetween) {
            return HostCommand.of("ip", "netns", "exec", namespace, "busybox", "udhcpc", "-i", clientEnd, "-f",
                            "-q", "-n", "-t", Integer.toString(discovers), "-T", Integer.toString(secondsBetween),
                            "-s", script.toString())
                    .timeout(Duration.ofSeconds(60)).run();
        }

        @Override
        public void close() throws java.io.IOException {
            // deleting the namespace deletes the veth end inside it, and with it the peer
            HostCommand.of("ip", "netns", "del", namespace).timeout(Duration.ofSeconds(30)).run();
            if (Files.exists(Path.of("/sys/class/net", hostEnd))) {
                HostCommand.of("ip", "link", "del", "dev", hostEnd).timeout(Duration.ofSeconds(30)).run();
            }
            Files.deleteIfExists(script);
        }
    }
}
