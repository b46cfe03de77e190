package org.egressaudit.harness.attribution;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the network and process calls of an {@code strace -f -ttt -qq -yy -e trace=...,execve,connect,sendto,
 * sendmsg,sendmmsg[,clone,clone3,fork,vfork]} log (the file-open audit's log: open calls are skipped here).
 *
 * <p>With {@code -yy} strace prints a socket fd with its addresses as they are when the call starts:
 * {@code 5<TCP:[172.18.0.2:45678->172.18.0.1:80]>}, {@code 7<UDP:[0.0.0.0:47036]>} (bound, unconnected),
 * {@code 6<TCPv6:[[::1]:40302->[::1]:8081]>}, or only the inode {@code 5<TCP:[3035621]>} for a socket not yet bound
 * (a first {@code connect}, or a first {@code sendto} on a fresh UDP socket). The destination of connect, sendto,
 * sendmsg ({@code msg_name}) and sendmmsg is the sockaddr argument. Calls strace split because threads interleave
 * ({@code <unfinished ...>} / {@code <... connect resumed>}) are joined, timed at their start.
 *
 * <p>Repeated calls on one socket are folded into one {@link SocketEvent} (first and last time, call count), so a
 * long upload is one record, not thousands. The agent writes the process behaviour strace records, so lines that do
 * not parse are counted and skipped, and everything is bounded.
 */
public final class StraceNetworkParser {
    public static final int MAX_SOCKET_EVENTS = 100_000;
    public static final int MAX_EXECS = 50_000;
    public static final int MAX_CLONES = 100_000;
    static final int MAX_ARGS = 256;
    private static final int MAX_LINE = 64 * 1024;
    private static final int MAX_UNFINISHED = 10_000;
    private static final int MAX_DESTINATIONS = 64;

    private static final Pattern LINE = Pattern.compile("^(\\d{1,9})\\s+(\\d{1,12})\\.(\\d{1,9})\\s+(.*)$");
    private static final Pattern CALL = Pattern.compile("^([a-z0-9_]{1,32})\\((.*)$");
    private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. ([a-z0-9_]{1,32}) resumed>(.*)$");
    private static final Pattern RESULT = Pattern.compile("^(.*)\\)\\s+=\\s+(-?\\d+|\\?)(?:\\s+(E[A-Z0-9]+))?.*$");
    private static final Pattern SOCKET_FD = Pattern.compile("^(\\d{1,9})<([A-Za-z0-9-]{1,32}):\\[(.*?)\\]>");
    private static final Pattern INET = Pattern.compile(
            "sa_family=AF_INET, sin_port=htons\\((\\d{1,5})\\), sin_addr=inet_addr\\(\"([0-9.]{7,15})\"\\)");
    private static final Pattern INET6 = Pattern.compile(
            "sa_family=AF_INET6, sin6_port=htons\\((\\d{1,5})\\), [^{}]{0,200}?inet_pton\\(AF_INET6, "
                    + "\"([0-9A-Fa-f:.]{2,45})\"");
    private static final Pattern CLONE_CHILD = Pattern.compile("\\)\\s+=\\s+(\\d+)\\s*$");
    private static final Set<String> NETWORK = Set.of("connect", "sendto", "sendmsg", "sendmmsg");
    private static final Set<String> EXEC = Set.of("execve", "execveat");
    private static final Set<String> CLONE = Set.of("clone", "clone3", "fork", "vfork");

    /**
     * Calls one process (thread) made on one socket, folded.
     *
     * @param pid        thread id as strace printed it (inside the sandbox); the process's pid for single-threaded ones
     * @param fd         the socket's descriptor number
     * @param transport  "tcp", "udp", or null when strace could not say (it printed {@code socket:[inode]})
     * @param inode      the socket inode when strace printed only that, else -1
     * @param local      local address as printed (0.0.0.0 for a socket bound to any address), null when not yet bound
     * @param remote     peer, from the fd (connected socket) or the call's sockaddr; null when neither says
     * @param syscall    the first call
     * @param errno      the first call's error ("EINPROGRESS"...), null when it succeeded
     * @param calls      how many calls were folded into this record
     */
    public record SocketEvent(int pid, int fd, String transport, long inode, Endpoint local, Endpoint remote,
                              String syscall, long firstNanos, long lastNanos, String errno, int calls) {
    }

    /** A successful execve: from {@code timeNanos} on, {@code pid} runs {@code path} with {@code argv}. */
    public record ExecEvent(int pid, long timeNanos, String path, List<String> argv, boolean argvTruncated) {
        public ExecEvent {
            argv = List.copyOf(argv);
        }
    }

    /** A clone/fork: {@code child} is a thread of {@code parent}'s process when {@code thread}, else a new process. */
    public record CloneEvent(int parent, long timeNanos, int child, boolean thread) {
    }

    /** What was read from one trace. */
    public record Trace(List<SocketEvent> sockets, List<ExecEvent> execs, List<CloneEvent> clones, long oddLines,
                        boolean truncated) {
        public Trace {
            sockets = List.copyOf(sockets);
            execs = List.copyOf(execs);
            clones = List.copyOf(clones);
        }

        public static final Trace EMPTY = new Trace(List.of(), List.of(), List.of(), 0, false);
    }

    private record Key(int pid, int fd, String transport, long inode, Endpoint local, Endpoint remote) {
    }

    private record Pending(String name, long nanos, String args) {
    }

    private final Map<Key, SocketEvent> sockets = new LinkedHashMap<>();
    private final List<ExecEvent> execs = new ArrayList<>();
    private final List<CloneEvent> clones = new ArrayList<>();
    private final Map<Integer, Pending> unfinished = new HashMap<>();
    private long odd;
    private boolean truncated;

    private StraceNetworkParser() {
    }

    /** Reads a trace file. A missing file is an {@link IOException}; its content never throws. */
    public static Trace parse(Path file) throws IOException {
        StraceNetworkParser p = new StraceNetworkParser();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            String line;
            while ((line = r.readLine()) != null) {
                p.line(line);
            }
        }
        return p.trace();
    }

    /** Reads trace lines already in memory (tests, or a trace read elsewhere). */
    public static Trace parse(List<String> lines) {
        StraceNetworkParser p = new StraceNetworkParser();
        lines.forEach(p::line);
        return p.trace();
    }

    private Trace trace() {
        return new Trace(new ArrayList<>(sockets.values()), execs, clones, odd + unfinished.size(), truncated);
    }

    private void line(String line) {
        if (line.isEmpty()) {
            return;
        }
        if (line.length() > MAX_LINE) {
            odd++;
            return;
        }
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            odd++;
            return;
        }
        int pid = Integer.parseInt(m.group(1));
        long nanos = Long.parseLong(m.group(2)) * 1_000_000_000L
                + Long.parseLong((m.group(3) + "000000000").substring(0, 9));
        String body = m.group(4);
        if (body.startsWith("---") || body.startsWith("+++")) {
            return; // signals and exits
        }
        Matcher call = CALL.matcher(body);
        String name;
        String args;
        if (call.matches()) {
            name = call.group(1);
            args = call.group(2);
            if (args.endsWith("<unfinished ...>")) {
                if (interesting(name) && unfinished.size() < MAX_UNFINISHED) {
                    unfinished.put(pid, new Pending(name, nanos, args.substring(0, args.length() - 16)));
                }
                return;
            }
        } else {
            Matcher res = RESUMED.matcher(body);
            if (!res.matches()) {
                odd++;
                return;
            }
            name = res.group(1);
            if (!interesting(name)) {
                return;
            }
            Pending start = unfinished.remove(pid);
            if (start == null || !start.name().equals(name)) {
                odd++;
                return;
            }
            nanos = start.nanos();
            args = start.args() + res.group(2);
        }
        try {
            if (NETWORK.contains(name)) {
                network(pid, nanos, name, args);
            } else if (EXEC.contains(name)) {
                exec(pid, nanos, name, args);
            } else if (CLONE.contains(name)) {
                clone(pid, nanos, name, args);
            }
        } catch (RuntimeException e) {
            odd++; // an address or number that does not parse: the line is odd, the trace goes on
        }
    }

    private static boolean interesting(String name) {
        return NETWORK.contains(name) || EXEC.contains(name) || CLONE.contains(name);
    }

    private void network(int pid, long nanos, String name, String args) {
        Matcher result = RESULT.matcher(args);
        if (!result.matches()) {
            odd++;
            return;
        }
        String errno = result.group(2).startsWith("-") ? Objects.requireNonNullElse(result.group(3), "error") : null;
        Matcher fdm = SOCKET_FD.matcher(args);
        if (!fdm.find()) {
            return; // a non-socket fd strace could not annotate: nothing to attribute
        }
        int fd = Integer.parseInt(fdm.group(1));
        String kind = fdm.group(2);
        String transport = kind.startsWith("TCP") ? "tcp"
                : kind.startsWith("UDP") && !kind.startsWith("UDPLITE") ? "udp"
                : kind.equals("socket") ? null : "-";
        if ("-".equals(transport)) {
            return; // unix, netlink, raw...: no IP flow to attribute
        }
        String inner = fdm.group(3);
        long inode = -1;
        Endpoint local = null;
        Endpoint fdRemote = null;
        if (inner.chars().allMatch(Character::isDigit) && !inner.isEmpty()) {
            inode = Long.parseLong(inner);
        } else {
            int arrow = inner.indexOf("->");
            local = Endpoint.parse(arrow < 0 ? inner : inner.substring(0, arrow));
            fdRemote = arrow < 0 ? null : Endpoint.parse(inner.substring(arrow + 2));
        }
        Set<Endpoint> destinations = destinations(result.group(1).substring(fdm.end()));
        if (destinations.isEmpty()) {
            destinations = new LinkedHashSet<>();
            destinations.add(fdRemote); // may be null: an unconnected send strace could not decode
        }
        for (Endpoint remote : destinations) {
            Key key = new Key(pid, fd, transport, local == null ? inode : -1, local, remote);
            SocketEvent known = sockets.get(key);
            if (known != null) {
                sockets.put(key, new SocketEvent(pid, fd, transport, known.inode(), local, remote, known.syscall(),
                        known.firstNanos(), Math.max(known.lastNanos(), nanos), known.errno(),
                        known.calls() == Integer.MAX_VALUE ? known.calls() : known.calls() + 1));
            } else if (sockets.size() >= MAX_SOCKET_EVENTS) {
                truncated = true;
            } else {
                sockets.put(key, new SocketEvent(pid, fd, transport, inode, local, remote, name, nanos, nanos, errno,
                        1));
            }
        }
    }

    /** Every IPv4/IPv6 sockaddr in the arguments (strace escapes quotes inside data, so data cannot fake one). */
    private static Set<Endpoint> destinations(String args) {
        Set<Endpoint> out = new LinkedHashSet<>();
        Matcher v4 = INET.matcher(args);
        while (v4.find() && out.size() < MAX_DESTINATIONS) {
            out.add(Endpoint.of(v4.group(2), Integer.parseInt(v4.group(1))));
        }
        Matcher v6 = INET6.matcher(args);
        while (v6.find() && out.size() < MAX_DESTINATIONS) {
            out.add(Endpoint.of(v6.group(2), Integer.parseInt(v6.group(1))));
        }
        return out;
    }

    private void exec(int pid, long nanos, String name, String args) {
        Matcher result = RESULT.matcher(args);
        if (!result.matches()) {
            odd++;
            return;
        }
        if (!result.group(2).equals("0")) {
            return; // failed exec: the process still runs its old program
        }
        Scanner s = new Scanner(result.group(1));
        if (name.equals("execveat")) {
            s.skipPast(',');
        }
        String path = s.quoted();
        if (path == null) {
            odd++;
            return;
        }
        List<String> argv = new ArrayList<>();
        boolean cut = s.truncatedString;
        if (s.skipPast('[')) {
            int chars = 0;
            while (true) {
                s.skipSeparators();
                if (s.at("...")) {
                    cut = true;
                    s.pos += 3;
                    continue;
                }
                String a = s.quoted();
                if (a == null) {
                    break;
                }
                cut |= s.truncatedString;
                if (argv.size() >= MAX_ARGS || chars + a.length() > ProcessInfo.MAX_CMDLINE) {
                    cut = true;
                    break;
                }
                chars += a.length() + 1;
                argv.add(a);
            }
        }
        if (execs.size() >= MAX_EXECS) {
            truncated = true;
            return;
        }
        execs.add(new ExecEvent(pid, nanos, path, argv, cut));
    }

    private void clone(int pid, long nanos, String name, String args) {
        Matcher child = CLONE_CHILD.matcher(args);
        if (!child.find()) {
            return; // failed, or the child's own view of the call
        }
        if (clones.size() >= MAX_CLONES) {
            truncated = true;
            return;
        }
        boolean thread = (name.equals("clone") || name.equals("clone3")) && args.contains("CLONE_THREAD");
        clones.add(new CloneEvent(pid, nanos, Integer.parseInt(child.group(1)), thread));
    }

    /** Walks strace's argument text: quoted strings with C escapes, a trailing "..." when strace shortened one. */
    private static final class Scanner {
        private final String s;
        private int pos;
        private boolean truncatedString;

        Scanner(String s) {
            this.s = s;
        }

        boolean at(String t) {
            return s.startsWith(t, pos);
        }

        boolean skipPast(char c) {
            while (pos < s.length()) {
                char x = s.charAt(pos++);
                if (x == '"') {
                    pos--;
                    if (quoted() == null) {
                        return false;
                    }
                } else if (x == c) {
                    return true;
                }
            }
            return false;
        }

        void skipSeparators() {
            while (pos < s.length() && (s.charAt(pos) == ',' || s.charAt(pos) == ' ')) {
                pos++;
            }
        }

        /** The quoted string at the cursor (after blanks), unescaped; null when there is none. */
        String quoted() {
            while (pos < s.length() && s.charAt(pos) == ' ') {
                pos++;
            }
            truncatedString = false;
            if (pos >= s.length() || s.charAt(pos) != '"') {
                return null;
            }
            int start = ++pos;
            while (pos < s.length() && s.charAt(pos) != '"') {
                pos += s.charAt(pos) == '\\' ? 2 : 1;
            }
            if (pos >= s.length()) {
                return null;
            }
            String raw = s.substring(start, pos++);
            if (at("...")) {
                truncatedString = true;
                pos += 3;
            }
            return unescape(raw);
        }
    }

    /** strace's C escapes: \\n \\t \\" \\\\, \\xHH, octal \\NNN. Bytes are Latin-1 as read; UTF-8 is rebuilt. */
    static String unescape(String s) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                b.write(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n' -> b.write('\n');
                case 't' -> b.write('\t');
                case 'r' -> b.write('\r');
                case 'v' -> b.write(0x0b);
                case 'f' -> b.write('\f');
                case 'x' -> {
                    if (isHex(s, i + 1, 2)) {
                        b.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                        i += 2;
                    } else {
                        b.write('\\');
                        b.write('x');
                    }
                }
                default -> {
                    if (n >= '0' && n <= '7') {
                        int end = i;
                        while (end < s.length() && end < i + 3 && s.charAt(end) >= '0' && s.charAt(end) <= '7') {
                            end++;
                        }
                        b.write(Integer.parseInt(s.substring(i, end), 8) & 0xFF);
                        i = end - 1;
                    } else {
                        b.write(n);
                    }
                }
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(String s, int from, int n) {
        if (from + n > s.length()) {
            return false;
        }
        for (int i = from; i < from + n; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
