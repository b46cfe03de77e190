package org.egressaudit.harness.network;

import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * Totals of one UDP flow seen by the UDP sink.
 *
 * @param client              the sandbox-side address and port
 * @param originalDestination where the datagrams were going, or null when unknown (or not yet known)
 * @param datagrams           datagrams received
 * @param bytes               payload bytes received
 * @param first               when the first datagram arrived
 * @param last                when the latest datagram arrived
 */
public record UdpFlow(InetSocketAddress client, InetSocketAddress originalDestination, long datagrams, long bytes,
                      Instant first, Instant last) {
}
