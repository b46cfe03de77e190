package org.egressaudit.harness.containment;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.egressaudit.harness.exec.HostProcess;

/**
 * Watches the kernel's connection tracking for the whole run: every connection the sandbox opens gets a conntrack
 * entry, and that entry's reply direction says who answers. Redirected to the harness, the reply comes from the
 * run's gateway; a connection that was routed out (a missing rule, a network with a route, a masquerade) has a
 * reply from the address dialled. Conntrack confirms an entry only when its first packet has passed the firewall
 * (a packet dropped in FORWARD never shows up), so every NEW event from the sandbox whose reply source is not the
 * gateway is traffic that really left: independent of where the capture sits, and of NAT.
 */
public final class ConntrackWatch implements AutoCloseable {
    static final long MAX_LOG_BYTES = 64L << 20;
    private static final Pattern TUPLE = Pattern.compile("src=(\\S+) dst=(\\S+)");
    private static final Pattern PROTO = Pattern.compile("^\\s*(?:\\[\\d+\\.\\d+\\]\\s*)?\\[NEW\\]\\s+(\\S+)");

    private final HostProcess process;
    private final Path log;
    private final Subnet subnet;
    private final String gateway;
    private final List<String> escapes = new ArrayList<>();
    private long offset;
    private String partial = "";

    private ConntrackWatch(HostProcess process, Path log, Subnet subnet, String gateway) {
        this.process = process;
        this.log = log;
        this.subnet = subnet;
        this.gateway = gateway;
    }

    /**
     * Starts {@code conntrack -E -e NEW} into {@code log}.
     *
     * @param subnet  the run's IPv4 subnet in CIDR notation (the sandbox's addresses)
     * @param gateway the run's gateway (the harness)
     */
    public static ConntrackWatch start(Path log, String subnet, String gateway) {
        HostProcess p = HostProcess.start(List.of("conntrack", "-E", "-e", "NEW", "-o", "timestamp"), log,
                MAX_LOG_BYTES);
        return new ConntrackWatch(p, log, Subnet.parse(subnet), gateway);
    }

    /** True while conntrack runs (it exits at once when the tool or the kernel's event support is missing). */
    public boolean running() {
        return process.alive();
    }

    /** Connections from the sandbox answered by someone other than the harness, so far (reads new log lines). */
    public synchronized List<String> escapes() {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long length = f.length();
            if (length > offset) {
                byte[] b = new byte[(int) Math.min(length - offset, 8L << 20)];
                f.seek(offset);
                f.readFully(b);
                offset += b.length;
                String text = partial + new String(b, StandardCharsets.UTF_8);
                int end = text.lastIndexOf('\n');
                partial = end < 0 ? text : text.substring(end + 1);
                if (end >= 0) {
                    for (String line : text.substring(0, end).split("\n")) {
                        escape(line, subnet, gateway).ifPresent(e -> {
                            if (escapes.size() < 1000) {
                                escapes.add(e);
                            }
                        });
                    }
                }
            }
        } catch (IOException e) {
            // the log is written by conntrack; an unreadable log is reported by close()
        }
        return List.copyOf(escapes);
    }

    /** The escape one event line describes, if it is one: originated in the subnet, answered from elsewhere. */
    static java.util.Optional<String> escape(String line, Subnet subnet, String gateway) {
        Matcher proto = PROTO.matcher(line);
        if (!proto.find()) {
            return java.util.Optional.empty();
        }
        Matcher t = TUPLE.matcher(line);
        if (!t.find()) {
            return java.util.Optional.empty();
        }
        String origSrc = t.group(1);
        String origDst = t.group(2);
        if (!t.find()) {
            return java.util.Optional.empty();
        }
        String replySrc = t.group(1);
        if (!subnet.contains(origSrc) || replySrc.equals(gateway) || subnet.contains(origDst)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(proto.group(1) + " " + origSrc + " -> " + origDst + " left towards " + replySrc
                + " (its replies would come from there, not from the harness): " + line.strip());
    }

    @Override
    public synchronized void close() {
        escapes();
        process.close();
    }

    /** An IPv4 CIDR block. */
    record Subnet(int network, int mask) {
        static Subnet parse(String cidr) {
            String[] p = cidr.split("/", 2);
            int bits = p.length == 2 ? Integer.parseInt(p[1]) : 32;
            if (bits < 0 || bits > 32) {
                throw new IllegalArgumentException("bad prefix length in " + cidr);
            }
            int mask = bits == 0 ? 0 : -1 << (32 - bits);
            return new Subnet(toInt(p[0]) & mask, mask);
        }

        boolean contains(String address) {
            if (address.indexOf(':') >= 0) {
                return false;
            }
            try {
                return (toInt(address) & mask) == network;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }

        private static int toInt(String dotted) {
            try {
                byte[] b = InetAddress.getByName(dotted).getAddress();
                if (b.length != 4 || !dotted.matches("[0-9.]+")) {
                    throw new IllegalArgumentException("not an IPv4 address: " + dotted);
                }
                return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IPv4 address: " + dotted, e);
            }
        }
    }
}
