package org.egressaudit.harness.containment;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.egressaudit.harness.network.ServiceEvent;

/**
 * The negative control every run starts with: before the agent runs, a probe in the sandbox's network sends a
 * unique canary towards public addresses and a public name over TCP, UDP and DNS (documentation ranges and an
 * {@code .example} name, harmless if they ever escaped). Containment holds only if each one ended at the harness:
 * the harness's own services logged it, with the address the probe dialled as original destination, and every
 * answer the probe got came from the harness (names resolve to the gateway, HTTP comes back from the sink).
 *
 * <p>The probe is a Python program (standard library only, {@code probe.py} next to this class). Containers run it
 * with the host's python3 inside the container's network namespace, so it needs nothing from the image; virtual
 * machines run it with the guest's python3.
 */
public final class ContainmentProbe {
    public static final String TCP_ADDRESS = "203.0.113.7";
    public static final String UDP_ADDRESS = "198.51.100.7";
    public static final String DNS_ADDRESS = "192.0.2.53";
    public static final String DOMAIN = "containment.egress-audit.example";
    /** How long the harness waits for its services to log what the probe sent. */
    static final Duration EVENT_WAIT = Duration.ofSeconds(5);

    private final String token;

    private ContainmentProbe(String token) {
        this.token = token;
    }

    /** A probe with a fresh random canary token. */
    public static ContainmentProbe create() {
        byte[] b = new byte[8];
        new SecureRandom().nextBytes(b);
        return new ContainmentProbe("ea" + HexFormat.of().formatHex(b));
    }

    public String token() {
        return token;
    }

