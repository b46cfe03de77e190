package org.egressaudit.analyzers.protocol;

import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;

/** Where protocol handlers deliver what they extracted. Implementations may analyse in other threads. */
public interface TransmissionSink {

    /** Hands over a finished transmission; its content must not be modified afterwards. */
    void accept(Transmission transmission);

    /** Allocates the next transmission id (sinks number transmissions in capture order). */
    long nextId();

    /** A DNS question seen in either direction, for the report's list of names the sandbox asked for. */
    default void dnsQuery(FlowKey flow, Direction direction, String name, int qtype, long timestampNanos) {
    }

    /** Protocol-level record that is not content (HTTP response status line, TLS ServerHello...). */
    default void event(FlowKey flow, Direction direction, String kind, String detail, long timestampNanos) {
    }
}
