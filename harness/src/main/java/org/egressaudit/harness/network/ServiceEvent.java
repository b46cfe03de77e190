package org.egressaudit.harness.network;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One thing a sink service saw. Text the sandbox controls (names, paths, previews) is cut to {@link #MAX_TEXT}
 * characters here, so no single event can grow without bound whatever the agent sends.
 *
 * @param timestamp           when the service saw it
 * @param service             which service
 * @param client              the sandbox-side address and port (the flow's source; correlates with the capture)
 * @param originalDestination where the client meant to go before the REDIRECT, or null when unknown
 * @param kind                what happened
 * @param detail              a one-line human summary
 * @param attributes          the same facts as key/value pairs for machines (insertion ordered, never null)
 */
public record ServiceEvent(Instant timestamp, Service service, InetSocketAddress client,
                           InetSocketAddress originalDestination, Kind kind, String detail,
                           Map<String, String> attributes) {

    /** Longest detail or attribute value kept; longer text is cut and marked. */
    public static final int MAX_TEXT = 2048;

    /** The service that produced an event. */
    public enum Service { DNS, TCP, UDP }

    /** What an event reports. */
    public enum Kind {
        /** A DNS question, and what was answered. */
        DNS_QUERY,
        /** Input that could not be decoded (or broke a size limit) and was dropped. */
        MALFORMED,
        /** One complete HTTP request and the answer sent. */
        HTTP_REQUEST,
        /** A TLS ClientHello (server name if the client sent one). */
        TLS_CLIENT_HELLO,
        /** A TLS handshake the harness terminated: version, cipher suite, ALPN, the certificate presented. */
        TLS_INTERCEPTED,
        /** A client that refused the harness's certificate (alert, or closed): its traffic stays opaque. */
        TLS_REFUSED,
        /** Bytes a raw sink read and discarded, reported when the connection ends. */
        RAW_DATA,
        /** A TCP connection ended: protocol, byte counts, why it ended. */
        CONNECTION_CLOSED,
        /** A connection refused by a limit. */
        REJECTED,
        /** One UDP datagram received by the UDP sink. */
        DATAGRAM,
        /** An unexpected failure while handling a client (the service itself keeps running). */
        ERROR
    }

    public ServiceEvent {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(kind, "kind");
        detail = cut(detail == null ? "" : detail);
        Map<String, String> copy = new LinkedHashMap<>();
        if (attributes != null) {
            attributes.forEach((k, v) -> copy.put(k, v == null ? null : cut(v)));
        }
        attributes = java.util.Collections.unmodifiableMap(copy);
    }

    /** The same event with the original destination filled in. */
    public ServiceEvent withOriginalDestination(InetSocketAddress destination) {
        return new ServiceEvent(timestamp, service, client, destination, kind, detail, attributes);
    }

    /** "address:port" of the client, or "-" when there is none. */
    public String clientText() {
        return text(client);
    }

    static String text(InetSocketAddress a) {
        if (a == null) {
            return null;
        }
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static String cut(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "...(" + (s.length() - MAX_TEXT) + " more)";
    }
}