    /** The probe program's source. */
    public static String script() {
        try (InputStream in = ContainmentProbe.class.getResourceAsStream("probe.py")) {
            if (in == null) {
                throw new IllegalStateException("probe.py missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read probe.py: " + e.getMessage(), e);
        }
    }

    /** Arguments after {@code python3 -c SCRIPT}. */
    public List<String> arguments(String resolver) {
        return List.of(token, resolver);
    }

    /**
     * Judges the probe: its own output (what answered it) and the harness's service log (what reached the harness).
     *
     * @param probeOutput the probe's stdout (one JSON object), or the error that kept it from running
     * @param gateway     the run's gateway address: the only address anything may resolve to or answer from
     * @param events      the service log, read again until every canary arrived or {@link #EVENT_WAIT} passed
     */
    public List<ContainmentCheck> judge(String probeOutput, String gateway, Supplier<List<ServiceEvent>> events) {
        List<ContainmentCheck> checks = new ArrayList<>();
        JsonNode out;
        try {
            out = new ObjectMapper().readTree(probeOutput);
            if (out == null || !out.isObject() || !token.equals(out.path("token").asText())) {
                throw new IOException("not the probe's report");
            }
        } catch (IOException e) {
            checks.add(new ContainmentCheck("probe", false, "the probe did not report: "
                    + abbreviate(probeOutput)));
            return checks;
        }
        List<ServiceEvent> seen = awaitEvents(events);
        checks.add(dns("dns via the sandbox's resolver", out.path("dnsResolver"), gateway,
                token + "." + DOMAIN, seen));
        checks.add(dns("dns to " + DNS_ADDRESS + ":53", out.path("dnsPublic"), gateway,
                token + "-direct." + DOMAIN, seen));
        checks.add(http("tcp to " + TCP_ADDRESS + ":80", out.path("tcpAddress"), "/egress-audit-containment/"
                + token + "/address", new InetSocketAddress(TCP_ADDRESS, 80), seen));
        checks.add(http("tcp to " + token + "-name." + DOMAIN, out.path("tcpName"), "/egress-audit-containment/"
                + token + "/name", null, seen));
        checks.add(udp(out.path("udpAddress"), seen));
        return checks;
    }

    /** Polls the log until every canary is in it (they arrive asynchronously) or the wait is over. */
    private List<ServiceEvent> awaitEvents(Supplier<List<ServiceEvent>> events) {
        long deadline = System.nanoTime() + EVENT_WAIT.toNanos();
        while (true) {
            List<ServiceEvent> all = events.get();
            long mentions = all.stream().filter(this::mentionsToken).count();
            boolean datagram = all.stream().anyMatch(ContainmentProbe::isUdpCanary);
            if ((mentions >= 5 && datagram) || System.nanoTime() > deadline) {
                return all;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return all;
            }
        }
    }

    /** Whether the harness's services logged {@code e} because of this probe (its token, or its UDP datagram). */
    public boolean isCanary(ServiceEvent e) {
        return mentionsToken(e) || isUdpCanary(e);
    }

    private static boolean isUdpCanary(ServiceEvent e) {
        return e.kind() == ServiceEvent.Kind.DATAGRAM && isOriginal(e, new InetSocketAddress(UDP_ADDRESS, 9));
    }

    private boolean mentionsToken(ServiceEvent e) {
        if (e.detail().contains(token)) {
            return true;
        }
        return e.attributes().values().stream().anyMatch(v -> v != null && v.contains(token));
    }

    private ContainmentCheck dns(String name, JsonNode result, String gateway, String query,
                                 List<ServiceEvent> seen) {
        boolean logged = seen.stream().anyMatch(e -> e.kind() == ServiceEvent.Kind.DNS_QUERY && mentionsToken(e)
                && (e.detail().contains(query) || e.attributes().values().stream()
                .anyMatch(v -> v != null && v.contains(query))));
        if (!result.path("ok").asBoolean(false)) {
            return new ContainmentCheck(name, false, "no answer (" + result.path("error").asText("?") + ")"
                    + (logged ? "" : "; the harness's DNS never saw the query"));
        }
        List<String> answers = new ArrayList<>();
        result.path("answers").forEach(a -> answers.add(a.asText()));
        if (!logged) {
            return new ContainmentCheck(name, false, "answered " + answers + " but the harness's DNS never saw the "
                    + "query: something else answered");
        }
        if (!answers.equals(List.of(gateway))) {
            return new ContainmentCheck(name, false, "answered " + answers + ", not the harness's " + gateway);
        }
        return new ContainmentCheck(name, true, query + " answered " + gateway + " by the harness");
    }

    private ContainmentCheck http(String name, JsonNode result, String path, InetSocketAddress dialled,
                                  List<ServiceEvent> seen) {
        List<ServiceEvent> requests = seen.stream().filter(e -> e.kind() == ServiceEvent.Kind.HTTP_REQUEST
                && e.detail().contains(path)).toList();
        if (!result.path("ok").asBoolean(false)) {
            return new ContainmentCheck(name, false, "no HTTP answer (" + result.path("error").asText(
                    result.path("status").asText("?")) + ")" + (requests.isEmpty()
                    ? "; the harness never saw the connection" : ""));
        }
        if (requests.isEmpty()) {
            return new ContainmentCheck(name, false, "got '" + result.path("status").asText() + "' but the "
                    + "harness never saw the request: something else answered");
        }
        if (dialled != null && requests.stream().noneMatch(e -> isOriginal(e, dialled))) {
            return new ContainmentCheck(name, false, "the harness saw the request, but not as addressed to "
                    + dialled + " (original destination " + requests.get(0).originalDestination() + ")");
        }
        return new ContainmentCheck(name, true, "'" + result.path("status").asText() + "' from the harness");
    }

    private ContainmentCheck udp(JsonNode result, List<ServiceEvent> seen) {
        String name = "udp to " + UDP_ADDRESS + ":9";
        if (!result.path("ok").asBoolean(false)) {
            return new ContainmentCheck(name, false, "not sent (" + result.path("error").asText("?") + ")");
        }
        boolean logged = seen.stream().anyMatch(ContainmentProbe::isUdpCanary);
        return logged ? new ContainmentCheck(name, true, "received by the harness's UDP sink")
                : new ContainmentCheck(name, false, "the harness's UDP sink never received it");
    }

    private static boolean isOriginal(ServiceEvent e, InetSocketAddress dialled) {
        InetSocketAddress o = e.originalDestination();
        return o != null && o.getPort() == dialled.getPort() && o.getAddress() != null
                && o.getAddress().getHostAddress().equals(dialled.getHostString());
    }

    private static String abbreviate(String s) {
        String t = s == null ? "" : s.strip();
        return t.isEmpty() ? "(no output)" : t.length() > 500 ? t.substring(0, 500) + "..." : t;
    }
}
