package org.egressaudit.harness.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The evidence bundle of one run: everything a reviewer needs to check the verdict without re-running.
 * Layout: scenario.yaml (as given), capture.pcap, agent.log, commands.log, services.jsonl, corpus/ (the planted
 * files as the analysis saw them, at their sandbox paths), report.json, summary.txt, run.json, policy.yaml (the effective policy), tls-ca.pem and
 * tls-ca-key.pem (the run's interception CA), tls-keys.log (NSS key log of the intercepted TLS sessions).
 */
public record RunFolder(String runId, Path dir) {

    /** Creates {@code parent/<yyyyMMdd-HHmmss>-<scenario>-<random>}. */
    public static RunFolder create(Path parent, String scenarioName) throws IOException {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String random = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        // The id labels Docker resources and iptables comments: keep it short and plain.
        String runId = "ea" + random + stamp.substring(9);
        Path dir = parent.resolve(stamp + "-" + scenarioName + "-" + random);
        Files.createDirectories(dir);
        return new RunFolder(runId, dir);
    }

    public Path capture() {
        return dir.resolve("capture.pcap");
    }

    public Path agentLog() {
        return dir.resolve("agent.log");
    }

    public Path commandsLog() {
        return dir.resolve("commands.log");
    }

    public Path servicesLog() {
        return dir.resolve("services.jsonl");
    }

    public Path corpus() {
        return dir.resolve("corpus");
    }

    public Path report() {
        return dir.resolve("report.json");
    }

    public Path summary() {
        return dir.resolve("summary.txt");
    }

    public Path metadata() {
        return dir.resolve("run.json");
    }

    /** strace log of the files the agent opened (file-activity audit). */
    public Path fileTrace() {
        return dir.resolve("files.trace");
    }

    /** NSS key log of the TLS sessions the harness terminated (decrypts the capture offline). */
    public Path tlsKeyLog() {
        return dir.resolve(org.egressaudit.harness.tls.TlsKeyLog.FILE_NAME);
    }

    /** The effective policy of the run (see {@link RunPolicy}). */
    public Path policy() {
        return dir.resolve(RunPolicy.FILE_NAME);
    }

    public Path scenarioCopy() {
        return dir.resolve("scenario.yaml");
    }
}
