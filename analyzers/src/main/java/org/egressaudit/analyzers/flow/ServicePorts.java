package org.egressaudit.analyzers.flow;

import java.util.Arrays;

/**
 * Guesses which side of a flow is the server when no handshake says so: ports below 1024 and a short list of
 * common service ports above it (proxies, alternative HTTP(S), databases, brokers, VPN/VoIP, mDNS/LLMNR/SSDP).
 */
final class ServicePorts {
    private static final int[] HIGH_SERVICE_PORTS = {
            1080, 1194, 1433, 1521, 1883, 1900, 3128, 3306, 3389, 3478, 4500, 5060, 5222, 5228, 5353, 5355,
            5432, 5671, 5672, 6379, 8000, 8008, 8080, 8081, 8443, 8883, 8888, 9200, 9443};

    private ServicePorts() {
    }

    static boolean isService(int port) {
        return port < 1024 || Arrays.binarySearch(HIGH_SERVICE_PORTS, port) >= 0;
    }

    /** TCP without a SYN: the service port is the server; otherwise the lower port; same port: first sender is client. */
    static boolean tcpServerIsDestination(int srcPort, int dstPort) {
        boolean src = isService(srcPort);
        boolean dst = isService(dstPort);
        if (src != dst) {
            return dst;
        }
        return dstPort <= srcPort;
    }

    /** UDP: the service port is the server; otherwise the first sender is the client. */
    static boolean udpServerIsDestination(int srcPort, int dstPort) {
        boolean src = isService(srcPort);
        boolean dst = isService(dstPort);
        return src == dst || dst;
    }
}
