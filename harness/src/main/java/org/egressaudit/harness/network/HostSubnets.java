package org.egressaudit.harness.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which IPv4 prefixes the host already uses (from {@code ip -4 -o addr show} and
 * {@code ip -4 route show table all}), and the first /24 of a pool that overlaps none of them. Pure text
 * processing, so the choice can be tested without touching the host.
 */
final class HostSubnets {
    /** Run bridges live here: 256 /24s, far from Docker's default pools (172.17-31, 192.168). */
    static final Ipv4Cidr POOL = Ipv4Cidr.parse("10.250.0.0/16");
    static final int RUN_PREFIX = 24;

    /** Route types {@code ip route} prints before the destination. */
    private static final Set<String> ROUTE_TYPES = Set.of("unicast", "local", "broadcast", "multicast", "throw",
            "unreachable", "prohibit", "blackhole", "nat", "anycast");

    private HostSubnets() {
    }

    /** Prefixes of every {@code inet a.b.c.d/n} in {@code ip -4 -o addr show} output. */
    static List<Ipv4Cidr> fromAddresses(String ipAddrOutput) {
        List<Ipv4Cidr> out = new ArrayList<>();
        for (String line : ipAddrOutput.split("\n")) {
            String[] t = line.trim().split("\\s+");
            for (int i = 0; i + 1 < t.length; i++) {
                if (t[i].equals("inet")) {
                    out.add(Ipv4Cidr.parse(t[i + 1]));
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Destinations of {@code ip -4 route show table all} output. Default routes are skipped: they overlap
     * everything, yet a more specific connected route on the bridge takes precedence over them.
     */
    static List<Ipv4Cidr> fromRoutes(String ipRouteOutput) {
        List<Ipv4Cidr> out = new ArrayList<>();
        for (String line : ipRouteOutput.split("\n")) {
            String[] t = line.trim().split("\\s+");
            int i = 0;
            if (i < t.length && ROUTE_TYPES.contains(t[i])) {
                i++;
            }
            if (i >= t.length || t[i].isEmpty() || t[i].equals("default")) {
                continue;
            }
            Ipv4Cidr c;
            try {
                c = Ipv4Cidr.parse(t[i]);
            } catch (IllegalArgumentException notAPrefix) {
                continue; // e.g. a line this parser does not know; addresses are checked separately anyway
            }
            if (c.prefixLength() > 0) {
                out.add(c);
            }
        }
        return out;
    }

    /** The first /24 of {@link #POOL} that overlaps nothing in {@code inUse}. */
    static Optional<Ipv4Cidr> pickFree(List<Ipv4Cidr> inUse) {
        int count = 1 << (RUN_PREFIX - POOL.prefixLength());
        for (int i = 0; i < count; i++) {
            Ipv4Cidr candidate = new Ipv4Cidr(POOL.network() | i << (32 - RUN_PREFIX), RUN_PREFIX);
            if (inUse.stream().noneMatch(candidate::overlaps)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
