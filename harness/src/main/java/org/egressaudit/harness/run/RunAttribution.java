package org.egressaudit.harness.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.egressaudit.analyzers.corpus.Corpus;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.harness.attribution.Attribution;
import org.egressaudit.harness.attribution.AttributionReport;
import org.egressaudit.harness.attribution.ConnectionAttribution;
import org.egressaudit.harness.attribution.ProcSocketSampler;
import org.egressaudit.harness.attribution.ProcessStory;
import org.egressaudit.harness.attribution.StraceNetworkParser;
import org.egressaudit.harness.audit.FileActivity;
import org.egressaudit.harness.audit.StraceParser;

/**
 * Which process in the sandbox made each connection and DNS query: socket sampling from the host (containers),
 * exact network system calls from the strace log (when the scenario audits files), and the stories that tie a
 * process's planted-file reads to what it sent.
 */
final class RunAttribution {
    /** The attribution report in the run folder (also in report.json's run section). */
    static final String FILE = "attribution.json";

    private final Set<String> sandboxAddresses = new HashSet<>();
    private ProcSocketSampler sampler;
    private boolean virtualMachine;
    private String samplingProblem;

    /** Containers: samples the sandbox's sockets from the host until the run ends. */
    AutoCloseable startSampling(long initHostPid, String sandboxAddress) {
        sandboxAddresses.add(sandboxAddress);
        try {
            sampler = ProcSocketSampler.start(Math.toIntExact(initHostPid), ProcSocketSampler.DEFAULT_INTERVAL);
            return sampler;
        } catch (RuntimeException e) {
            samplingProblem = "socket sampling could not start: " + e.getMessage();
            return () -> { };
        }
    }

    /** VMs: the host cannot see the guest's processes; connections are reported as unattributed, saying why. */
    void virtualMachine(String guestAddress) {
        virtualMachine = true;
        sandboxAddresses.add(guestAddress);
    }

    /**
     * After the analysis: the attribution report, with the stories added to {@code activity}.
     *
     * @param trace strace log of the agent (may not exist)
     */
    AttributionReport report(AnalysisResult result, Corpus corpus, Path trace, List<String> activity,
                             List<String> notes, Set<String> harnessProbeClients) {
        if (samplingProblem != null) {
            notes.add(samplingProblem);
        }
        ProcSocketSampler.Result sampling = sampler == null ? null : sampler.result();
        if (sampling != null && !sampling.problems().isEmpty()) {
            notes.add("socket sampling: " + String.join("; ", sampling.problems().subList(0,
                    Math.min(3, sampling.problems().size()))));
        }
        StraceNetworkParser.Trace straced = null;
        List<FileActivity.PlantedRead> reads = List.of();
        if (Files.isRegularFile(trace)) {
            try {
                straced = StraceNetworkParser.parse(trace);
                Set<String> names = new HashSet<>();
                corpus.topLevelFiles().forEach(f -> names.add(f.name()));
                reads = FileActivity.plantedReads(StraceParser.parse(trace).accesses(), names);
            } catch (java.io.IOException | RuntimeException e) {
                notes.add("process attribution: cannot read the strace log: " + e.getMessage());
            }
        }
        ConnectionAttribution a = new ConnectionAttribution(new ConnectionAttribution.Sources(sampling, straced,
                sandboxAddresses, virtualMachine, ConnectionAttribution.DEFAULT_TOLERANCE));
        List<Attribution> connections = harnessOwn(a.connections(result.connections()), harnessProbeClients);
        List<Attribution> queries = harnessOwn(a.dnsQueries(result.dnsQueries(), result.connections(), connections),
                harnessProbeClients);
        var traced = a.tracedProcesses(); // null without a strace log
        List<ProcessStory> stories = ProcessStory.of(connections, result.findings(), reads,
                tid -> traced == null ? tid : traced.processOf(tid));
        AttributionReport report = new AttributionReport(connections, queries, stories);
        List<String> lines = new ArrayList<>();
        stories.forEach(s -> lines.addAll(s.sentences()));
        activity.addAll(lines);
        notes.add("process attribution: " + report.attributedConnections() + " of " + connections.size()
                + " connections and " + report.attributedDnsQueries() + " of " + queries.size()
                + " DNS queries attributed to a process (the others say why in report.json run.attribution)");
        return report;
    }

    static final String PROBE_REASON = "the harness's own containment probe (a negative control sent before the "
            + "agent started), not the agent";

    /** Unattributed flows of the containment probe say so, instead of a sampling reason. */
    static List<Attribution> harnessOwn(List<Attribution> attributions, Set<String> probeClients) {
        List<Attribution> out = new ArrayList<>(attributions.size());
        for (Attribution a : attributions) {
            String[] f = a.flow().split(" ", 3);
            if (!a.attributed() && f.length == 3 && probeClients.contains(f[0] + " " + f[1])) {
                out.add(new Attribution(a.flow(), a.dnsName(), a.atNanos(), java.util.Optional.empty(), null,
                        PROBE_REASON));
            } else {
                out.add(a);
            }
        }
        return out;
    }
}
