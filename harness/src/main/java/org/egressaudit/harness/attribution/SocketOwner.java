package org.egressaudit.harness.attribution;

import java.time.Instant;

/**
 * A socket seen held by a process while sampling: which process, the socket's addresses, and the first and last
 * sample that saw it (wall clock, the capture's clock). The socket may have existed up to one sampling interval
 * before {@code firstSeen} and after {@code lastSeen}.
 *
 * @param transport "tcp" or "udp"
 * @param remote    the peer; 0.0.0.0:0 or [::]:0 for unconnected UDP and listening sockets
 * @param state     TCP state name, or CONNECTED / UNCONNECTED for UDP, at the last sample
 */
public record SocketOwner(String transport, long inode, Endpoint local, Endpoint remote, String state,
                          ProcessInfo process, Instant firstSeen, Instant lastSeen) {

    SocketOwner seenAgain(Instant when, String newState) {
        return new SocketOwner(transport, inode, local, remote, newState, process, firstSeen, when);
    }
}
