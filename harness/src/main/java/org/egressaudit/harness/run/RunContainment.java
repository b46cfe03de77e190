package org.egressaudit.harness.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.harness.containment.CaptureContainment;
import org.egressaudit.harness.containment.ContainmentCheck;
import org.egressaudit.harness.containment.ContainmentProbe;
import org.egressaudit.harness.containment.ConntrackWatch;
import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.exec.HostCommandResult;
import org.egressaudit.harness.network.ServiceEventLog;
import org.egressaudit.harness.sandbox.ContainerSandbox;
import org.egressaudit.harness.sandbox.ExecResult;
import org.egressaudit.harness.sandbox.Sandbox;

/**
 * The containment self-test of one run, in three layers: the canary probe before the agent starts, the connection
 * tracking watch for the whole run (stops the run at the first escape), and the check of the capture after the run.
 * Any failed check makes the run's verdict {@code ERROR: containment}, whatever the agent did.
 */
final class RunContainment {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);

    private final List<ContainmentCheck> checks = Collections.synchronizedList(new ArrayList<>());
    private ConntrackWatch watch;
    /** "tcp ip:port" / "udp ip:port" of the probe's sockets, so its flows are not mistaken for the agent's. */
    private final java.util.Set<String> probeClients = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private String gateway;

    /** Starts the connection-tracking watch; without conntrack the run continues with a failed check noted. */
    AutoCloseable startWatch(Path log, String subnet, String gateway) {
        this.gateway = gateway;
        try {
            watch = ConntrackWatch.start(log, subnet, gateway);
            return watch;
        } catch (RuntimeException e) {
            checks.add(new ContainmentCheck("connection tracking watch", false, "cannot run conntrack -E ("
                    + e.getMessage() + "): install conntrack (bin/setup --sandbox)"));
            return () -> { };
        }
    }

    /** Runs the canary probe in the sandbox's network and judges it; true when every canary ended at the harness. */
    boolean probe(Sandbox sandbox, String gateway, ServiceEventLog events) {
        ContainmentProbe probe = ContainmentProbe.create();
        String resolver = resolver(sandbox, gateway);
        String output;
        if (sandbox instanceof ContainerSandbox c) {
            // the host's python3 in the container's network namespace: needs nothing from the image
            List<String> argv = new ArrayList<>(List.of("nsenter", "-t", Long.toString(c.initPid()), "-n", "--",
                    "python3", "-c", ContainmentProbe.script()));
            argv.addAll(probe.arguments(resolver));
            HostCommandResult r = HostCommand.of(argv).timeout(PROBE_TIMEOUT).run();
            output = r.succeeded() ? r.stdoutText() : "exit " + r.exitCode() + ": " + r.stderrText();
        } else {
            List<String> argv = new ArrayList<>(List.of("python3", "-c", ContainmentProbe.script()));
            argv.addAll(probe.arguments(resolver));
            ExecResult r = sandbox.exec(PROBE_TIMEOUT, argv.toArray(String[]::new));
            if (r.exitCode() == 127 || r.stderrText().contains("No such file")) {
                checks.add(new ContainmentCheck("canary probe", true, "not run: the guest has no python3; the "
                        + "connection-tracking watch and the capture check still apply"));
                return true;
            }
            output = r.succeeded() ? r.stdoutText() : "exit " + r.exitCode() + ": " + r.stderrText();
        }
        List<ContainmentCheck> judged = probe.judge(output, gateway, events::events);
        checks.addAll(judged);
        for (org.egressaudit.harness.network.ServiceEvent e : events.events()) {
            if (probe.isCanary(e) && e.client() != null && e.client().getAddress() != null) {
                String proto = e.service() == org.egressaudit.harness.network.ServiceEvent.Service.TCP ? "tcp" : "udp";
                probeClients.add(proto + " " + e.client().getAddress().getHostAddress() + ":" + e.client().getPort());
            }
        }
        return ContainmentCheck.failures(judged).isEmpty();
    }

    /** The probe cannot run (no command channel): recorded, the other two checks still apply. */
    void skipProbe(String why) {
        checks.add(new ContainmentCheck("canary probe", true, "not run: " + why + "; the connection-tracking watch "
                + "and the capture check still apply"));
    }

    /** The first nameserver of the sandbox's resolv.conf (what its programs ask); the gateway if unreadable. */
    private static String resolver(Sandbox sandbox, String gateway) {
        try {
            ExecResult r = sandbox.exec(Duration.ofSeconds(20), "cat", "/etc/resolv.conf");
            for (String line : r.stdoutText().split("\n")) {
                String[] f = line.strip().split("\\s+");
                if (f.length >= 2 && f[0].equals("nameserver") && f[1].matches("[0-9.]+")) {
                    return f[1];
                }
            }
        } catch (RuntimeException e) {
            // fall through: probing the gateway still tests the redirect
        }
        return gateway;
    }

    /** The first escape seen by the watch so far, recorded once as a failed check. */
    java.util.Optional<String> escape() {
        if (watch == null) {
            return java.util.Optional.empty();
        }
        return watch.escapes().stream().findFirst();
    }

    /** After the run: the watch's verdict and the capture check. */
    void finish(AnalysisResult result, ServiceEventLog events) {
        if (watch != null) {
            List<String> escapes = watch.escapes();
            checks.add(escapes.isEmpty()
                    ? new ContainmentCheck("connection tracking", true, "every connection from the sandbox was "
                    + "answered by the harness" + (watch.running() ? "" : " (note: conntrack exited early)"))
                    : new ContainmentCheck("connection tracking", false, escapes.size()
                    + " connections answered from outside: " + String.join("; ", escapes.subList(0,
                    Math.min(5, escapes.size())))));
        }
        if (result != null && events != null && gateway != null) {
            checks.add(CaptureContainment.check(result.connections(), events.events(), gateway,
                    events.droppedFromMemory() == 0));
        }
    }

    /** The probe's own sockets ("tcp ip:port"), as the harness's services saw them. */
    java.util.Set<String> probeClients() {
        return java.util.Set.copyOf(probeClients);
    }

    boolean failed() {
        return !ContainmentCheck.failures(List.copyOf(checks)).isEmpty();
    }

    /** "containment: ..." with the failed checks, for the outcome's problem. */
    String problem() {
        return "containment: " + String.join("; ", ContainmentCheck.failures(List.copyOf(checks)));
    }

    /** One note summarising a passed self-test. */
    String summary() {
        List<ContainmentCheck> all = List.copyOf(checks);
        return "containment self-test: " + all.stream().filter(ContainmentCheck::passed).count() + " of "
                + all.size() + " checks passed";
    }

    ObjectNode toJson() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("status", checks.isEmpty() ? "NOT RUN" : failed() ? "FAILED" : "PASSED");
        ArrayNode a = n.putArray("checks");
        for (ContainmentCheck c : List.copyOf(checks)) {
            ObjectNode o = a.addObject();
            o.put("check", c.name());
            o.put("passed", c.passed());
            o.put("detail", c.detail());
        }
        return n;
    }
}
