package org.egressaudit.harness.attribution;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.egressaudit.analyzers.engine.AnalysisResult.ConnectionRecord;
import org.egressaudit.analyzers.engine.AnalysisResult.DnsQueryRecord;

/**
 * Names the process behind each connection and DNS query of an analysis, from the strace log (exact: the process
 * made the call) and from socket sampling (the process held the socket when sampled), in that order of preference.
 *
 * <p>Matching, for a flow with transport T, sandbox-side endpoint L, peer P and packets from F to E:
 * <ol>
 * <li>strace, by port: calls on a T socket whose printed local port is L's (and address L's, or unspecified),
 * whose peer is P or not printed, at a time gap from [F, E] of at most the tolerance; the smallest gap wins, so a
 * local port reused later matches the call nearest in time;</li>
 * <li>strace, by destination: a first connect/send on a socket not yet bound (strace prints only its inode) to P,
 * made at most {@link #EARLY} after and at most {@link #LATE} before F (the first packet leaves during the call;
 * ARP resolution can delay it); each such call is given to one flow only, the nearest in time;</li>
 * <li>sampling: a socket of transport T seen with local port L's and peer P (or none: unconnected UDP,
 * listening), whose sampled lifetime widened by one interval lies within the tolerance of [F, E]; nearest wins.</li>
 * </ol>
 * Anything else gets a reason saying which source was missing or why it could not see the flow.
 */
public final class ConnectionAttribution {
    /** How far a sampled or traced socket's lifetime may be from the flow's packets and still match. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(2);
    /** A packet cannot precede the call that sent it; this allows for clock granularity only. */
    static final long EARLY = Duration.ofMillis(50).toNanos();
    /** The first packet of a connect can wait for ARP (retries at 1 s); beyond this, it is another call. */
    static final long LATE = Duration.ofSeconds(3).toNanos();

    /**
     * Where this run's process information came from.
     *
     * @param sampling          socket sampling's result, null when it did not run
     * @param strace            the strace log, null when the scenario did not audit files (or the log was missing)
     * @param sandboxAddresses  the sandbox's IP addresses (canonical text); empty: the flow's client side is taken
     * @param virtualMachine    the sandbox is a VM guest, whose processes the host cannot see
     */
    public record Sources(ProcSocketSampler.Result sampling, StraceNetworkParser.Trace strace,
                          Set<String> sandboxAddresses, boolean virtualMachine, Duration tolerance) {
        public Sources {
            sandboxAddresses = Set.copyOf(sandboxAddresses);
            Objects.requireNonNull(tolerance, "tolerance");
            if (tolerance.isNegative()) {
                throw new IllegalArgumentException("negative tolerance: " + tolerance);
            }
        }
    }

    private final Sources sources;
    private final StraceProcesses traced;
    private final long tolerance;
    private final Set<StraceNetworkParser.SocketEvent> claimed = new HashSet<>();

    public ConnectionAttribution(Sources sources) {
        this.sources = sources;
        this.tolerance = sources.tolerance().toNanos();
        this.traced = sources.strace() == null ? null : new StraceProcesses(sources.strace(),
                sources.sampling() == null ? Map.of() : sources.sampling().threadProcess(),
                sources.sampling() == null ? Map.of() : sources.sampling().processes());
    }

    /** The strace view of processes (null without a trace), for tying file reads (thread ids) to processes. */
    public StraceProcesses tracedProcesses() {
        return traced;
    }

    /** One attribution per connection, in the given order; matched in time order so first calls go to first flows. */
    public List<Attribution> connections(List<ConnectionRecord> connections) {
        List<ConnectionRecord> byTime = new ArrayList<>(connections);
        byTime.sort(Comparator.comparingLong(ConnectionRecord::firstNanos));
        java.util.IdentityHashMap<ConnectionRecord, Attribution> out = new java.util.IdentityHashMap<>();
        for (ConnectionRecord c : byTime) {
            out.put(c, attribute(c.flow(), null, c.firstNanos(), Math.max(c.firstNanos(), c.lastNanos())));
        }
        List<Attribution> ordered = new ArrayList<>(connections.size());
        for (ConnectionRecord c : connections) {
            ordered.add(out.get(c));
        }
        return ordered;
    }

