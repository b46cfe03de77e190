package org.egressaudit.harness.network;

import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@link DhcpResponder} hands to its one client: the address for the client's MAC, and the network settings.
 *
 * @param clientMac     the guest's MAC ({@code 52:54:00:12:34:56}); only this client is answered
 * @param clientAddress the address it gets (yiaddr)
 * @param prefixLength  subnet mask length, 8-30
 * @param serverAddress the DHCP server identifier, the address replies come from (the bridge's gateway)
 * @param router        default gateway (option 3)
 * @param dns           DNS server (option 6)
 * @param domain        domain name (option 15), e.g. {@code sandbox.test}
 * @param leaseTime     lease duration (option 51), 1 minute to 49 days; T1/T2 are 1/2 and 7/8 of it
 */
public record DhcpLease(String clientMac, Inet4Address clientAddress, int prefixLength, Inet4Address serverAddress,
                        Inet4Address router, Inet4Address dns, String domain, Duration leaseTime) {
    public static final Duration DEFAULT_LEASE_TIME = Duration.ofDays(1);
    public static final String DEFAULT_DOMAIN = "sandbox.test";
    private static final Pattern DOMAIN = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    public DhcpLease {
        MacAddress mac = MacAddress.parse(clientMac);
        if (mac.isMulticast()) {
            throw new IllegalArgumentException("client MAC " + clientMac + " is a multicast address");
        }
        clientMac = mac.toString();
        Objects.requireNonNull(clientAddress, "clientAddress");
        Objects.requireNonNull(serverAddress, "serverAddress");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(dns, "dns");
        Objects.requireNonNull(leaseTime, "leaseTime");
        if (prefixLength < 8 || prefixLength > 30) {
            throw new IllegalArgumentException("prefix length must be 8-30 for a client and a server: " + prefixLength);
        }
        Ipv4Cidr net = new Ipv4Cidr(Ipv4Cidr.toInt(clientAddress), prefixLength);
        int client = Ipv4Cidr.toInt(clientAddress);
        if (client == net.network() || client == net.broadcast()) {
            throw new IllegalArgumentException("client address " + clientAddress.getHostAddress()
                    + " is the network or broadcast address of " + net);
        }
        if (!net.contains(Ipv4Cidr.toInt(serverAddress)) || serverAddress.equals(clientAddress)) {
            throw new IllegalArgumentException("server address " + serverAddress.getHostAddress()
                    + " must be another address in the client's subnet " + net);
        }
        if (!net.contains(Ipv4Cidr.toInt(router))) {
            throw new IllegalArgumentException("router " + router.getHostAddress() + " is outside " + net);
        }
        if (domain == null || !DOMAIN.matcher(domain).matches()
                || domain.getBytes(StandardCharsets.US_ASCII).length > 255) {
            throw new IllegalArgumentException("bad domain name '" + domain + "'");
        }
        if (leaseTime.compareTo(Duration.ofMinutes(1)) < 0 || leaseTime.compareTo(Duration.ofDays(49)) > 0) {
            throw new IllegalArgumentException("lease time must be between 1 minute and 49 days: " + leaseTime);
        }
    }

    /** The usual lease on a {@link HostBridge}: the guest address, the gateway as router, DNS and server. */
    public static DhcpLease forBridge(HostBridge bridge) {
        return new DhcpLease(bridge.guestMac(), bridge.guestAddress(), bridge.prefixLength(), bridge.gateway(),
                bridge.gateway(), bridge.gateway(), DEFAULT_DOMAIN, DEFAULT_LEASE_TIME);
    }

    public MacAddress mac() {
        return MacAddress.parse(clientMac);
    }

    public Ipv4Cidr subnet() {
        return new Ipv4Cidr(Ipv4Cidr.toInt(clientAddress), prefixLength);
    }
}
