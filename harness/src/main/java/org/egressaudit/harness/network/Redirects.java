package org.egressaudit.harness.network;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.exec.HostCommandException;
import org.egressaudit.harness.exec.HostCommandResult;

/**
 * iptables rules that keep one run's bridge from reaching anything but the harness services:
 * <ul>
 * <li>nat PREROUTING: DNS (udp+tcp/53) to the DNS port, every other TCP connection to the catch-all port, every
 * other UDP datagram to the UDP sink port, whatever address the agent dialled;</li>
 * <li>filter INPUT: from the bridge only those ports (and ICMP errors about our own connections) reach the host;</li>
 * <li>filter FORWARD: nothing from the bridge is routed anywhere (Docker's internal network already drops it;
 * this holds even if that changes);</li>
 * <li>IPv6: everything from the bridge is dropped, so nothing leaves over v6 link-local or otherwise.</li>
 * </ul>
 * Each rule carries the comment {@code egress-audit:<runId>}; {@link #close()} deletes exactly the rules this
 * instance added, and {@link #removeLeftovers()} / {@link #removeRun(String)} find stray ones by that comment.
 */
public final class Redirects implements AutoCloseable {
    public static final String COMMENT_PREFIX = "egress-audit:";
    private static final Duration IPTABLES_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    /** Host ports of the harness services the redirected traffic lands on. */
    public record Ports(int dns, int tcp, int udp) {
        public Ports {
            check("dns", dns);
            check("tcp", tcp);
            check("udp", udp);
        }

