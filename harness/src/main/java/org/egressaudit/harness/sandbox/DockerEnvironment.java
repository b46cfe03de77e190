package org.egressaudit.harness.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.exec.HostCommandException;
import org.egressaudit.harness.exec.HostCommandResult;
import org.pcap4j.core.Pcaps;
import org.testcontainers.DockerClientFactory;

/**
 * Checks what a sandboxed run needs from this machine, each missing piece with the exact command that fixes it:
 * root (iptables and live capture), a Docker engine answering with a recent enough API (docker CLI for image
 * import, Testcontainers' client for containers), libpcap, iptables, and Testcontainers' offline settings.
 */
public final class DockerEnvironment {
    /** Oldest Docker API the harness is tested against (Docker 20.10). */
    public static final String MIN_API_VERSION = "1.41";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);

    /** One missing prerequisite and how to fix it. */
    public record Problem(String what, String fix) {
        @Override
        public String toString() {
            return what + " -> " + fix;
        }
    }

    /** Result of {@link #diagnose()}. Versions are empty when they could not be determined. */
    public record Diagnosis(boolean root, Optional<String> dockerServerVersion, Optional<String> dockerApiVersion,
                            Optional<String> libpcapVersion, List<Problem> problems) {
        public Diagnosis {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }

        /** Multi-line text for the console. */
        public String report() {
            StringBuilder sb = new StringBuilder();
            sb.append("root: ").append(root ? "yes" : "no").append('\n');
            sb.append("docker engine: ").append(dockerServerVersion.orElse("not reachable"))
                    .append(dockerApiVersion.map(v -> " (API " + v + ")").orElse("")).append('\n');
            sb.append("libpcap: ").append(libpcapVersion.orElse("not loadable")).append('\n');
            if (problems.isEmpty()) {
                sb.append("ready for sandboxed runs\n");
            } else {
                for (Problem p : problems) {
                    sb.append("PROBLEM: ").append(p.what()).append("\n  fix: ").append(p.fix()).append('\n');
                }
            }
            return sb.toString();
        }

        /**
         * @throws IllegalStateException with {@link #report()} when anything is missing
         */
        public Diagnosis requireReady() {
            if (!ok()) {
                throw new IllegalStateException("this machine is not ready for sandboxed runs:\n" + report());
            }
            return this;
        }
    }

    private DockerEnvironment() {
    }

    public static Diagnosis diagnose() {
        List<Problem> problems = new ArrayList<>();
        boolean root = isRoot();
        if (!root) {
            problems.add(new Problem("not running as root (needed for iptables redirects and live capture)",
                    "run egress-audit as root, e.g. `sudo bin/egress-audit ...`"));
        }
        Optional<String> server = Optional.empty();
        Optional<String> api = Optional.empty();
        try {
            HostCommandResult r = HostCommand.of("docker", "version", "--format",
                    "{{.Server.Version}} {{.Server.APIVersion}}").timeout(PROBE_TIMEOUT).run();
            String[] parts = r.stdoutText().strip().split(" ");
            if (r.succeeded() && parts.length == 2 && !parts[0].isEmpty()) {
                server = Optional.of(parts[0]);
                api = Optional.of(parts[1]);
                if (compareVersions(parts[1], MIN_API_VERSION) < 0) {
                    problems.add(new Problem("Docker engine API " + parts[1] + " is older than " + MIN_API_VERSION,
                            "upgrade the engine: `apt-get install -y docker.io` (Debian 12 ships 20.10)"));
                }
            } else {
                problems.add(new Problem("no Docker engine answers (`docker version`: " + r.outputTail(300) + ")",
                        "start it: `dockerd > /var/log/dockerd.log 2>&1 &` (install first if needed:"
                                + " `apt-get install -y docker.io`)"));
            }
        } catch (HostCommandException e) {
            problems.add(new Problem("the docker command line is not installed (needed to import images)",
                    "`apt-get install -y docker.io && (dockerd > /var/log/dockerd.log 2>&1 &)`"));
        }
        TestcontainersSettings.apply();
        if (server.isPresent() && TestcontainersSettings.problems().isEmpty()) {
            try {
                if (!DockerClientFactory.instance().isDockerAvailable()) {
                    problems.add(new Problem("Testcontainers cannot reach the Docker engine that the docker CLI uses",
                            "point both at the same socket: `export DOCKER_HOST=unix:///var/run/docker.sock`"));
                }
            } catch (RuntimeException | LinkageError e) {
                problems.add(new Problem("Testcontainers failed to connect to Docker: " + e.getMessage(),
                        "`export DOCKER_HOST=unix:///var/run/docker.sock` and check `docker info`"));
            }
        }
        Optional<String> pcap = Optional.empty();
        try {
            pcap = Optional.of(Pcaps.libVersion());
        } catch (RuntimeException | LinkageError e) {
            problems.add(new Problem("libpcap cannot be loaded (" + e.getMessage() + ")",
                    "`apt-get install -y libpcap0.8`"));
        }
        try {
            HostCommandResult r = HostCommand.of("iptables", "-w", "10", "-t", "nat", "-S", "PREROUTING")
                    .timeout(PROBE_TIMEOUT).run();
            if (!r.succeeded()) {
                problems.add(new Problem("iptables does not work (" + r.outputTail(300) + ")",
                        root ? "load NAT support: `modprobe iptable_nat`" : "run as root"));
            }
        } catch (HostCommandException e) {
            problems.add(new Problem("iptables is not installed", "`apt-get install -y iptables`"));
        }
        TestcontainersSettings.apply();
        for (String p : TestcontainersSettings.problems()) {
            String fix = p.startsWith(TestcontainersSettings.RYUK_ENV)
                    ? "`export " + TestcontainersSettings.RYUK_ENV + "=true`"
                    : p.startsWith(TestcontainersSettings.HOST_OVERRIDE_ENV)
                    ? "`export " + TestcontainersSettings.HOST_OVERRIDE_ENV + "=localhost`"
                    : "rebuild the harness jar (bin/egress-audit rebuilds it) so testcontainers.properties is included";
            problems.add(new Problem(p, fix));
        }
        return new Diagnosis(root, server, api, pcap, problems);
    }

    /** Effective uid 0; read from /proc so no extra module or process is needed. */
    public static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer i && i == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** Compares dotted numeric versions ("1.41" vs "1.9"); non-numeric parts compare as 0. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(part(x, i), part(y, i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static int part(String[] p, int i) {
        if (i >= p.length) {
            return 0;
        }
        try {
            return Integer.parseInt(p[i].replaceAll("[^0-9].*$", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
