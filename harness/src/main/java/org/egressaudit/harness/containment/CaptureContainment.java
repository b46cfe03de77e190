package org.egressaudit.harness.containment;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.egressaudit.analyzers.engine.AnalysisResult.ConnectionRecord;
import org.egressaudit.harness.network.ServiceEvent;

/**
 * The after-the-run check on the capture itself. The capture sits on the sandbox's side of the redirect, so it shows
 * the addresses the agent dialled; what proves containment is who answered. Every TCP connection that got an
 * answer, and every UDP flow that got a datagram back, must be one the harness's services served (matched by the
 * sandbox-side address and port). An answered connection the harness never saw was answered by someone else.
 */
public final class CaptureContainment {
    private CaptureContainment() {
    }

    /**
     * @param connections the analysed capture's connections
     * @param events      the harness services' log
     * @param gateway     the run's gateway (flows it started itself, like DHCP answers, are the harness's)
     * @param eventsComplete false when the service log hit its cap (then unmatched flows are not conclusive)
     */
    public static ContainmentCheck check(List<ConnectionRecord> connections, List<ServiceEvent> events,
                                         String gateway, boolean eventsComplete) {
        Set<String> served = new HashSet<>();
        for (ServiceEvent e : events) {
            if (e.client() != null && e.client().getAddress() != null) {
                served.add(e.service().name().equals("TCP") ? "tcp " + key(e) : "udp " + key(e));
            }
        }
        List<String> foreign = new ArrayList<>();
        int answered = 0;
        for (ConnectionRecord c : connections) {
            boolean tcp = c.transport().equals("tcp");
            if (!tcp && !c.transport().equals("udp")) {
                continue;
            }
            if (c.client().startsWith(gateway + ":") || c.bytesToClient() == 0 && !(tcp && c.handshakeSeen())) {
                continue; // the harness's own (DHCP) or never answered: nothing came back from anywhere
            }
            if (!tcp && c.client().endsWith(":68")) {
                continue; // DHCP: answered by the harness's responder on raw frames
            }
            answered++;
            if (!served.contains(c.transport() + " " + c.client())) {
                foreign.add(c.flow() + " (" + c.bytesToClient() + " bytes back)");
            }
        }
        String name = "every answered connection was answered by the harness";
        if (foreign.isEmpty()) {
            return new ContainmentCheck(name, true, answered + " answered flows, all served by the harness");
        }
        String list = String.join("; ", foreign.subList(0, Math.min(10, foreign.size())))
                + (foreign.size() > 10 ? "; and " + (foreign.size() - 10) + " more" : "");
        if (!eventsComplete) {
            return new ContainmentCheck(name, true, "not conclusive: the service log reached its cap, "
                    + foreign.size() + " answered flows have no record: " + list);
        }
        return new ContainmentCheck(name, false, foreign.size() + " answered flows the harness never served: " + list);
    }

    private static String key(ServiceEvent e) {
        return e.client().getAddress().getHostAddress() + ":" + e.client().getPort();
    }
}