        private static void check(String what, int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(what + " port out of range 1-65535: " + port);
            }
        }
    }

    /** One rule: which binary, table, chain and match/target specification. */
    public record Rule(String binary, String table, String chain, List<String> spec) {
        public Rule {
            spec = List.copyOf(spec);
        }

        @Override
        public String toString() {
            return binary + " -t " + table + " -A " + chain + " " + String.join(" ", spec);
        }
    }

    /** iptables is missing, not usable (no root), or refused a rule. */
    public static final class RedirectException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RedirectException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String runId;
    private final String bridge;
    private final List<Rule> installed;
    private boolean closed;

    private Redirects(String runId, String bridge, List<Rule> installed) {
        this.runId = runId;
        this.bridge = bridge;
        this.installed = installed;
    }

    /**
     * Installs the rules for {@code bridge}. On failure nothing stays behind.
     *
     * @throws RedirectException naming the missing tool, the missing privilege or the refused rule
     */
    public static Redirects install(String runId, String bridge, Ports ports) {
        RunNetwork.validateRunId(runId);
        Objects.requireNonNull(ports, "ports");
        if (bridge == null || !INTERFACE.matcher(bridge).matches()) {
            throw new IllegalArgumentException("bad interface name '" + bridge + "'");
        }
        probe("iptables");
        boolean ipv6 = ipv6Enabled();
        if (ipv6) {
            probe("ip6tables");
        }
        List<Rule> rules = rulesFor(runId, bridge, ports, ipv6);
        List<Rule> done = new ArrayList<>();
        try {
            // Each rule is inserted at the top of its chain, last rule first, so the run's rules end up in order
            // ahead of Docker's. Inserting at computed positions instead breaks when another run (another
            // bridge) inserts at the same time: its rules would shift ours and put our catch-all before our DNS rule.
            List<Rule> reversed = new ArrayList<>(rules);
            java.util.Collections.reverse(reversed);
            for (Rule r : reversed) {
                List<String> argv = new ArrayList<>(List.of(r.binary(), "-w", "10", "-t", r.table(), "-I",
                        r.chain(), "1"));
                argv.addAll(r.spec());
                run(argv);
                done.add(0, r);
            }
        } catch (RuntimeException e) {
            List<String> failures = delete(done);
            RedirectException ex = new RedirectException("cannot install redirect rules for " + bridge + ": "
                    + e.getMessage() + (failures.isEmpty() ? "" : "; rollback failed: " + failures), e);
            throw ex;
        }
        return new Redirects(runId, bridge, done);
    }

    /** The rules this instance added, in installation order. */
    public List<Rule> rules() {
        return Collections.unmodifiableList(installed);
    }

    public String bridge() {
        return bridge;
    }

    public String runId() {
        return runId;
    }

    /**
     * Deletes exactly the added rules; rules already gone are fine. Idempotent.
     *
     * @throws RedirectException when a rule that still exists could not be deleted
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> failures = delete(installed);
        if (!failures.isEmpty()) {
            throw new RedirectException("cannot remove redirect rules for " + bridge + ": "
                    + String.join("; ", failures), null);
        }
    }

    /** Removes egress-audit rules whose bridge interface no longer exists (runs that crashed). Returns how many. */
    public static int removeLeftovers() {
        return removeMatching(line -> {
            String iface = interfaceOf(line);
            return iface != null && !Files.exists(Path.of("/sys/class/net", iface));
        });
    }

    /** Removes every rule of one run, whatever instance added it (shutdown hook path). Returns how many. */
    public static int removeRun(String runId) {
        RunNetwork.validateRunId(runId);
        String comment = COMMENT_PREFIX + runId;
        return removeMatching(tokens -> tokens.contains(comment));
    }

    static List<Rule> rulesFor(String runId, String br, Ports p, boolean ipv6) {
        List<String> tag = List.of("-m", "comment", "--comment", COMMENT_PREFIX + runId);
        List<Rule> r = new ArrayList<>();
        r.add(rule("iptables", "nat", "PREROUTING", tag, "-i", br, "-p", "udp", "--dport", "53",
                "-j", "REDIRECT", "--to-ports", Integer.toString(p.dns())));
        r.add(rule("iptables", "nat", "PREROUTING", tag, "-i", br, "-p", "tcp", "--dport", "53",
                "-j", "REDIRECT", "--to-ports", Integer.toString(p.dns())));
        r.add(rule("iptables", "nat", "PREROUTING", tag, "-i", br, "-p", "tcp",
                "-j", "REDIRECT", "--to-ports", Integer.toString(p.tcp())));
        r.add(rule("iptables", "nat", "PREROUTING", tag, "-i", br, "-p", "udp",
                "-j", "REDIRECT", "--to-ports", Integer.toString(p.udp())));
        r.add(rule("iptables", "filter", "INPUT", tag, "-i", br, "-p", "udp", "--dport",
                Integer.toString(p.dns()), "-j", "ACCEPT"));
        r.add(rule("iptables", "filter", "INPUT", tag, "-i", br, "-p", "tcp", "--dport",
                Integer.toString(p.dns()), "-j", "ACCEPT"));
        r.add(rule("iptables", "filter", "INPUT", tag, "-i", br, "-p", "tcp", "--dport",
                Integer.toString(p.tcp()), "-j", "ACCEPT"));
        r.add(rule("iptables", "filter", "INPUT", tag, "-i", br, "-p", "udp", "--dport",
                Integer.toString(p.udp()), "-j", "ACCEPT"));
        // ICMP errors (need-to-fragment, unreachable) about connections to our services; no pings to the host
        r.add(rule("iptables", "filter", "INPUT", tag, "-i", br, "-p", "icmp", "-m", "conntrack",
                "--ctstate", "RELATED", "-j", "ACCEPT"));
        r.add(rule("iptables", "filter", "INPUT", tag, "-i", br, "-j", "DROP"));
        r.add(rule("iptables", "filter", "FORWARD", tag, "-i", br, "!", "-o", br, "-j", "DROP"));
        if (ipv6) {
            r.add(rule("ip6tables", "filter", "INPUT", tag, "-i", br, "-j", "DROP"));
            r.add(rule("ip6tables", "filter", "FORWARD", tag, "-i", br, "-j", "DROP"));
        }
        return r;
    }

    private static Rule rule(String binary, String table, String chain, List<String> tag, String... spec) {
        List<String> all = new ArrayList<>(List.of(spec));
        // the comment goes before the target so the rule reads like iptables -S prints it
        int j = all.indexOf("-j");
        all.addAll(j, tag);
        return new Rule(binary, table, chain, all);
    }

    private static List<String> delete(List<Rule> rules) {
        List<String> failures = new ArrayList<>();
        for (int i = rules.size() - 1; i >= 0; i--) {
            Rule r = rules.get(i);
            List<String> argv = new ArrayList<>(List.of(r.binary(), "-w", "10", "-t", r.table(), "-D", r.chain()));
            argv.addAll(r.spec());
            try {
                HostCommandResult res = HostCommand.of(argv).timeout(IPTABLES_TIMEOUT).run();
                if (!res.succeeded() && !ruleMissing(res)) {
                    failures.add(r + ": " + res.outputTail(300));
                }
            } catch (HostCommandException e) {
                failures.add(r + ": " + e.getMessage());
            }
        }
        return failures;
    }

    /** iptables -D on a rule that is not there: "Bad rule (does a matching rule exist in that chain?)". */
    private static boolean ruleMissing(HostCommandResult r) {
        String err = r.stderrText();
        return r.exitCode() == 1 && (err.contains("does a matching rule exist") || err.contains("No chain/target/match"));
    }

    private static int removeMatching(Predicate<List<String>> select) {
        int removed = 0;
        List<String> failures = new ArrayList<>();
        for (String[] bt : new String[][]{{"iptables", "nat"}, {"iptables", "filter"}, {"ip6tables", "filter"}}) {
            if (bt[0].equals("ip6tables") && !ipv6Enabled()) {
                continue;
            }
            HostCommandResult listing = run(List.of(bt[0], "-w", "10", "-t", bt[1], "-S"));
            for (String line : listing.stdoutText().split("\n")) {
                List<String> tokens = tokenize(line);
                if (tokens.size() < 3 || !tokens.get(0).equals("-A") || !isOurs(tokens) || !select.test(tokens)) {
                    continue;
                }
                List<String> argv = new ArrayList<>(List.of(bt[0], "-w", "10", "-t", bt[1], "-D"));
                argv.addAll(tokens.subList(1, tokens.size()));
                HostCommandResult res = HostCommand.of(argv).timeout(IPTABLES_TIMEOUT).run();
                if (res.succeeded()) {
                    removed++;
                } else if (!ruleMissing(res)) {
                    failures.add(line + ": " + res.outputTail(300));
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new RedirectException("cannot remove leftover rules: " + String.join("; ", failures), null);
        }
        return removed;
    }

    private static boolean isOurs(List<String> tokens) {
        for (int i = 0; i + 1 < tokens.size(); i++) {
            if (tokens.get(i).equals("--comment") && tokens.get(i + 1).startsWith(COMMENT_PREFIX)) {
                return true;
            }
        }
        return false;
    }

    private static String interfaceOf(List<String> tokens) {
        int i = tokens.indexOf("-i");
        return i >= 0 && i + 1 < tokens.size() ? tokens.get(i + 1) : null;
    }

    /** Splits an {@code iptables -S} line; double-quoted words (comments with spaces) stay one token. */
    static List<String> tokenize(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < line.length()) {
                    cur.append(line.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                any = true;
            } else if (Character.isWhitespace(c)) {
                if (any) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (any) {
            out.add(cur.toString());
        }
        return out;
    }

    private static void probe(String binary) {
        try {
            HostCommandResult r = HostCommand.of(binary, "-w", "10", "-t", "nat", "-S", "PREROUTING")
                    .timeout(IPTABLES_TIMEOUT).run();
            if (!r.succeeded()) {
                String err = r.outputTail(300);
                String hint = err.contains("Permission denied") || err.contains("you must be root")
                        ? " (run egress-audit as root: iptables needs CAP_NET_ADMIN)"
                        : err.contains("Table does not exist") || err.contains("can't initialize")
                        ? " (the kernel lacks netfilter NAT support: modprobe iptable_nat / nf_nat)" : "";
                throw new RedirectException("`" + binary + "` is not usable" + hint + ": " + err, null);
            }
        } catch (HostCommandException e) {
            throw new RedirectException("`" + binary + "` is not available (install it: apt-get install -y iptables): "
                    + e.getMessage(), e);
        }
    }

    private static boolean ipv6Enabled() {
        return Files.exists(Path.of("/proc/net/if_inet6"));
    }

    private static HostCommandResult run(List<String> argv) {
        try {
            return HostCommand.of(argv).timeout(IPTABLES_TIMEOUT).runChecked();
        } catch (HostCommandException e) {
            throw new RedirectException(e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "Redirects[" + bridge + ", " + installed.size() + " rules, run " + runId + "]";
    }
}
