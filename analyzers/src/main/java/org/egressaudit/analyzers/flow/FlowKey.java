package org.egressaudit.analyzers.flow;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Client/server oriented 5-tuple of a flow. Created once per flow, never per packet.
 * Addresses use the same two-long encoding as {@code DecodedPacket}.
 */
public final class FlowKey {
    private final int ipVersion;
    private final int protocol;
    private final long clientHi;
    private final long clientLo;
    private final int clientPort;
    private final long serverHi;
    private final long serverLo;
    private final int serverPort;

    public FlowKey(int ipVersion, int protocol, long clientHi, long clientLo, int clientPort,
                   long serverHi, long serverLo, int serverPort) {
        this.ipVersion = ipVersion;
        this.protocol = protocol;
        this.clientHi = clientHi;
        this.clientLo = clientLo;
        this.clientPort = clientPort;
        this.serverHi = serverHi;
        this.serverLo = serverLo;
        this.serverPort = serverPort;
    }

    public int ipVersion() {
        return ipVersion;
    }

    public int protocol() {
        return protocol;
    }

    public long clientHi() {
        return clientHi;
    }

    public long clientLo() {
        return clientLo;
    }

    public int clientPort() {
        return clientPort;
    }

    public long serverHi() {
        return serverHi;
    }

    public long serverLo() {
        return serverLo;
    }

    public int serverPort() {
        return serverPort;
    }

    public String clientAddress() {
        return formatAddress(ipVersion, clientHi, clientLo);
    }

    public String serverAddress() {
        return formatAddress(ipVersion, serverHi, serverLo);
    }

    public String transportName() {
        return switch (protocol) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 1 -> "icmp";
            case 58 -> "icmpv6";
            default -> "ip-proto-" + protocol;
        };
    }

    /** Formats an address held as two longs: IPv4 dotted quad, IPv6 in RFC 5952 form. */
    public static String formatAddress(int ipVersion, long hi, long lo) {
        try {
            if (ipVersion == 4) {
                byte[] b = ByteBuffer.allocate(4).putInt((int) lo).array();
                return InetAddress.getByAddress(b).getHostAddress();
            }
            byte[] b = ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
            String s = InetAddress.getByAddress(b).getHostAddress();
            return compressIpv6(s);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String compressIpv6(String full) {
        // InetAddress prints every group; collapse the longest run of zero groups as RFC 5952 asks.
        String[] groups = full.split(":");
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bestStart; i++) {
            sb.append(groups[i]).append(i + 1 < bestStart ? ":" : "");
        }
        sb.append("::");
        for (int i = bestStart + bestLen; i < groups.length; i++) {
            sb.append(groups[i]).append(i + 1 < groups.length ? ":" : "");
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FlowKey k)) {
            return false;
        }
        return ipVersion == k.ipVersion && protocol == k.protocol && clientHi == k.clientHi
                && clientLo == k.clientLo && clientPort == k.clientPort && serverHi == k.serverHi
                && serverLo == k.serverLo && serverPort == k.serverPort;
    }

    @Override
    public int hashCode() {
        return Objects.hash(ipVersion, protocol, clientHi, clientLo, clientPort, serverHi, serverLo, serverPort);
    }

    /** e.g. {@code tcp 10.0.0.2:40312 -> 192.0.2.10:80}; IPv6 addresses are bracketed. */
    @Override
    public String toString() {
        return transportName() + " " + endpoint(clientAddress(), clientPort) + " -> " + endpoint(serverAddress(), serverPort);
    }

    private String endpoint(String address, int port) {
        boolean hasPort = protocol == 6 || protocol == 17;
        String a = ipVersion == 6 ? "[" + address + "]" : address;
        return hasPort ? a + ":" + port : a;
    }
}
