package org.egressaudit.harness.sandbox;

import java.time.Duration;
import java.util.List;

import org.egressaudit.harness.exec.HostCommand;

/**
 * The image the Docker integration tests run: the system property {@code egress-audit.it.image} when set and
 * present locally, otherwise the project's base image {@code egress-audit/base:bookworm}, built once by
 * {@link ImageBuilder} when missing (about a minute; needs the Debian mirror). Every test shares that one build.
 */
public final class TestImages {
    public static final List<String> TOOLS = List.of("curl", "dnsutils", "netcat-openbsd", "python3");
    private static String image;

    private TestImages() {
    }

    public static synchronized String sandboxImage() {
        if (image != null) {
            return image;
        }
        String fixed = System.getProperty("egress-audit.it.image");
        if (fixed != null
                && HostCommand.of("docker", "image", "inspect", fixed).timeout(Duration.ofSeconds(30)).run().succeeded()) {
            image = fixed;
        } else {
            image = new org.egressaudit.harness.run.Images(new ImageBuilder().log(System.err))
                    .ensureBase(new java.io.PrintWriter(System.err, true));
        }
        return image;
    }

    /** Lines of a host command's stdout, for checking Docker and iptables state. */
    public static List<String> lines(String... command) {
        String out = HostCommand.of(command[0], java.util.Arrays.copyOfRange(command, 1, command.length))
                .timeout(Duration.ofSeconds(60)).runChecked().stdoutText();
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    /** Every iptables/ip6tables rule line that carries the comment of {@code runId}. */
    public static List<String> rulesOf(String runId) {
        String tag = "egress-audit:" + runId;
        List<String> all = new java.util.ArrayList<>();
        for (String[] c : new String[][]{{"iptables", "-t", "nat", "-S"}, {"iptables", "-t", "filter", "-S"},
                {"ip6tables", "-t", "filter", "-S"}}) {
            for (String l : lines(c)) {
                // iptables -S quotes comments
                if (l.contains("\"" + tag + "\"") || l.contains(tag + " ") || l.endsWith(tag)) {
                    all.add(c[0] + " " + c[2] + " " + l);
                }
            }
        }
        return all;
    }
}
