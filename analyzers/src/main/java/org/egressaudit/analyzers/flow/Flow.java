package org.egressaudit.analyzers.flow;

/**
 * One entry of the {@link FlowTable}: the canonical key (endpoint A sorts before endpoint B by address, then
 * port), the client/server orientation and the links of the table's recency lists.
 */
abstract class Flow {
    final int ipVersion;
    final int protocol;
    final long aHi;
    final long aLo;
    final int aPort;
    final long bHi;
    final long bLo;
    final int bPort;
    final int hash;
    /** True when endpoint A is the client. */
    final boolean clientIsA;
    final FlowKey key;
    final long firstSeenNanos;

    long lastActive;
    Flow newer;
    Flow older;
    FlowList list;

    Flow(int ipVersion, int protocol, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort, int hash,
         boolean clientIsA, long firstSeenNanos) {
        this.ipVersion = ipVersion;
        this.protocol = protocol;
        this.aHi = aHi;
        this.aLo = aLo;
        this.aPort = aPort;
        this.bHi = bHi;
        this.bLo = bLo;
        this.bPort = bPort;
        this.hash = hash;
        this.clientIsA = clientIsA;
        this.firstSeenNanos = firstSeenNanos;
        this.key = clientIsA
                ? new FlowKey(ipVersion, protocol, aHi, aLo, aPort, bHi, bLo, bPort)
                : new FlowKey(ipVersion, protocol, bHi, bLo, bPort, aHi, aLo, aPort);
    }

    /** Direction of a packet whose source is endpoint A when {@code srcIsA}. */
    final Direction direction(boolean srcIsA) {
        return srcIsA == clientIsA ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT;
    }

    final boolean sameKey(int ipVersion, int protocol, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
        return this.aLo == aLo && this.bLo == bLo && this.aPort == aPort && this.bPort == bPort
                && this.aHi == aHi && this.bHi == bHi && this.protocol == protocol && this.ipVersion == ipVersion;
    }
}
