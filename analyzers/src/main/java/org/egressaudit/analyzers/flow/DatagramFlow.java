package org.egressaudit.analyzers.flow;

/** A UDP or ICMP flow: only its orientation is remembered; datagrams go straight to the factory. */
final class DatagramFlow extends Flow {
    private FlowKey reversedKey;

    DatagramFlow(int ipVersion, int protocol, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort, int hash,
                 boolean clientIsA, long firstSeenNanos) {
        super(ipVersion, protocol, aHi, aLo, aPort, bHi, bLo, bPort, hash, clientIsA, firstSeenNanos);
    }

    /** The key with client and server swapped (an ICMP echo in the other direction), made once. */
    FlowKey reversedKey() {
        if (reversedKey == null) {
            reversedKey = new FlowKey(key.ipVersion(), key.protocol(), key.serverHi(), key.serverLo(),
                    key.serverPort(), key.clientHi(), key.clientLo(), key.clientPort());
        }
        return reversedKey;
    }
}