    /**
     * One attribution per DNS query: the attribution of the connection record carrying it when there is one
     * (same flow, query time within its packets), else matched on its own.
     */
    public List<Attribution> dnsQueries(List<DnsQueryRecord> queries, List<ConnectionRecord> connections,
                                        List<Attribution> connectionAttributions) {
        List<Attribution> out = new ArrayList<>(queries.size());
        for (DnsQueryRecord q : queries) {
            Attribution found = null;
            for (int i = 0; i < connections.size() && found == null; i++) {
                ConnectionRecord c = connections.get(i);
                if (c.flow().equals(q.flow()) && q.timestampNanos() >= c.firstNanos() - tolerance
                        && q.timestampNanos() <= c.lastNanos() + tolerance) {
                    found = connectionAttributions.get(i);
                }
            }
            if (found == null) {
                found = attribute(q.flow(), q.name(), q.timestampNanos(), q.timestampNanos());
            }
            out.add(new Attribution(q.flow(), q.name(), q.timestampNanos(), found.process(), found.source(),
                    found.reason()));
        }
        return out;
    }

    /** Attributes one flow seen from {@code first} to {@code last} (capture clock, epoch nanoseconds). */
    public Attribution attribute(String flowText, String dnsName, long first, long last) {
        FlowText flow;
        try {
            flow = FlowText.parse(flowText);
        } catch (IllegalArgumentException e) {
            return Attribution.none(flowText, dnsName, first, "the flow could not be read: " + e.getMessage());
        }
        if (sources.virtualMachine()) {
            return Attribution.none(flowText, dnsName, first,
                    "virtual machine: process attribution is not available in VM guests");
        }
        if (!flow.hasPorts()) {
            return Attribution.none(flowText, dnsName, first, "the connection came from the sandbox's own system "
                    + "(" + flow.transport() + ": kernel replies, errors, neighbour discovery), not a process socket");
        }
        Endpoint local = flow.client();
        Endpoint peer = flow.server();
        if (!sources.sandboxAddresses().isEmpty()) {
            if (!sources.sandboxAddresses().contains(local.address())) {
                if (!sources.sandboxAddresses().contains(peer.address())) {
                    return Attribution.none(flowText, dnsName, first, "neither end of this flow is the sandbox "
                            + "(addresses " + String.join(", ", new java.util.TreeSet<>(sources.sandboxAddresses()))
                            + ")");
                }
                local = flow.server();
                peer = flow.client();
            }
        }
        if (flow.transport().equals("udp") && local.port() == 68 && peer.port() == 67) {
            return Attribution.none(flowText, dnsName, first, "the connection came from the sandbox's own system "
                    + "(DHCP client on a raw packet socket), not a process socket");
        }
        if (traced != null) {
            StraceNetworkParser.SocketEvent e = byPort(flow.transport(), local, peer, first, last);
            if (e == null) {
                e = byDestination(flow.transport(), peer, first);
            }
            if (e != null) {
                return Attribution.of(flowText, dnsName, first, traced.at(e.pid(), e.firstNanos()),
                        Attribution.STRACE);
            }
        }
        if (sources.sampling() != null) {
            SocketOwner o = sampled(flow.transport(), local, peer, first, last);
            if (o != null) {
                return Attribution.of(flowText, dnsName, first, o.process(), Attribution.SAMPLING);
            }
        }
        return Attribution.none(flowText, dnsName, first, reason(first, last));
    }

