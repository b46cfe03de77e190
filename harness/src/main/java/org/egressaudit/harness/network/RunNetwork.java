package org.egressaudit.harness.network;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import org.egressaudit.harness.sandbox.TestcontainersSettings;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Network;

/**
 * The one internal Docker network of a run. Internal means Docker gives it no route out; the only host the
 * containers can reach is the bridge gateway (this machine), where {@link Redirects} steers every packet to the
 * harness services. Everything is labelled {@value #LABEL_RUN}=runId and with the owning JVM's pid so that
 * leftovers of crashed runs can be found, and a live run of another process is never mistaken for one.
 */
public final class RunNetwork implements AutoCloseable {
    public static final String LABEL_RUN = "egress-audit.run";
    public static final String LABEL_OWNER_PID = "egress-audit.owner-pid";
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final long BRIDGE_WAIT_MILLIS = 5000;

    private final String runId;
    private final Network network;
    private final String id;
    private final String name;
    private final String bridge;
    private final String subnet;
    private final Inet4Address gateway;
    private boolean closed;

    private RunNetwork(String runId, Network network, String id, String name, String bridge, String subnet,
                       Inet4Address gateway) {
        this.runId = runId;
        this.network = network;
        this.id = id;
        this.name = name;
        this.bridge = bridge;
        this.subnet = subnet;
        this.gateway = gateway;
    }

    /**
     * Creates the run's internal network and waits for its bridge interface.
     *
     * @throws IllegalArgumentException when the run id is not 1-63 characters of [A-Za-z0-9_.-]
     * @throws NetworkSetupException    when Docker refuses or the network lacks an IPv4 subnet/gateway
     * @throws IllegalStateException    when Testcontainers is not configured for offline use
     */
    public static RunNetwork create(String runId) {
        return create(runId, true);
    }

    /**
     * As {@link #create(String)}; {@code internal=false} gives the network a route out through Docker's NAT, which
     * only the containment self-test's own test uses, to prove that a breach is caught.
     */
    public static RunNetwork create(String runId, boolean internal) {
        validateRunId(runId);
        TestcontainersSettings.requireOffline();
        String name = "egress-audit-" + runId;
        Map<String, String> labels = labelsFor(runId);
        Network network = Network.builder()
                .createNetworkCmdModifier(c -> c.withName(name).withInternal(internal).withLabels(labels)
                        .withAttachable(false))
                .build();
        String id;
        try {
            id = network.getId(); // creates it
        } catch (RuntimeException e) {
            throw new NetworkSetupException("cannot create Docker network " + name + ": " + e.getMessage(), e);
        }
        try {
            com.github.dockerjava.api.model.Network info = client().inspectNetworkCmd().withNetworkId(id).exec();
            if (internal && !Boolean.TRUE.equals(info.getInternal())) {
                throw new NetworkSetupException("Docker network " + name + " was created without --internal");
            }
            com.github.dockerjava.api.model.Network.Ipam.Config v4 = ipv4Config(info)
                    .orElseThrow(() -> new NetworkSetupException("Docker network " + name
                            + " has no IPv4 subnet with a gateway: " + info.getIpam()));
            Inet4Address gw = (Inet4Address) InetAddress.getByName(v4.getGateway());
            String bridge = bridgeName(info, id);
            waitForInterface(bridge);
            org.egressaudit.harness.sandbox.Ipv6Off.on(bridge);
            return new RunNetwork(runId, network, id, name, bridge, v4.getSubnet(), gw);
        } catch (RuntimeException | UnknownHostException e) {
            try {
                network.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof NetworkSetupException n) {
                throw n;
            }
            throw new NetworkSetupException("cannot inspect Docker network " + name + ": " + e.getMessage(), e);
        }
    }

    /** The labels every Docker object of this run carries. */
    public static Map<String, String> labelsFor(String runId) {
        validateRunId(runId);
        return Map.of(LABEL_RUN, runId, LABEL_OWNER_PID, Long.toString(ProcessHandle.current().pid()));
    }

