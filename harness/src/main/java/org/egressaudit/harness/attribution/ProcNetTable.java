package org.egressaudit.harness.attribution;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Parses {@code /proc/<pid>/net/{tcp,tcp6,udp,udp6}}: one socket per line, addresses as hex words in the kernel's
 * byte order ("0100007F:1F90" is 127.0.0.1:8080 on a little-endian machine), state as a hex TCP state number (UDP
 * uses 07 for unconnected, 01 for connected).
 */
public final class ProcNetTable {
    /** Lines read from one table per sample: a socket flood by the agent cannot make one sample unbounded. */
    public static final int MAX_LINES = 65_536;

    private static final String[] TCP_STATES = {"UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
        "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    /** One socket line: transport "tcp"/"udp", the file's IP version, its inode (0 for orphaned sockets). */
    public record Entry(String transport, int ipVersion, long inode, Endpoint local, Endpoint remote, String state) {
    }

    private ProcNetTable() {
    }

    /**
     * Parses a table's text. The header and malformed lines are skipped; {@code badLines} is told of each
     * malformed one.
     *
     * @param file "tcp", "tcp6", "udp" or "udp6"
     */
    public static List<Entry> parse(String file, String text, Consumer<String> badLines) {
        String transport = switch (file) {
            case "tcp", "tcp6" -> "tcp";
            case "udp", "udp6" -> "udp";
            default -> throw new IllegalArgumentException("not a /proc/net socket table: " + file);
        };
        int version = file.endsWith("6") ? 6 : 4;
        List<Entry> out = new ArrayList<>();
        String[] lines = text.split("\n", MAX_LINES + 2);
        for (int i = 0; i < lines.length && i <= MAX_LINES; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("sl")) {
                continue;
            }
            Entry e = entry(transport, version, line);
            if (e == null) {
                badLines.accept(file + ": " + (line.length() > 120 ? line.substring(0, 120) + "..." : line));
            } else {
                out.add(e);
            }
        }
        return out;
    }

    private static Entry entry(String transport, int version, String line) {
        // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
        String[] f = line.split("\\s+");
        if (f.length < 10 || !f[0].endsWith(":")) {
            return null;
        }
        try {
            Endpoint local = endpoint(f[1], version);
            Endpoint remote = endpoint(f[2], version);
            int st = Integer.parseInt(f[3], 16);
            long inode = Long.parseLong(f[9]);
            String state = transport.equals("udp") ? (st == 1 ? "CONNECTED" : st == 7 ? "UNCONNECTED" : "STATE_" + st)
                    : st < TCP_STATES.length ? TCP_STATES[st] : "STATE_" + st;
            return new Entry(transport, version, inode, local, remote, state);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** "0100007F:1F90" or a 32-hex-digit IPv6 address and port. */
    static Endpoint endpoint(String hex, int version) {
        int colon = hex.indexOf(':');
        int digits = version == 4 ? 8 : 32;
        if (colon != digits || hex.length() != digits + 5) {
            throw new IllegalArgumentException("bad /proc/net address: " + hex);
        }
        byte[] b = new byte[digits / 2];
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        for (int w = 0; w < digits / 8; w++) {
            // Each 32-bit word is printed as a number in host order.
            long word = Long.parseLong(hex.substring(w * 8, w * 8 + 8), 16);
            for (int i = 0; i < 4; i++) {
                int shift = little ? 8 * i : 8 * (3 - i);
                b[w * 4 + i] = (byte) (word >>> shift);
            }
        }
        int port = Integer.parseInt(hex.substring(colon + 1), 16);
        return new Endpoint(Endpoint.fromBytes(b), port);
    }
}
