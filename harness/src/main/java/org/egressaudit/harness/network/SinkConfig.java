package org.egressaudit.harness.network;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.Objects;

/**
 * Ports and limits of the sink services. Every limit bounds something the sandboxed agent controls.
 *
 * @param dnsPort                    DNS port, UDP and TCP (0 = ephemeral; default 0)
 * @param tcpPort                    catch-all TCP port (0 = ephemeral; default 0)
 * @param udpPort                    UDP sink port (0 = ephemeral; default 0)
 * @param dnsAnswerAddress           the IPv4 address every A query resolves to; null = the bind address (default)
 * @param dnsTtlSeconds              TTL of DNS answers (default 5: small, so clients re-ask and every lookup is seen)
 * @param maxDnsMessageBytes         largest DNS query accepted, UDP or TCP (default 4096); bigger ones are dropped
 * @param protocolDetectionWait      how long the catch-all waits for a client's first bytes (default 1 s)
 * @param maxConnections             concurrent TCP connections over DNS/TCP and the catch-all (default 1024)
 * @param idleTimeout                a TCP connection with no traffic either way for this long is closed (default 60 s)
 * @param maxHttpInitialLineBytes    longest HTTP request line (default 8192)
 * @param maxHttpHeaderBytes         largest HTTP header block (default 65536)
 * @param maxUdpFlows                UDP client address:port pairs tracked with totals (default 4096); later flows are
 *                                   still logged per datagram, without totals
 * @param lookupOriginalDestination  ask conntrack where redirected flows were going (default true; skipped when
 *                                   conntrack is not installed)
 * @param originalDestinationTimeout how long one conntrack lookup may take (default 2 s)
 * @param eventLoopThreads           threads of the one event loop group all services share (default 2)
 */
public record SinkConfig(int dnsPort, int tcpPort, int udpPort, Inet4Address dnsAnswerAddress, int dnsTtlSeconds,
                         int maxDnsMessageBytes, Duration protocolDetectionWait, int maxConnections,
                         Duration idleTimeout, int maxHttpInitialLineBytes, int maxHttpHeaderBytes, int maxUdpFlows,
                         boolean lookupOriginalDestination, Duration originalDestinationTimeout,
                         int eventLoopThreads) {

    public SinkConfig {
        port("dnsPort", dnsPort);
        port("tcpPort", tcpPort);
        port("udpPort", udpPort);
        range("dnsTtlSeconds", dnsTtlSeconds, 0, 86_400);
        range("maxDnsMessageBytes", maxDnsMessageBytes, 12, 65_535); // 12 = a bare DNS header
        positive("protocolDetectionWait", protocolDetectionWait);
        range("maxConnections", maxConnections, 1, 1_000_000);
        positive("idleTimeout", idleTimeout);
        range("maxHttpInitialLineBytes", maxHttpInitialLineBytes, 64, 1 << 20);
        range("maxHttpHeaderBytes", maxHttpHeaderBytes, 64, 16 << 20);
        range("maxUdpFlows", maxUdpFlows, 0, 10_000_000);
        positive("originalDestinationTimeout", originalDestinationTimeout);
        range("eventLoopThreads", eventLoopThreads, 1, 256);
    }

    /** The documented defaults. */
    public static SinkConfig defaults() {
        return new SinkConfig(0, 0, 0, null, 5, 4096, Duration.ofSeconds(1), 1024, Duration.ofSeconds(60),
                8192, 65_536, 4096, true, Duration.ofSeconds(2), 2);
    }

    public SinkConfig withPorts(int dns, int tcp, int udp) {
        return new SinkConfig(dns, tcp, udp, dnsAnswerAddress, dnsTtlSeconds, maxDnsMessageBytes,
                protocolDetectionWait, maxConnections, idleTimeout, maxHttpInitialLineBytes, maxHttpHeaderBytes,
                maxUdpFlows, lookupOriginalDestination, originalDestinationTimeout, eventLoopThreads);
    }

    public SinkConfig withDnsAnswerAddress(Inet4Address address) {
        return new SinkConfig(dnsPort, tcpPort, udpPort, address, dnsTtlSeconds, maxDnsMessageBytes,
                protocolDetectionWait, maxConnections, idleTimeout, maxHttpInitialLineBytes, maxHttpHeaderBytes,
                maxUdpFlows, lookupOriginalDestination, originalDestinationTimeout, eventLoopThreads);
    }

    public SinkConfig withProtocolDetectionWait(Duration wait) {
        return new SinkConfig(dnsPort, tcpPort, udpPort, dnsAnswerAddress, dnsTtlSeconds, maxDnsMessageBytes,
                wait, maxConnections, idleTimeout, maxHttpInitialLineBytes, maxHttpHeaderBytes,
                maxUdpFlows, lookupOriginalDestination, originalDestinationTimeout, eventLoopThreads);
    }

    public SinkConfig withMaxConnections(int max) {
        return new SinkConfig(dnsPort, tcpPort, udpPort, dnsAnswerAddress, dnsTtlSeconds, maxDnsMessageBytes,
                protocolDetectionWait, max, idleTimeout, maxHttpInitialLineBytes, maxHttpHeaderBytes,
                maxUdpFlows, lookupOriginalDestination, originalDestinationTimeout, eventLoopThreads);
    }

    public SinkConfig withIdleTimeout(Duration timeout) {
        return new SinkConfig(dnsPort, tcpPort, udpPort, dnsAnswerAddress, dnsTtlSeconds, maxDnsMessageBytes,
                protocolDetectionWait, maxConnections, timeout, maxHttpInitialLineBytes, maxHttpHeaderBytes,
                maxUdpFlows, lookupOriginalDestination, originalDestinationTimeout, eventLoopThreads);
    }

    public SinkConfig withLookupOriginalDestination(boolean lookup) {
        return new SinkConfig(dnsPort, tcpPort, udpPort, dnsAnswerAddress, dnsTtlSeconds, maxDnsMessageBytes,
                protocolDetectionWait, maxConnections, idleTimeout, maxHttpInitialLineBytes, maxHttpHeaderBytes,
                maxUdpFlows, lookup, originalDestinationTimeout, eventLoopThreads);
    }

    private static void port(String name, int value) {
        range(name, value, 0, 65_535);
    }

    private static void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", was " + value);
        }
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
