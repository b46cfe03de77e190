package org.egressaudit.analyzers.flow;

/** Direction of bytes within a flow. Client to server is what leaves the audited machine. */
public enum Direction {
    CLIENT_TO_SERVER,
    SERVER_TO_CLIENT;

    public Direction reverse() {
        return this == CLIENT_TO_SERVER ? SERVER_TO_CLIENT : CLIENT_TO_SERVER;
    }
}