    /** Run ids end up in Docker names, labels and iptables comments: keep them to a safe alphabet. */
    public static void validateRunId(String runId) {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("bad run id '" + runId
                    + "': use 1-63 characters of letters, digits, '_', '.', '-', starting with a letter or digit");
        }
    }

    public String runId() {
        return runId;
    }

    /** Docker network id (64 hex digits). */
    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** Host-side bridge interface, e.g. {@code br-0123456789ab}; where capture and redirects attach. */
    public String bridgeInterface() {
        return bridge;
    }

    /** IPv4 subnet in CIDR notation, e.g. {@code 172.19.0.0/16}. */
    public String subnet() {
        return subnet;
    }

    /** The bridge's address on the host: the only address containers can reach, used as their DNS server. */
    public Inet4Address gateway() {
        return gateway;
    }

    public Map<String, String> labels() {
        return labelsFor(runId);
    }

    /** For attaching Testcontainers containers ({@code withNetwork}). */
    public Network testcontainersNetwork() {
        return network;
    }

    /**
     * Removes containers still labelled with this run (a sandbox that failed to clean up) and then the network.
     * Idempotent.
     *
     * @throws NetworkSetupException when the network is still present afterwards
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        DockerClient docker = client();
        removeContainers(docker, List.of(LABEL_RUN + "=" + runId), false);
        try {
            network.close();
        } catch (RuntimeException ignored) {
            // checked below, and removed directly if Testcontainers did not
        }
        try {
            docker.removeNetworkCmd(id).exec();
        } catch (NotFoundException alreadyGone) {
            return;
        } catch (RuntimeException e) {
            throw new NetworkSetupException("cannot remove Docker network " + name + " (" + id + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Removes containers and networks labelled by egress-audit whose owning process is gone (crashed runs).
     * Safe to call at start while other egress-audit processes run.
     */
    public static Leftovers removeLeftovers() {
        return remove(client(), null);
    }

    /** Removes every container and network of one run, whoever owns it (shutdown hook path). */
    public static Leftovers removeRun(String runId) {
        validateRunId(runId);
        return remove(client(), runId);
    }

    /** What a leftover sweep removed, and what it could not remove (with the reason). */
    public record Leftovers(List<String> containers, List<String> networks, List<String> failures) {
        public Leftovers {
            containers = List.copyOf(containers);
            networks = List.copyOf(networks);
            failures = List.copyOf(failures);
        }

        public boolean isEmpty() {
            return containers.isEmpty() && networks.isEmpty() && failures.isEmpty();
        }
    }

    private static Leftovers remove(DockerClient docker, String runId) {
        List<String> filter = List.of(runId == null ? LABEL_RUN : LABEL_RUN + "=" + runId);
        List<String> failures = new ArrayList<>();
        List<String> containers = removeContainers(docker, filter, runId == null, failures);
        List<String> networks = new ArrayList<>();
        for (com.github.dockerjava.api.model.Network n : docker.listNetworksCmd()
                .withFilter("label", filter).exec()) {
            if (runId == null && ownerAlive(n.getLabels())) {
                continue;
            }
            try {
                docker.removeNetworkCmd(n.getId()).exec();
                networks.add(n.getName());
            } catch (NotFoundException gone) {
                // removed concurrently
            } catch (RuntimeException e) {
                failures.add("network " + n.getName() + ": " + e.getMessage());
            }
        }
        return new Leftovers(containers, networks, failures);
    }

    private static void removeContainers(DockerClient docker, List<String> filter, boolean onlyDeadOwners) {
        List<String> failures = new ArrayList<>();
        removeContainers(docker, filter, onlyDeadOwners, failures);
        if (!failures.isEmpty()) {
            throw new NetworkSetupException("cannot remove containers: " + String.join("; ", failures));
        }
    }

    private static List<String> removeContainers(DockerClient docker, List<String> filter, boolean onlyDeadOwners,
                                                 List<String> failures) {
        List<String> removed = new ArrayList<>();
        for (Container c : docker.listContainersCmd().withShowAll(true).withLabelFilter(filter).exec()) {
            if (onlyDeadOwners && ownerAlive(c.getLabels())) {
                continue;
            }
            String label = c.getNames() != null && c.getNames().length > 0 ? c.getNames()[0] : c.getId();
            try {
                docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
                removed.add(label);
            } catch (NotFoundException gone) {
                // removed concurrently
            } catch (RuntimeException e) {
                failures.add("container " + label + ": " + e.getMessage());
            }
        }
        return removed;
    }

    /** A missing or unparsable owner pid counts as dead: such an object can only be a leftover. */
    private static boolean ownerAlive(Map<String, String> labels) {
        String pid = labels == null ? null : labels.get(LABEL_OWNER_PID);
        if (pid == null) {
            return false;
        }
        try {
            long p = Long.parseLong(pid);
            if (p == ProcessHandle.current().pid()) {
                return true;
            }
            return ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Optional<com.github.dockerjava.api.model.Network.Ipam.Config> ipv4Config(
            com.github.dockerjava.api.model.Network info) {
        if (info.getIpam() == null || info.getIpam().getConfig() == null) {
            return Optional.empty();
        }
        return info.getIpam().getConfig().stream()
                .filter(c -> c.getSubnet() != null && c.getSubnet().contains(".") && c.getGateway() != null
                        && !c.getGateway().isBlank())
                .findFirst();
    }

    private static String bridgeName(com.github.dockerjava.api.model.Network info, String id) {
        Map<String, String> options = info.getOptions();
        String explicit = options == null ? null : options.get("com.docker.network.bridge.name");
        return explicit != null && !explicit.isBlank() ? explicit : "br-" + id.substring(0, 12);
    }

    private static void waitForInterface(String bridge) {
        Path sys = Path.of("/sys/class/net", bridge);
        long deadline = System.currentTimeMillis() + BRIDGE_WAIT_MILLIS;
        while (!Files.exists(sys)) {
            if (System.currentTimeMillis() > deadline) {
                throw new NetworkSetupException("bridge interface " + bridge + " did not appear on the host (is"
                        + " the Docker engine running on this machine, not remotely?)");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NetworkSetupException("interrupted while waiting for " + bridge, e);
            }
        }
    }

    private static DockerClient client() {
        return DockerClientFactory.instance().client();
    }

    /** Docker refused to create, inspect or remove the run's network or its containers. */
    public static final class NetworkSetupException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public NetworkSetupException(String message) {
            super(message);
        }

        public NetworkSetupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public String toString() {
        return "RunNetwork[" + name + ", " + bridge + ", " + subnet + " via " + gateway.getHostAddress() + "]";
    }
}
