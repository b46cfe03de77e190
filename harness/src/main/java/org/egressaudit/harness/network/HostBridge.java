package org.egressaudit.harness.network;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.exec.HostCommandException;
import org.egressaudit.harness.exec.HostCommandResult;

/**
 * One run's Linux bridge with one tap device for a QEMU guest, in a /24 of {@code 10.250.0.0/16} that nothing on
 * the host uses: gateway {@code .1} on the bridge, guest {@code .2} (handed out by {@link DhcpResponder}).
 * <p>
 * Nothing is routed: IPv4 forwarding is switched off on the bridge (the kernel then refuses to route anything
 * that arrives on it, whatever the global {@code ip_forward} that Docker needs), no route is added, and the
 * caller installs {@link Redirects} on {@link #bridgeInterface()} to steer the guest's traffic to the harness
 * services. IPv6 is disabled on bridge and tap so the host puts no router solicitations or MLD reports into the
 * capture. Both interfaces carry the alias {@code egress-audit:<runId>:<ownerPid>}, which
 * {@link #removeLeftovers()} uses to find those of crashed runs.
 */
public final class HostBridge implements AutoCloseable {
    public static final String ALIAS_PREFIX = "egress-audit:";
    public static final String BRIDGE_PREFIX = "eab-";
    public static final String TAP_PREFIX = "eat-";
    static final Path LOCK_FILE = Path.of("/run/egress-audit/bridges.lock");
    private static final Path SYS_NET = Path.of("/sys/class/net");
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(30);
    private static final int NAME_ATTEMPTS = 64;
    /** FileLock is per JVM: threads of one process are serialized here, processes by the lock file. */
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();
    private static final AtomicLong COUNTER = new AtomicLong();

    private final String runId;
    private final String bridge;
    private final String tap;
    private final Ipv4Cidr subnet;
    private final MacAddress guestMac;
    private final MacAddress gatewayMac;
    private boolean closed;

    private HostBridge(String runId, String bridge, String tap, Ipv4Cidr subnet, MacAddress guestMac,
                       MacAddress gatewayMac) {
        this.runId = runId;
        this.bridge = bridge;
        this.tap = tap;
        this.subnet = subnet;
        this.guestMac = guestMac;
        this.gatewayMac = gatewayMac;
    }

    /**
     * Creates bridge and tap, both up, the gateway address on the bridge.
     *
     * @throws IllegalArgumentException when the run id is not 1-63 characters of [A-Za-z0-9_.-]
     * @throws BridgeException          naming the failing command and its output; whatever was created is removed
     */
    public static HostBridge create(String runId) {
        return create(runId, HostBridge::ip);
    }

    /** Runs one {@code ip} command (arguments after {@code ip}); a seam for failure tests. */
    @FunctionalInterface
    interface IpRunner {
        HostCommandResult run(String... args);
    }

