package org.egressaudit.harness.attribution;

import java.util.Objects;
import java.util.Optional;

/**
 * Which process made one connection or DNS query, or why that is not known.
 *
 * @param flow      the analysis's flow text
 * @param dnsName   the query name for a DNS query, null for a connection
 * @param atNanos   the connection's first packet, or the query's time
 * @param process   the process, empty when unattributed
 * @param source    {@link #STRACE} or {@link #SAMPLING} when attributed, null otherwise
 * @param reason    why it is unattributed, null when attributed
 */
public record Attribution(String flow, String dnsName, long atNanos, Optional<ProcessInfo> process, String source,
                          String reason) {
    public static final String STRACE = "strace";
    public static final String SAMPLING = "socket-sampling";

    public Attribution {
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(process, "process");
        if (process.isPresent() == (reason != null) || process.isPresent() != (source != null)) {
            throw new IllegalArgumentException("an attribution has a process and a source, or a reason: " + flow);
        }
    }

    static Attribution of(String flow, String dnsName, long at, ProcessInfo p, String source) {
        return new Attribution(flow, dnsName, at, Optional.of(p), source, null);
    }

    static Attribution none(String flow, String dnsName, long at, String reason) {
        return new Attribution(flow, dnsName, at, Optional.empty(), null, reason);
    }

    public boolean attributed() {
        return process.isPresent();
    }
}
