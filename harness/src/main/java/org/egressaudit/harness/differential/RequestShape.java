package org.egressaudit.harness.differential;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.protocol.Transmission;

/**
 * What aligns transmissions across runs: the same kind of request to the same place. Everything that varies
 * between identical runs (ids in paths, query values, random DNS labels, ports of the client) is left out, so
 * identical runs produce the same set of shapes and only sizes and counts are compared.
 *
 * <ul>
 *   <li>HTTP/1 and HTTP/2 ("http", "h2"): method and path template ({@code POST /v2/device/{id}/events?k&ts}:
 *       identifier segments become {@code {id}}, the query keeps only its sorted parameter names);</li>
 *   <li>DNS: query type and name template ({@code TXT {x}.exfil.example}: random or encoded labels below the
 *       registered domain become {@code {x}}, consecutive ones collapse into one);</li>
 *   <li>TLS without keys: {@code session}; raw TCP/UDP/ICMP (and HTTP the parser gave up on): {@code raw}.</li>
 * </ul>
 *
 * @param protocol    the analyzer's protocol name
 * @param destination host (HTTP Host, TLS SNI, else server address) and server port; for DNS the registered domain
 * @param request     the template described above
 */
public record RequestShape(String protocol, String destination, String request) implements Comparable<RequestShape> {
    static final int MAX_TEMPLATE_CHARS = 256;
    static final int MAX_PATH_SEGMENTS = 24;
    static final int MAX_QUERY_NAMES = 16;
    static final int MAX_DNS_PREFIX_LABELS = 8;
    private static final int MAX_METHOD_CHARS = 24;
    private static final int MAX_DESTINATION_CHARS = 260;

    public RequestShape {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(request, "request");
    }

    /** The shape of an (outbound) transmission. */
    public static RequestShape of(Transmission t) {
        Map<String, String> a = t.attributes();
        String protocol = t.protocol() == null ? "unknown" : t.protocol();
        switch (protocol) {
            case "http", "h2" -> {
                String method = a.get("method");
                if (method != null && a.get("uri") != null) {
                    return new RequestShape(protocol, endpoint(t), bounded(method, MAX_METHOD_CHARS) + " "
                            + httpTarget(method, a.get("uri")));
                }
                return new RequestShape(protocol, endpoint(t), "raw");
            }
            case "dns" -> {
                String qname = a.get("qname");
                String parent = t.destination() == null ? "" : t.destination().toLowerCase(Locale.ROOT);
                if (qname != null) {
                    String type = bounded(a.getOrDefault("qtype", "?"), MAX_METHOD_CHARS);
                    return new RequestShape("dns", bounded(parent, MAX_DESTINATION_CHARS),
                            type + " " + dnsTemplate(qname, parent));
                }
                return new RequestShape("dns", endpoint(t), "raw");
            }
            case "tls" -> {
                return new RequestShape("tls", endpoint(t), "session");
            }
            default -> {
                return new RequestShape(protocol, endpoint(t), "raw");
            }
        }
    }

    /** One line for reports: {@code POST /v2/x to cloud.vendor.example:443}. */
    public String describe() {
        return switch (request) {
            case "raw" -> "raw " + protocol + " data to " + destination;
            case "session" -> "TLS session (no keys) to " + destination;
            default -> protocol.equals("dns") ? "DNS query " + request : request + " to " + destination;
        };
    }

    /** The alignment key as text: {@code http cloud.vendor.example:443 POST /v2/x}. */
    public String key() {
        return protocol + " " + destination + " " + request;
    }

    @Override
    public int compareTo(RequestShape o) {
        return key().compareTo(o.key());
    }

    @Override
    public String toString() {
        return key();
    }