    static HostBridge create(String runId, IpRunner ip) {
        RunNetwork.validateRunId(runId);
        long pid = ProcessHandle.current().pid();
        String alias = alias(runId, pid);
        List<String> created = new ArrayList<>();
        try (CreatorLock ignored = CreatorLock.acquire()) {
            Identity id = freeIdentity(runId, pid);
            Ipv4Cidr subnet = HostSubnets.pickFree(inUse(ip)).orElseThrow(() -> new BridgeException(
                    "no free /24 left in " + HostSubnets.POOL + ": every one overlaps an address or route on this"
                            + " host (leftovers of crashed runs? see HostBridge.removeLeftovers)", null));

            ip.run("link", "add", "name", id.bridge, "type", "bridge", "stp_state", "0");
            created.add(id.bridge);
            // explicit address: otherwise the bridge takes the lowest port MAC and the gateway's MAC changes as
            // ports come and go, confusing the guest's ARP cache
            ip.run("link", "set", "dev", id.bridge, "address", id.gatewayMac.toString());
            ip.run("link", "set", "dev", id.bridge, "alias", alias);
            disableIpv6(id.bridge);
            sysctl("ipv4/conf/" + id.bridge + "/forwarding", "0");
            // answer ARP only for the bridge's own address, so the guest cannot discover the host's others
            sysctl("ipv4/conf/" + id.bridge + "/arp_ignore", "1");
            sysctl("ipv4/conf/" + id.bridge + "/arp_announce", "2");

            ip.run("tuntap", "add", "dev", id.tap, "mode", "tap");
            created.add(id.tap);
            ip.run("link", "set", "dev", id.tap, "alias", alias);
            disableIpv6(id.tap);
            ip.run("link", "set", "dev", id.tap, "master", id.bridge);

            ip.run("addr", "add", subnet.address(1).getHostAddress() + "/" + subnet.prefixLength(), "broadcast",
                    Ipv4Cidr.format(subnet.broadcast()), "dev", id.bridge);
            ip.run("link", "set", "dev", id.tap, "up");
            ip.run("link", "set", "dev", id.bridge, "up");
            return new HostBridge(runId, id.bridge, id.tap, subnet, id.guestMac, id.gatewayMac);
        } catch (RuntimeException e) {
            for (int i = created.size() - 1; i >= 0; i--) {
                try {
                    delete(created.get(i));
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof BridgeException) {
                throw e;
            }
            throw new BridgeException("cannot create the bridge of run " + runId + ": " + e.getMessage(), e);
        }
    }

    public String runId() {
        return runId;
    }

    /** Host side of the run's network: where {@link Redirects}, the sink services and the capture attach. */
    public String bridgeInterface() {
        return bridge;
    }

    /** For QEMU: {@code -netdev tap,id=n0,ifname=<tap>,script=no,downscript=no}. */
    public String tapInterface() {
        return tap;
    }

    /** The bridge's address: the guest's router and DNS server, where the harness services listen. */
    public Inet4Address gateway() {
        return subnet.address(1);
    }

    public Inet4Address guestAddress() {
        return subnet.address(2);
    }

    public int prefixLength() {
        return subnet.prefixLength();
    }

    /** CIDR, e.g. {@code 10.250.3.0/24}. */
    public String subnet() {
        return subnet.toString();
    }

    /** For QEMU's {@code -device virtio-net-pci,mac=...} and the DHCP lease; {@code 52:54:00:..}. */
    public String guestMac() {
        return guestMac.toString();
    }

    /** The bridge's (fixed) Ethernet address: source of the gateway's frames. */
    public String gatewayMac() {
        return gatewayMac.toString();
    }

    /**
     * Deletes tap and bridge. Idempotent; interfaces already gone are fine.
     *
     * @throws BridgeException when an interface is still present afterwards
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> failures = new ArrayList<>();
        for (String dev : List.of(tap, bridge)) {
            try {
                delete(dev);
            } catch (BridgeException e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new BridgeException("cannot remove the interfaces of run " + runId + ": "
                    + String.join("; ", failures), null);
        }
    }

    /**
     * Removes interfaces whose alias names an egress-audit run of a process that no longer exists (a crashed
     * run). Safe while other egress-audit processes run. Returns the removed interface names.
     *
     * @throws BridgeException when some could not be removed (the message lists what was removed too)
     */
    public static List<String> removeLeftovers() {
        return removeMatching(o -> !o.alive());
    }

    /** Removes every interface of one run, whatever process owns it (shutdown hook path). */
    public static List<String> removeRun(String runId) {
        RunNetwork.validateRunId(runId);
        return removeMatching(o -> o.runId().equals(runId));
    }

    private static List<String> removeMatching(Predicate<Owner> which) {
        List<String> removed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (String dev : interfaces()) {
            Optional<Owner> owner = readAlias(dev).flatMap(Owner::parse);
            if (owner.isEmpty() || !which.test(owner.get())) {
                continue;
            }
            try {
                if (delete(dev)) {
                    removed.add(dev);
                }
            } catch (BridgeException e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new BridgeException("removed " + removed + " but " + String.join("; ", failures), null);
        }
        return removed;
    }

    /** Who created an interface, from its alias {@code egress-audit:<runId>:<pid>}. */
    record Owner(String runId, long pid) {
        static Optional<Owner> parse(String alias) {
            if (alias == null || !alias.startsWith(ALIAS_PREFIX)) {
                return Optional.empty();
            }
            String rest = alias.substring(ALIAS_PREFIX.length()).strip();
            int colon = rest.lastIndexOf(':'); // run ids contain no ':'
            if (colon <= 0) {
                return Optional.empty();
            }
            try {
                String run = rest.substring(0, colon);
                RunNetwork.validateRunId(run);
                return Optional.of(new Owner(run, Long.parseLong(rest.substring(colon + 1))));
            } catch (IllegalArgumentException malformed) {
                return Optional.empty();
            }
        }

        boolean alive() {
            return pid == ProcessHandle.current().pid()
                    || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    static String alias(String runId, long pid) {
        return ALIAS_PREFIX + runId + ":" + pid;
    }

    /** Interface names and MACs of one run, all derived from one hash. */
    record Identity(String bridge, String tap, MacAddress guestMac, MacAddress gatewayMac) {
        static Identity derive(String runId, long pid, long counter) {
            byte[] h;
            try {
                h = MessageDigest.getInstance("SHA-256")
                        .digest((runId + "\0" + pid + "\0" + counter).getBytes(StandardCharsets.UTF_8));
            } catch (NoSuchAlgorithmException e) {
                throw new AssertionError("every JVM has SHA-256", e);
            }
            String suffix = HexFormat.of().formatHex(h, 0, 4);
            // 52:54:00 is QEMU's prefix, locally administered and unicast; 02:ea likewise for the gateway
            MacAddress guest = MacAddress.of(new byte[]{0x52, 0x54, 0x00, h[4], h[5], h[6]});
            MacAddress gw = MacAddress.of(new byte[]{0x02, (byte) 0xea, h[7], h[8], h[9], h[10]});
            return new Identity(BRIDGE_PREFIX + suffix, TAP_PREFIX + suffix, guest, gw);
        }
    }

    private static Identity freeIdentity(String runId, long pid) {
        for (int i = 0; i < NAME_ATTEMPTS; i++) {
            Identity id = Identity.derive(runId, pid, COUNTER.getAndIncrement());
            if (!exists(id.bridge) && !exists(id.tap)) {
                return id;
            }
        }
        throw new BridgeException("no free interface name after " + NAME_ATTEMPTS + " attempts for run " + runId,
                null);
    }

    private static List<Ipv4Cidr> inUse(IpRunner ip) {
        List<Ipv4Cidr> all = new ArrayList<>(HostSubnets.fromAddresses(ip.run("-4", "-o", "addr", "show").stdoutText()));
        all.addAll(HostSubnets.fromRoutes(ip.run("-4", "route", "show", "table", "all").stdoutText()));
        return all;
    }

    static HostCommandResult ip(String... args) {
        try {
            return HostCommand.of("ip", args).timeout(IP_TIMEOUT).runChecked();
        } catch (HostCommandException e) {
            throw new BridgeException(e.getMessage(), e); // names the command and its stderr
        }
    }

    private static void disableIpv6(String dev) {
        if (Files.isDirectory(Path.of("/proc/sys/net/ipv6"))) { // absent when the kernel runs without IPv6
            sysctl("ipv6/conf/" + dev + "/disable_ipv6", "1");
        }
    }

    private static void sysctl(String key, String value) {
        Path p = Path.of("/proc/sys/net").resolve(key);
        try {
            Files.writeString(p, value);
        } catch (IOException e) {
            throw new BridgeException("cannot write " + value + " to " + p + ": " + e, e);
        }
    }

    private static boolean exists(String dev) {
        return Files.exists(SYS_NET.resolve(dev));
    }

    /** Deletes one interface; false when it was already gone. */
    private static boolean delete(String dev) {
        if (!exists(dev)) {
            return false;
        }
        HostCommandResult r = HostCommand.of("ip", "link", "del", "dev", dev).timeout(IP_TIMEOUT).run();
        if (!r.succeeded() && exists(dev)) {
            throw new BridgeException("`ip link del dev " + dev + "` failed: " + r.outputTail(500), null);
        }
        return r.succeeded();
    }

    private static List<String> interfaces() {
        try (Stream<Path> s = Files.list(SYS_NET)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new BridgeException("cannot list " + SYS_NET + ": " + e, e);
        }
    }

    private static Optional<String> readAlias(String dev) {
        try {
            return Optional.of(Files.readString(SYS_NET.resolve(dev).resolve("ifalias")).strip());
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // vanished while listing, or not readable: not ours to judge
        }
    }

    /** Serializes subnet choice and creation across threads and processes. */
    private static final class CreatorLock implements AutoCloseable {
        private final FileChannel channel;

        private CreatorLock(FileChannel channel) {
            this.channel = channel;
        }

        static CreatorLock acquire() {
            IN_PROCESS.lock();
            FileChannel ch = null;
            try {
                Files.createDirectories(LOCK_FILE.getParent());
                ch = FileChannel.open(LOCK_FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                ch.lock(); // blocks while another process creates a bridge
                return new CreatorLock(ch);
            } catch (IOException | RuntimeException e) {
                try {
                    if (ch != null) {
                        ch.close();
                    }
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                IN_PROCESS.unlock();
                throw new BridgeException("cannot lock " + LOCK_FILE + ": " + e, e);
            }
        }

        @Override
        public void close() {
            try {
                channel.close(); // releases the lock
            } catch (IOException ignored) {
                // the lock dies with the channel or, at worst, with the process
            } finally {
                IN_PROCESS.unlock();
            }
        }
    }

    /** An {@code ip} command failed, a sysctl could not be written, or no subnet is free. */
    public static final class BridgeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public BridgeException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public String toString() {
        return "HostBridge[" + bridge + " + " + tap + ", " + subnet + ", guest " + guestMac + "]";
    }
}
