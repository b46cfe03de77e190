package org.egressaudit.harness.network;

import java.net.InetSocketAddress;

/** Finds where a redirected flow was originally going (the listener only sees its own address). */
@FunctionalInterface
public interface OriginalDestinationLookup {

    /** Transport protocol of the flow. */
    enum Protocol { TCP, UDP }

    /**
     * @param protocol     the flow's protocol
     * @param client       the flow's source as the listener sees it
     * @param listenerPort the port of the listener that received it (the REDIRECT target)
     * @return the original destination, or null when unknown. May block (briefly); must not throw.
     */
    InetSocketAddress lookup(Protocol protocol, InetSocketAddress client, int listenerPort);
}
