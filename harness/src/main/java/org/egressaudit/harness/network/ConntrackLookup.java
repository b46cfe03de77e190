package org.egressaudit.harness.network;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;

/**
 * Original destination from the kernel's connection tracking table: runs
 * {@code conntrack -L -p tcp|udp -s <client> --sport <port> -o extended} and reads the original direction's
 * {@code dst=}/{@code dport=} of the entry whose reply comes from the listener's port (with REDIRECT the reply
 * direction's source port is the listener). Any failure gives null, never an exception.
 */
public final class ConntrackLookup implements OriginalDestinationLookup {
    /** conntrack's output is read up to this many bytes; the filter leaves a line or two. */
    static final int MAX_OUTPUT = 64 * 1024;
    private static final String[] SEARCH = {"/usr/sbin/conntrack", "/sbin/conntrack", "/usr/bin/conntrack",
            "/bin/conntrack"};

    private final Path executable;
    private final Duration timeout;

    public ConntrackLookup(Path executable, Duration timeout) {
        this.executable = Objects.requireNonNull(executable, "executable");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("conntrack timeout must be positive, was " + timeout);
        }
    }

    /** A lookup using the installed conntrack, if there is one (PATH, then the usual sbin directories). */
    public static Optional<ConntrackLookup> ifAvailable(Duration timeout) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    Path p = Path.of(dir, "conntrack");
                    if (Files.isExecutable(p)) {
                        return Optional.of(new ConntrackLookup(p, timeout));
                    }
                }
            }
        }
        for (String s : SEARCH) {
            if (Files.isExecutable(Path.of(s))) {
                return Optional.of(new ConntrackLookup(Path.of(s), timeout));
            }
        }
        return Optional.empty();
    }

    @Override
    public InetSocketAddress lookup(Protocol protocol, InetSocketAddress client, int listenerPort) {
        try {
            if (client == null || client.getAddress() == null) {
                return null;
            }
            CommandLine cmd = new CommandLine(executable.toFile());
            cmd.addArgument("-L");
            if (client.getAddress() instanceof Inet6Address) {
                cmd.addArgument("-f").addArgument("ipv6");
            }
            cmd.addArgument("-p").addArgument(protocol == Protocol.TCP ? "tcp" : "udp");
            cmd.addArgument("-s").addArgument(client.getAddress().getHostAddress(), false);
            cmd.addArgument("--sport").addArgument(Integer.toString(client.getPort()));
            cmd.addArgument("-o").addArgument("extended");
            BoundedOutput out = new BoundedOutput(MAX_OUTPUT);
            DefaultExecutor exec = DefaultExecutor.builder()
                    .setExecuteStreamHandler(new PumpStreamHandler(out, OutputStream.nullOutputStream())).get();
            exec.setWatchdog(ExecuteWatchdog.builder().setTimeout(timeout).get());
            exec.setExitValues(null); // "0 flow entries" is not an error worth an exception; parse decides
            int exit = exec.execute(cmd);
            if (exit != 0) {
                return null;
            }
            return parse(out.toString(), listenerPort);
        } catch (Exception | Error e) {
            return null;
        }
    }

    /**
     * The original destination in conntrack {@code -o extended} output: the first entry whose reply-direction
     * source port is {@code listenerPort}. Null when there is none.
     */
    static InetSocketAddress parse(String output, int listenerPort) {
        for (String line : output.split("\n")) {
            Map<String, String> original = new HashMap<>();
            Map<String, String> reply = new HashMap<>();
            for (String token : line.trim().split("\\s+")) {
                int eq = token.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String key = token.substring(0, eq);
                if (!key.equals("src") && !key.equals("dst") && !key.equals("sport") && !key.equals("dport")) {
                    continue;
                }
                // each key appears once per direction: original first, then reply
                (original.containsKey(key) ? reply : original).putIfAbsent(key, token.substring(eq + 1));
            }
            if (original.containsKey("dst") && original.containsKey("dport")
                    && Integer.toString(listenerPort).equals(reply.get("sport"))) {
                InetSocketAddress a = address(original.get("dst"), original.get("dport"));
                if (a != null) {
                    return a;
                }
            }
        }
        return null;
    }

    private static InetSocketAddress address(String ip, String port) {
        // only literals: InetAddress.getByName must never turn into a DNS lookup
        boolean v4 = ip.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = ip.indexOf(':') >= 0 && ip.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        if (!v4 && !v6) {
            return null;
        }
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65_535) {
                return null;
            }
            return new InetSocketAddress(InetAddress.getByName(ip), p);
        } catch (Exception e) {
            return null;
        }
    }

    /** Keeps at most {@code limit} bytes and discards the rest, so a huge table cannot fill the heap. */
    private static final class BoundedOutput extends ByteArrayOutputStream {
        private final int limit;

        BoundedOutput(int limit) {
            this.limit = limit;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, Math.max(0, Math.min(len, limit - count)));
        }

        @Override
        public synchronized void write(int b) {
            if (count < limit) {
                super.write(b);
            }
        }

        @Override
        public synchronized String toString() {
            return toString(StandardCharsets.UTF_8);
        }
    }
}