    /** Host and port where the transmission went; the host as the analyzer named it, lower case. */
    static String endpoint(Transmission t) {
        FlowKey f = t.flow();
        String host = t.destination() != null ? t.destination() : f != null ? f.serverAddress() : "?";
        host = host.toLowerCase(Locale.ROOT);
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]"; // an IPv6 literal
        }
        host = bounded(host, MAX_DESTINATION_CHARS);
        return f != null && (f.protocol() == 6 || f.protocol() == 17) ? host + ":" + f.serverPort() : host;
    }

    /** Method-specific request target template. */
    static String httpTarget(String method, String uri) {
        if (method.equals("CONNECT")) {
            return "{authority}";
        }
        String u = uri;
        int scheme = u.indexOf("://");
        if (scheme > 0 && scheme < 16 && !u.startsWith("/")) {
            int slash = u.indexOf('/', scheme + 3);
            u = slash < 0 ? "/" : u.substring(slash); // absolute form: the authority is the destination already
        }
        if (!u.startsWith("/")) {
            return u.equals("*") ? "*" : "{target}";
        }
        return pathTemplate(u);
    }

    /** {@code /v1/files/8f3a9c21/chunks/3?ts=1&id=x} becomes {@code /v1/files/{id}/chunks/{id}?id&ts}. */
    public static String pathTemplate(String uri) {
        String u = uri;
        int hash = u.indexOf('#');
        if (hash >= 0) {
            u = u.substring(0, hash);
        }
        String query = null;
        int q = u.indexOf('?');
        if (q >= 0) {
            query = u.substring(q + 1);
            u = u.substring(0, q);
        }
        StringBuilder sb = new StringBuilder();
        String[] segments = u.split("/", -1);
        for (int i = 1; i < segments.length; i++) {
            if (i > MAX_PATH_SEGMENTS) {
                sb.append("/…");
                break;
            }
            String s = segments[i];
            sb.append('/').append(s.isEmpty() ? "" : IdLike.pathSegment(s) ? "{id}" : s);
        }
        if (sb.length() == 0) {
            sb.append('/');
        }
        if (query != null) {
            sb.append('?').append(queryNames(query));
        }
        return bounded(sb.toString(), MAX_TEMPLATE_CHARS);
    }

    private static String queryNames(String query) {
        TreeSet<String> names = new TreeSet<>();
        for (String p : query.split("[&;]")) {
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String name = eq >= 0 ? p.substring(0, eq) : p;
            names.add(IdLike.pathSegment(name) ? "{id}" : name);
        }
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (out.size() == MAX_QUERY_NAMES) {
                out.add("…");
                break;
            }
            out.add(n);
        }
        return String.join("&", out);
    }

    /**
     * {@code 4a6f686e21.9b2e0c7d44.x.exfil.example} under {@code exfil.example} becomes {@code {x}.x.exfil.example}:
     * every random or encoded label below the registered domain is replaced by {@code {x}} and runs of them
     * collapse, so names carrying a different number of encoded labels still align.
     */
    public static String dnsTemplate(String qname, String parent) {
        List<String> labels = labels(qname.toLowerCase(Locale.ROOT));
        int parentLabels = parent == null || parent.isEmpty() || parent.equals(".") ? 0 : labels(parent).size();
        int prefix = Math.max(0, labels.size() - parentLabels);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < prefix; i++) {
            String l = IdLike.dnsLabel(labels.get(i)) ? "{x}" : labels.get(i);
            if (l.equals("{x}") && !out.isEmpty() && out.get(out.size() - 1).equals("{x}")) {
                continue;
            }
            out.add(l);
        }
        if (out.size() > MAX_DNS_PREFIX_LABELS) {
            List<String> kept = new ArrayList<>(out.subList(out.size() - MAX_DNS_PREFIX_LABELS, out.size()));
            kept.add(0, "…");
            out = kept;
        }
        out.addAll(labels.subList(prefix, labels.size()));
        return bounded(String.join(".", out), MAX_TEMPLATE_CHARS);
    }

    /** Splits a presentation-form name on dots that are not escaped ({@code a\.b.example} has two labels). */
    private static List<String> labels(String name) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\\' && i + 1 < name.length()) {
                cur.append(c).append(name.charAt(++i));
            } else if (c == '.') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    private static String bounded(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