    private StraceNetworkParser.SocketEvent byPort(String transport, Endpoint local, Endpoint peer, long first,
                                                   long last) {
        StraceNetworkParser.SocketEvent best = null;
        long bestGap = Long.MAX_VALUE;
        for (StraceNetworkParser.SocketEvent e : sources.strace().sockets()) {
            if (e.local() == null || e.local().port() != local.port()
                    || (e.transport() != null && !e.transport().equals(transport))
                    || (!e.local().unspecifiedAddress() && !e.local().address().equals(local.address()))
                    || (e.remote() != null && !e.remote().equals(peer))) {
                continue;
            }
            long gap = gap(e.firstNanos(), e.lastNanos(), first, last);
            if (gap <= tolerance && gap < bestGap) {
                best = e;
                bestGap = gap;
            }
        }
        return best;
    }

    private StraceNetworkParser.SocketEvent byDestination(String transport, Endpoint peer, long first) {
        StraceNetworkParser.SocketEvent best = null;
        long bestGap = Long.MAX_VALUE;
        for (StraceNetworkParser.SocketEvent e : sources.strace().sockets()) {
            if (e.local() != null || !peer.equals(e.remote()) || claimed.contains(e)
                    || (e.transport() != null && !e.transport().equals(transport))) {
                continue;
            }
            long after = first - e.firstNanos();
            if (after < -EARLY || after > LATE) {
                continue;
            }
            if (Math.abs(after) < bestGap) {
                best = e;
                bestGap = Math.abs(after);
            }
        }
        if (best != null) {
            claimed.add(best);
        }
        return best;
    }

    private SocketOwner sampled(String transport, Endpoint local, Endpoint peer, long first, long last) {
        long slack = sources.sampling().interval().toNanos();
        SocketOwner best = null;
        long bestGap = Long.MAX_VALUE;
        for (SocketOwner o : sources.sampling().owners()) {
            boolean anyPeer = o.remote().port() == 0 && o.remote().unspecifiedAddress();
            if (!o.transport().equals(transport) || o.local().port() != local.port()
                    || (!o.local().unspecifiedAddress() && !o.local().address().equals(local.address()))
                    || (!anyPeer && !o.remote().equals(peer))) {
                continue;
            }
            long gap = gap(nanos(o.firstSeen()) - slack, nanos(o.lastSeen()) + slack, first, last);
            if (gap <= tolerance && gap < bestGap) {
                best = o;
                bestGap = gap;
            }
        }
        return best;
    }

    /** Why nothing matched, from what was and was not collected. */
    private String reason(long first, long last) {
        ProcSocketSampler.Result s = sources.sampling();
        boolean strace = sources.strace() != null;
        if (s == null && !strace) {
            return "no process information was collected for this run (socket sampling did not run and "
                    + "agent.auditFiles is off)";
        }
        String straceMiss = "not in the strace log (strace follows only the agent's start command and its "
                + "descendants: a daemon started otherwise, or a call strace did not record)";
        if (s == null) {
            return straceMiss;
        }
        String samplingMiss;
        if (last < nanos(s.started()) - tolerance) {
            samplingMiss = "the connection ended before socket sampling started";
        } else if (s.stopped() != null && first > nanos(s.stopped()) + tolerance) {
            samplingMiss = "the connection began after socket sampling stopped";
        } else if (s.truncated()) {
            samplingMiss = "no process held this socket when sampled, and sampling stopped recording new sockets "
                    + "at its limit";
        } else if (s.samples() == 0) {
            samplingMiss = "socket sampling took no sample" + (s.problems().isEmpty() ? ""
                    : " (" + s.problems().get(0) + ")");
        } else {
            samplingMiss = "no process held this socket when sampled (it lived less than the "
                    + s.interval().toMillis() + " ms sampling interval)";
        }
        return strace ? straceMiss + "; " + samplingMiss
                : samplingMiss + "; enable agent.auditFiles for exact attribution";
    }

    /** Distance between two time intervals, 0 when they overlap. */
    static long gap(long aFrom, long aTo, long bFrom, long bTo) {
        return Math.max(0, Math.max(aFrom - bTo, bFrom - aTo));
    }

    private static long nanos(java.time.Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
