package org.egressaudit.harness.scenario;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One canned answer of the fake vendor cloud, and which requests it answers. Absent matchers match anything.
 *
 * @param host     glob on the Host header / TLS SNI, case-insensitive, '*' matching any run of characters
 *                 (dots included); stored lower-case
 * @param method   HTTP method, stored upper-case, compared exactly
 * @param path     exact request path, or a prefix when it ends in '*'; compared without the query string
 * @param status   HTTP status, 100..599
 * @param headers  response headers in the order written (framing headers are set by the responder)
 * @param body     response body (a copy is returned)
 * @param bodyFile where the body was read from, if it came from a file
 */
public record ResponderRule(Optional<String> host, Optional<String> method, Optional<String> path, int status,
                            Map<String, String> headers, byte[] body, Optional<Path> bodyFile) {

    /** Largest body a rule may serve (bodies are held in memory and sent to the agent). */
    public static final int MAX_BODY_BYTES = 1 << 20;
    private static final int MAX_HOST_LENGTH = 253;
    private static final Pattern HOST_GLOB = Pattern.compile("[a-z0-9*_-]+(\\.[a-z0-9*_-]+)*");
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,20}");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}");

    /** What answers a request no rule matches: 200 {@code {"status":"ok"}}. */
    public static final ResponderRule DEFAULT = new ResponderRule(Optional.empty(), Optional.empty(), Optional.empty(),
            200, Map.of("Content-Type", "application/json"), "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8),
            Optional.empty());

    public ResponderRule {
        host = Objects.requireNonNull(host, "host").map(ResponderRule::checkHostGlob);
        method = Objects.requireNonNull(method, "method").map(ResponderRule::checkMethod);
        Objects.requireNonNull(path, "path").ifPresent(ResponderRule::checkPath);
        checkStatus(status);
        Map<String, String> h = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : headers.entrySet()) {
            checkHeader(e.getKey(), e.getValue());
            if (h.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(e.getKey()))) {
                throw new IllegalArgumentException("header '" + e.getKey() + "' is given twice");
            }
            h.put(e.getKey(), e.getValue());
        }
        headers = Collections.unmodifiableMap(h);
        if (body.length > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        body = body.clone();
        Objects.requireNonNull(bodyFile, "bodyFile");
    }

    /** Validates a host glob and returns it lower-cased. */
    public static String checkHostGlob(String glob) {
        String g = glob.toLowerCase(Locale.ROOT);
        if (g.isEmpty() || g.length() > MAX_HOST_LENGTH || !HOST_GLOB.matcher(g).matches()) {
            throw new IllegalArgumentException("'" + YamlNode.abbreviate(glob) + "' is not a host glob (dot-separated "
                    + "labels of letters, digits, '-', '_' and the wildcard '*', e.g. '*.vendor.example')");
        }
        if (g.contains("**")) {
            throw new IllegalArgumentException("'" + glob + "' is not a host glob: '**' means nothing more than '*'");
        }
        return g;
    }

    /** Validates an HTTP method and returns it upper-cased. */
    public static String checkMethod(String m) {
        String u = m.toUpperCase(Locale.ROOT);
        if (!METHOD.matcher(u).matches()) {
            throw new IllegalArgumentException("'" + YamlNode.abbreviate(m) + "' is not an HTTP method (letters only, e.g. POST)");
        }
        return u;
    }

    /** Validates a path matcher: starts with '/', at most one '*' and only at the end, no query. */
    public static String checkPath(String p) {
        if (!p.startsWith("/") || p.length() > 2048) {
            throw new IllegalArgumentException("'" + YamlNode.abbreviate(p) + "' must be a request path starting with '/'");
        }
        int star = p.indexOf('*');
        if (star >= 0 && star != p.length() - 1) {
            throw new IllegalArgumentException("'" + YamlNode.abbreviate(p)
                    + "': '*' is only allowed as the last character (a prefix match)");
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c <= ' ' || c == '?' || c == '#' || c == 0x7f) {
                throw new IllegalArgumentException("'" + YamlNode.abbreviate(p)
                        + "' must be a bare path: no spaces, control characters, query ('?') or fragment ('#')");
            }
        }
        return p;
    }

    public static int checkStatus(int status) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP status from 100 to 599, got " + status);
        }
        return status;
    }

    /** Header names must be HTTP tokens, values single-line; framing headers belong to the responder. */
    public static void checkHeader(String name, String value) {
        if (!HEADER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + YamlNode.abbreviate(name) + "' is not a valid header name");
        }
        if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")
                || name.equalsIgnoreCase("Connection")) {
            throw new IllegalArgumentException("header '" + name + "' is set by the responder and cannot be given");
        }
        if (value.length() > 8192) {
            throw new IllegalArgumentException("header '" + name + "' value is longer than 8192 characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < ' ' && c != '\t') || c == 0x7f) {
                throw new IllegalArgumentException("header '" + name + "' value contains a control character");
            }
        }
    }

    /**
     * Whether this rule answers a request. {@code host} may carry a port or a trailing dot, {@code path} a query
     * string or an absolute-form target ({@code http://h/p}); {@code null} means unknown (e.g. no SNI, not HTTP)
     * and matches only rules that do not constrain it.
     */
    public boolean matches(String requestHost, String requestMethod, String requestPath) {
        if (host.isPresent()) {
            String h = normaliseHost(requestHost);
            if (h == null || !glob(host.get(), h)) {
                return false;
            }
        }
        if (method.isPresent() && !method.get().equals(requestMethod)) {
            return false;
        }
        if (path.isPresent()) {
            String p = normalisePath(requestPath);
            if (p == null) {
                return false;
            }
            String want = path.get();
            return want.endsWith("*") ? p.startsWith(want.substring(0, want.length() - 1)) : p.equals(want);
        }
        return true;
    }

    /** Lower-case host without port, brackets or trailing dot; null when absent or implausibly long. */
    static String normaliseHost(String h) {
        if (h == null || h.isEmpty() || h.length() > MAX_HOST_LENGTH + 8) {
            return null;
        }
        String s = h.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            s = end < 0 ? s.substring(1) : s.substring(1, end);
        } else {
            int colon = s.indexOf(':');
            if (colon >= 0 && colon == s.lastIndexOf(':')) {
                s = s.substring(0, colon);
            }
        }
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.isEmpty() || s.length() > MAX_HOST_LENGTH ? null : s;
    }

    /** The path of a request target: absolute-form reduced to its path, query and fragment dropped. */
    static String normalisePath(String target) {
        if (target == null) {
            return null;
        }
        String t = target;
        int scheme = t.indexOf("://");
        if (scheme > 0 && !t.startsWith("/")) {
            int slash = t.indexOf('/', scheme + 3);
            t = slash < 0 ? "/" : t.substring(slash);
        }
        int cut = t.length();
        int q = t.indexOf('?');
        int f = t.indexOf('#');
        if (q >= 0) {
            cut = q;
        }
        if (f >= 0 && f < cut) {
            cut = f;
        }
        return t.substring(0, cut);
    }

    /** '*' matches any run of characters; linear-time greedy matching with single backtrack point. */
    static boolean glob(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int mark = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = t;
            } else if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (star >= 0) {
                p = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResponderRule r && host.equals(r.host) && method.equals(r.method) && path.equals(r.path)
                && status == r.status && headers.equals(r.headers) && Arrays.equals(body, r.body)
                && bodyFile.equals(r.bodyFile);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, method, path, status, headers, Arrays.hashCode(body), bodyFile);
    }

    @Override
    public String toString() {
        return "ResponderRule[host=" + host.orElse("*") + ", method=" + method.orElse("*") + ", path="
                + path.orElse("*") + ", status=" + status + ", " + body.length + " body bytes"
                + bodyFile.map(f -> " from " + f).orElse("") + "]";
    }
}
