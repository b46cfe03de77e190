package org.egressaudit.harness.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.analyzers.engine.Finding;
import org.egressaudit.analyzers.engine.FindingKind;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.harness.network.ServiceEvent;

/**
 * TLS sessions the agent refused to let the harness intercept (certificate pinning, its own CA bundle, mutual TLS)
 * are opaque whatever their size: the agent chose a channel nobody can inspect, so what it meant to send is
 * unknown. Each becomes an OPAQUE finding with the SNI, the certificate the client saw and the byte counts,
 * tied to the captured flow by the client's address and port.
 */
final class RefusedTls {
    private RefusedTls() {
    }

    static List<Finding> findings(List<ServiceEvent> events, AnalysisResult result) {
        List<Finding> out = new ArrayList<>();
        for (ServiceEvent e : events) {
            if (e.kind() != ServiceEvent.Kind.TLS_REFUSED || !"client".equals(e.attributes().get("by"))) {
                continue;
            }
            Map<String, String> a = e.attributes();
            String client = e.client().getAddress().getHostAddress() + ":" + e.client().getPort();
            AnalysisResult.ConnectionRecord c = result.connections().stream()
                    .filter(x -> x.client().equals(client) && "tcp".equals(x.transport())).findFirst().orElse(null);
            String sni = a.getOrDefault("sni", "");
            String destination = sni != null && !sni.isEmpty() ? sni
                    : c != null ? c.server() : String.valueOf(e.originalDestination());
            long nanos = e.timestamp().getEpochSecond() * 1_000_000_000L + e.timestamp().getNano();
            long first = c != null ? c.firstNanos() : nanos;
            long bytesIn = parse(a.get("bytesIn"));
            String detail = "TLS to " + (sni == null || sni.isEmpty() ? "(no SNI)" : sni) + " refused interception ("
                    + a.getOrDefault("stage", "?") + ", alert " + orNone(a.get("alert")) + "; offered ALPN "
                    + a.getOrDefault("alpnOffered", "") + "; certificate presented " + a.getOrDefault(
                    "certificateSubject", "?") + " sha256 " + a.getOrDefault("certificateSha256", "?") + "): "
                    + bytesIn + " bytes from the client, " + a.getOrDefault("bytesOut", "0")
                    + " to it; what the agent meant to send is not inspected";
            out.add(new Finding(0, FindingKind.OPAQUE, Verdict.OPAQUE, null, null, null, -1,
                    c != null ? c.flow() : "tcp " + client, "tls", destination, "TLS session refused by the client",
                    first, c != null ? c.lastNanos() : nanos, List.of("tls"), List.of(), bytesIn, detail, null));
        }
        return out;
    }

    private static String orNone(String s) {
        return s == null || s.isEmpty() || s.equals("null") ? "none" : s;
    }

    private static long parse(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
