package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.egressaudit.harness.exec.HostCommand;
import org.junit.jupiter.api.Test;

class HostBridgeIT {

    private static String runId() {
        return "it-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void createsABridgeWithATapAndRemovesBoth() throws Exception {
        String runId = runId();
        String bridge;
        String tap;
        HostBridge b = HostBridge.create(runId);
        try {
            bridge = b.bridgeInterface();
            tap = b.tapInterface();
            assertTrue(bridge.matches("eab-[0-9a-f]{8}") && tap.matches("eat-[0-9a-f]{8}"), b.toString());
            assertTrue(Files.isDirectory(sys(bridge, "bridge")), "is a bridge");
            assertTrue(Files.exists(sys(tap, "tun_flags")), "is a tun/tap device");
            assertEquals(bridge, Files.readSymbolicLink(sys(tap, "master")).getFileName().toString());

            Ipv4Cidr subnet = Ipv4Cidr.parse(b.subnet());
            assertEquals(24, b.prefixLength());
            assertTrue(HostSubnets.POOL.overlaps(subnet) && subnet.prefixLength() == 24, b.subnet());
            assertEquals(subnet.address(1), b.gateway());
            assertEquals(subnet.address(2), b.guestAddress());
            String addr = HostCommand.of("ip", "-4", "-o", "addr", "show", "dev", bridge).runChecked().stdoutText();
            assertTrue(addr.contains("inet " + b.gateway().getHostAddress() + "/24 brd "
                    + Ipv4Cidr.format(subnet.broadcast())), addr);
            assertEquals("", HostCommand.of("ip", "-4", "-o", "addr", "show", "dev", tap).runChecked().stdoutText());
            assertEquals(b.gatewayMac(), read(sys(bridge, "address")));
            assertTrue(b.guestMac().startsWith("52:54:00:"), b.guestMac());

            for (String dev : List.of(bridge, tap)) {
                assertEquals("1", read(Path.of("/proc/sys/net/ipv6/conf", dev, "disable_ipv6")), dev);
                assertEquals("egress-audit:" + runId + ":" + ProcessHandle.current().pid(), read(sys(dev, "ifalias")));
                int flags = Integer.decode(read(sys(dev, "flags")));
                assertEquals(1, flags & 1, dev + " is up");
            }
            assertEquals("", HostCommand.of("ip", "-6", "addr", "show", "dev", bridge).runChecked().stdoutText());
            assertEquals("0", read(Path.of("/proc/sys/net/ipv4/conf", bridge, "forwarding")));
            assertEquals("1", read(Path.of("/proc/sys/net/ipv4/conf", bridge, "arp_ignore")));
            // only the connected route of the bridge: nothing routed elsewhere through it
            String routes = HostCommand.of("ip", "-4", "route", "show", "dev", bridge).runChecked().stdoutText().strip();
            assertTrue(routes.startsWith(subnet + " proto kernel scope link src " + b.gateway().getHostAddress())
                    && routes.lines().count() == 1, routes);
        } finally {
            b.close();
        }
        assertFalse(Files.exists(sys(bridge)));
        assertFalse(Files.exists(sys(tap)));
        b.close(); // idempotent
    }

    @Test
    void aFailedStepRemovesWhatWasCreatedAndNamesTheCommand() {
        String runId = runId();
        String alias = HostBridge.alias(runId, ProcessHandle.current().pid());
        HostBridge.IpRunner failingAddressStep = args -> {
            if (args[0].equals("addr") && args[1].equals("add")) {
                // both interfaces exist at this point; then the real command fails
                assertEquals(2, interfacesWithAlias(alias).size());
                return HostBridge.ip("addr", "add", "10.250.0.1/33", "dev", args[args.length - 1]);
            }
            return HostBridge.ip(args);
        };
        HostBridge.BridgeException e = org.junit.jupiter.api.Assertions.assertThrows(
                HostBridge.BridgeException.class, () -> HostBridge.create(runId, failingAddressStep));
        assertTrue(e.getMessage().contains("`ip addr add 10.250.0.1/33 dev eab-"), e.getMessage());
        assertEquals(List.of(), interfacesWithAlias(alias));
    }

    private static List<String> interfacesWithAlias(String alias) {
        try (var s = Files.list(Path.of("/sys/class/net"))) {
            return s.filter(p -> {
                try {
                    return Files.readString(p.resolve("ifalias")).strip().equals(alias);
                } catch (IOException gone) {
                    return false;
                }
            }).map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void concurrentRunsGetDistinctSubnetsAndNames() {
        CompletableFuture<HostBridge> one = CompletableFuture.supplyAsync(() -> HostBridge.create(runId()));
        CompletableFuture<HostBridge> two = CompletableFuture.supplyAsync(() -> HostBridge.create(runId()));
        try (HostBridge a = one.join(); HostBridge b = two.join()) {
            assertNotEquals(a.subnet(), b.subnet());
            assertNotEquals(a.bridgeInterface(), b.bridgeInterface());
            assertNotEquals(a.guestMac(), b.guestMac());
            assertFalse(Ipv4Cidr.parse(a.subnet()).overlaps(Ipv4Cidr.parse(b.subnet())));
        }
    }

    @Test
    void leftoverSweepRemovesInterfacesOfDeadOwnersOnly() throws Exception {
        String deadRun = runId();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String dead = "eax-" + suffix;
        String foreign = "eay-" + suffix;
        try (HostBridge live = HostBridge.create(runId())) {
            dummy(dead, HostBridge.alias(deadRun, 99_999_999)); // above any pid_max: never a live process
            dummy(foreign, "not egress-audit");

            List<String> removed = HostBridge.removeLeftovers();

            assertTrue(removed.contains(dead), removed.toString());
            assertFalse(Files.exists(sys(dead)));
            assertTrue(Files.exists(sys(foreign)), "interfaces without our alias are never touched");
            assertTrue(Files.exists(sys(live.bridgeInterface())), "a live run's bridge stays");
            assertTrue(Files.exists(sys(live.tapInterface())));

            assertEquals(List.of(live.bridgeInterface(), live.tapInterface()), HostBridge.removeRun(live.runId()));
            assertFalse(Files.exists(sys(live.bridgeInterface())));
        } finally {
            HostCommand.of("ip", "link", "del", "dev", foreign).run();
            HostCommand.of("ip", "link", "del", "dev", dead).run();
        }
    }

    /** A stand-in interface (a tap: this kernel may lack the dummy module). */
    private static void dummy(String name, String alias) {
        HostCommand.of("ip", "tuntap", "add", "dev", name, "mode", "tap").runChecked();
        HostCommand.of("ip", "link", "set", "dev", name, "alias", alias).runChecked();
    }

    private static Path sys(String dev, String... more) {
        return Path.of("/sys/class/net", dev).resolve(String.join("/", more));
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p).strip();
    }
}
