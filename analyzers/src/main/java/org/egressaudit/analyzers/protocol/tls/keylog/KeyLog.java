package org.egressaudit.analyzers.protocol.tls.keylog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * TLS session secrets from an NSS key log (the SSLKEYLOGFILE format written by curl/OpenSSL, Firefox, Chrome),
 * looked up by the session's client random. Immutable; {@link #merge} combines logs (file plus the secrets a
 * pcapng capture carries).
 *
 * <p>Understood lines: {@code CLIENT_RANDOM}, {@code CLIENT_HANDSHAKE_TRAFFIC_SECRET},
 * {@code SERVER_HANDSHAKE_TRAFFIC_SECRET}, {@code CLIENT_TRAFFIC_SECRET_0}, {@code SERVER_TRAFFIC_SECRET_0}, each
 * {@code LABEL <64 hex client random> <hex secret>}. Other labels of the format ({@code EXPORTER_SECRET},
 * early-data and ECH secrets, {@code RSA}) are ignored; comments ({@code #}) and blank lines are skipped. Anything
 * else is a malformed line: counted, described with its line number, never fatal, so that one damaged line (a
 * writer killed mid-line) costs one session at most.
 */
public final class KeyLog {
    private static final KeyLog EMPTY = new KeyLog(Map.of(), List.of(), 0, 0, 0);
    private static final HexFormat HEX = HexFormat.of();

    private final Map<String, SessionSecrets> sessions;
    private final List<String> problems;
    private final long malformedLines;
    private final long validLines;
    private final long droppedSessions;

    private KeyLog(Map<String, SessionSecrets> sessions, List<String> problems, long malformedLines, long validLines,
                   long droppedSessions) {
        this.sessions = sessions;
        this.problems = problems;
        this.malformedLines = malformedLines;
        this.validLines = validLines;
        this.droppedSessions = droppedSessions;
    }

    public static KeyLog empty() {
        return EMPTY;
    }

    /**
     * Reads a key log file. Throws {@link IOException} when it cannot be read or exceeds
     * {@link KeyLogLimits#maxBytes()}; malformed lines are not errors (see {@link #problems()}).
     */
    public static KeyLog load(Path file, KeyLogLimits limits) throws IOException {
        byte[] data;
        try (InputStream in = Files.newInputStream(file)) {
            data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxBytes() + 1));
        }
        if (data.length > limits.maxBytes()) {
            throw new IOException(file + ": key log larger than " + limits.maxBytes() + " bytes");
        }
        return parse(data, limits);
    }

    public static KeyLog load(Path file) throws IOException {
        return load(file, KeyLogLimits.DEFAULTS);
    }

    /** Parses key log text (UTF-8/ASCII); text beyond {@link KeyLogLimits#maxBytes()} is ignored with a problem. */
    public static KeyLog parse(byte[] text, KeyLogLimits limits) {
        Builder b = new Builder(limits);
        int end = text.length;
        if (end > limits.maxBytes()) {
            end = (int) limits.maxBytes();
            b.problem(0, "key log larger than " + limits.maxBytes() + " bytes; the rest is ignored");
        }
        int line = 0;
        int p = 0;
        while (p < end) {
            int nl = p;
            while (nl < end && text[nl] != '\n') {
                nl++;
            }
            line++;
            int e = nl;
            if (e > p && text[e - 1] == '\r') {
                e--;
            }
            if (e - p > limits.maxLineLength()) {
                b.problem(line, "line longer than " + limits.maxLineLength() + " characters");
            } else {
                b.line(line, new String(text, p, e - p, StandardCharsets.ISO_8859_1));
            }
            p = nl + 1;
        }
        return b.build();
    }

    public static KeyLog parse(String text) {
        return parse(text.getBytes(StandardCharsets.UTF_8), KeyLogLimits.DEFAULTS);
    }

    /** The secrets of the session with this 32-byte client random, or null when the log has none. */
    public SessionSecrets lookup(byte[] clientRandom) {
        if (clientRandom == null || clientRandom.length != 32 || sessions.isEmpty()) {
            return null;
        }
        return sessions.get(HEX.formatHex(clientRandom));
    }

    /**
     * Both logs' sessions; where both know a secret of the same session this log's wins. Problems and counts are
     * added up.
     */
    public KeyLog merge(KeyLog other) {
        if (other == null || other.isEmpty() && other.malformedLines == 0) {
            return this;
        }
        if (isEmpty() && malformedLines == 0) {
            return other;
        }
        Map<String, SessionSecrets> all = new HashMap<>(other.sessions);
        for (Map.Entry<String, SessionSecrets> e : sessions.entrySet()) {
            all.merge(e.getKey(), e.getValue(), (theirs, mine) -> mine.orElse(theirs));
        }
        List<String> p = new ArrayList<>(problems);
        p.addAll(other.problems);
        return new KeyLog(Collections.unmodifiableMap(all), List.copyOf(p), malformedLines + other.malformedLines,
                validLines + other.validLines, droppedSessions + other.droppedSessions);
    }

    public boolean isEmpty() {
        return sessions.isEmpty();
    }

    /** Number of sessions (client randoms) with at least one secret. */
    public int sessions() {
        return sessions.size();
    }

    /** Lines that carried a secret this log uses. */
    public long validLines() {
        return validLines;
    }

    /** Lines that are neither secrets, ignored labels, comments nor blank. */
    public long malformedLines() {
        return malformedLines;
    }

    /** Sessions not kept because of {@link KeyLogLimits#maxSessions()}. */
    public long droppedSessions() {
        return droppedSessions;
    }

    /** The first malformed lines, each as "line N: why" (at most {@link KeyLogLimits#maxProblems()}). */
    public List<String> problems() {
        return problems;
    }

    private static final class Builder {
        private final KeyLogLimits limits;
        private final Map<String, SessionSecrets> sessions = new HashMap<>();
        private final List<String> problems = new ArrayList<>();
        private long malformed;
        private long valid;
        private long dropped;

        Builder(KeyLogLimits limits) {
            this.limits = limits;
        }

        void problem(int line, String why) {
            malformed++;
            if (problems.size() < limits.maxProblems()) {
                problems.add((line > 0 ? "line " + line + ": " : "") + why);
            }
        }

        void line(int n, String text) {
            String s = text.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                return;
            }
            String[] f = s.split("[ \t]+");
            if (f.length != 3) {
                problem(n, "expected 'LABEL CLIENT_RANDOM SECRET', found " + f.length + " field(s)");
                return;
            }
            int slot = switch (f[0]) {
                case "CLIENT_RANDOM" -> 0;
                case "CLIENT_HANDSHAKE_TRAFFIC_SECRET" -> 1;
                case "SERVER_HANDSHAKE_TRAFFIC_SECRET" -> 2;
                case "CLIENT_TRAFFIC_SECRET_0" -> 3;
                case "SERVER_TRAFFIC_SECRET_0" -> 4;
                case "EXPORTER_SECRET", "EARLY_EXPORTER_SECRET", "CLIENT_EARLY_TRAFFIC_SECRET", "RSA",
                     "ECH_SECRET", "ECH_CONFIG" -> -1;
                default -> -2;
            };
            if (slot == -2) {
                problem(n, "unknown label '" + shorten(f[0]) + "'");
                return;
            }
            if (slot == -1) {
                return;
            }
            if (f[1].length() != 64 || !isHex(f[1])) {
                problem(n, "client random is not 64 hex digits");
                return;
            }
            if (!isHex(f[2]) || f[2].length() % 2 != 0) {
                problem(n, "secret is not hex");
                return;
            }
            int len = f[2].length() / 2;
            boolean sizeOk = slot == 0 ? len == 48 : len == 32 || len == 48;
            if (!sizeOk) {
                problem(n, f[0] + " secret of " + len + " bytes (expected " + (slot == 0 ? "48" : "32 or 48") + ")");
                return;
            }
            String key = f[1].toLowerCase(java.util.Locale.ROOT);
            SessionSecrets old = sessions.get(key);
            if (old == null && sessions.size() >= limits.maxSessions()) {
                dropped++;
                return;
            }
            byte[] secret = HEX.parseHex(f[2]);
            SessionSecrets add = new SessionSecrets(slot == 0 ? secret : null, slot == 1 ? secret : null,
                    slot == 2 ? secret : null, slot == 3 ? secret : null, slot == 4 ? secret : null);
            // A later line for the same secret replaces the earlier one: the last write is the one in use.
            sessions.put(key, old == null ? add : add.orElse(old));
            valid++;
        }

        KeyLog build() {
            if (sessions.isEmpty() && malformed == 0 && dropped == 0) {
                return EMPTY;
            }
            return new KeyLog(Collections.unmodifiableMap(sessions), List.copyOf(problems), malformed, valid, dropped);
        }

        private static boolean isHex(String s) {
            if (s.isEmpty()) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                    return false;
                }
            }
            return true;
        }

        private static String shorten(String s) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < s.length() && i < 40; i++) {
                char c = s.charAt(i);
                b.append(c >= 0x20 && c < 0x7f ? c : '?');
            }
            return s.length() > 40 ? b + "..." : b.toString();
        }
    }
}
