package org.egressaudit.harness.report;

import static org.egressaudit.harness.report.Html.esc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A self-contained HTML page for people, rendered from the JSON report ({@code JsonReport.toJson}, plus the optional
 * "run" section a scenario run adds): verdict banner, activity timeline, leak matrix, per-finding evidence with a
 * hex view, what stayed opaque, warnings and limits. One file, inline CSS and JS, no network: a Content Security
 * Policy forbids every fetch. Every string from the report is agent-controlled and escaped.
 */
public final class HtmlReport {
    /** Timeline rows beyond this many (not counting rows with findings) are left out, with a note. */
    static final int MAX_TIMELINE_ROWS = 3000;
    /** Destinations without findings beyond this many are left out of the leak matrix, with a note. */
    static final int MAX_CLEAN_COLUMNS = 30;

    private static final Pattern ACTIVITY_TIME = Pattern.compile("\\bat (\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z)");
    private static final Pattern ACTIVITY_FINDING = Pattern.compile("^finding #(\\d+)");

    private HtmlReport() {
    }

    /** Writes the page for {@code report} to {@code out} (atomically: a temporary file moved into place). */
    public static void write(ObjectNode report, Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Files.writeString(tmp, render(report), StandardCharsets.UTF_8);
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The page for {@code report}. */
    public static String render(ObjectNode report) {
        return new Renderer(report).render();
    }

    private static final class Renderer {
        private final JsonNode r;
        private final JsonNode run;
        private final StringBuilder b = new StringBuilder(64 * 1024);
        private final Map<Integer, JsonNode> findingsById = new LinkedHashMap<>();
        /** transmission id -> findings that name it. */
        private final Map<Long, List<JsonNode>> findingsByTx = new TreeMap<>();

        Renderer(JsonNode report) {
            this.r = report;
            JsonNode x = report.get("run");
            this.run = x != null && x.isObject() ? x : null;
            for (JsonNode f : arr(r, "findings")) {
                findingsById.put(f.path("id").asInt(), f);
                long tx = f.path("transmission").asLong(-1);
                if (tx >= 0) {
                    findingsByTx.computeIfAbsent(tx, k -> new ArrayList<>()).add(f);
                }
            }
        }

        String render() {
            String verdict = verdict();
            b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
            b.append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                    + "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; form-action 'none'; "
                    + "base-uri 'none'\">\n");
            b.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
            b.append("<meta name=\"referrer\" content=\"no-referrer\">\n");
            b.append("<title>egress-audit ").append(esc(verdict));
            String scenario = text(run, "scenario");
            if (scenario != null) {
                b.append(": ").append(esc(scenario));
            }
            b.append("</title>\n<style>\n").append(HtmlAssets.CSS).append("</style>\n</head>\n<body>\n");
            banner(verdict);
            b.append("<nav><a href=\"#matrix\">Leak matrix</a><a href=\"#timeline\">Timeline</a>"
                    + "<a href=\"#findings\">Findings (").append(findingsById.size()).append(")</a>"
                    + "<a href=\"#opaque\">Not inspected</a><a href=\"#warnings\">Warnings and limits</a></nav>\n");
            b.append("<main>\n");
            matrix();
            timeline();
            findings();
            opaque();
            warnings();
            b.append("<p class=\"note\">").append(esc(text(r, "tool"))).append(", report schema ")
                    .append(esc(text(r, "schemaVersion"))).append(".</p>\n");
            b.append("</main>\n<script>\n").append(HtmlAssets.JS).append("</script>\n</body></html>\n");
            return b.toString();
        }

        private String verdict() {
            String v = text(r, "verdict");
            return v == null ? "UNKNOWN" : v;
        }

        // ---- banner ------------------------------------------------------------------------------------------

        private void banner(String verdict) {
            int fail = 0;
            int opaque = 0;
            int allowed = 0;
            for (JsonNode f : findingsById.values()) {
                switch (effect(f)) {
                    case "FAIL" -> fail++;
                    case "OPAQUE" -> opaque++;
                    default -> allowed++;
                }
            }
            String why = switch (verdict) {
                case "PASS" -> "Nothing planted left beyond what the policy allows.";
                case "FAIL" -> fail + " finding(s) break the policy" + (opaque > 0 ? ", " + opaque + " opaque" : "")
                        + ".";
                case "OPAQUE" -> opaque > 0 ? opaque + " finding(s) could not be inspected."
                        : "Part of what happened could not be inspected (see warnings).";
                default -> "No verdict in the report.";
            };
            if (allowed > 0) {
                why += " " + allowed + " allowed by the policy.";
            }
            b.append("<header id=\"verdict\" class=\"banner v-").append(Html.token(verdict)).append("\">\n");
            b.append("<h1 id=\"verdict-word\">").append(esc(verdict)).append("</h1>\n");
            b.append("<div class=\"why\">").append(esc(why)).append("</div>\n<dl>\n");
            if (run != null) {
                dt2("Scenario", text(run, "scenario"));
                dt2("Agent", text(run, "agentVersion"));
                dt2("Expected", text(run, "expect"));
                dt2("Run", text(run, "runId"));
                dt2("Image", text(run, "image"));
                dt2("Stop reason", text(run, "stopReason"));
                dt2("Started", text(run, "started"));
                dt2("Stopped", text(run, "stopped"));
            }
            JsonNode cap = r.path("capture");
            dt2("Capture file", text(cap, "file"));
            dt2("Format", text(cap, "format"));
            dt2("Packets", text(cap, "packets") == null ? null
                    : text(cap, "packets") + " (" + text(cap, "ipPackets") + " IP, " + bytes(cap.path("bytes").asLong())
                    + ")");
            dt2("Capture complete", cap.has("complete") ? (cap.path("complete").asBoolean() ? "yes" : "NO") : null);
            dt2("First packet", text(cap, "first"));
            dt2("Last packet", text(cap, "last"));
            JsonNode rc = run == null ? null : run.get("capture");
            if (rc != null && rc.isObject()) {
                dt2("Received", text(rc, "received"));
                dt2("Dropped", text(rc, "dropped") + " (by interface " + text(rc, "droppedByInterface") + ")");
                dt2("Capture size", bytes(rc.path("fileBytes").asLong())
                        + (rc.path("fileLimitReached").asBoolean() ? ", FILE SIZE LIMIT REACHED" : ""));
            }
            JsonNode pol = r.path("policy");
            List<String> allow = new ArrayList<>();
            arr(pol, "allow").forEach(a -> allow.add(a.asText()));
            dt2("Policy allows", allow.isEmpty() ? "nothing" : String.join(", ", allow));
            dt2("Opaque budget", text(pol, "opaqueBytesBudget") == null ? null : text(pol, "opaqueBytesBudget")
                    + " bytes");
            b.append("</dl>\n</header>\n");
        }

        private void dt2(String label, String value) {
            if (value == null) {
                return;
            }
            b.append("<dt>").append(esc(label)).append("</dt><dd>").append(esc(value)).append("</dd>\n");
        }

        // ---- leak matrix ---------------------------------------------------------------------------------------

        private void matrix() {
            b.append("<section id=\"matrix\"><h2>Leak matrix</h2>\n");
            b.append("<p class=\"note\">Planted files (rows) by destination (columns); a cell is coloured by the "
                    + "worst finding for the pair: <span class=\"eff e-FAIL\">FAIL</span> breaks the policy, "
                    + "<span class=\"eff e-OPAQUE\">OPAQUE</span> could not be judged, "
                    + "<span class=\"eff e-PASS\">ALLOWED</span> left but the policy allows it.</p>\n");
            Set<String> rows = new LinkedHashSet<>();
            Set<String> cols = new LinkedHashSet<>();
            Map<String, List<JsonNode>> cells = new LinkedHashMap<>();
            for (JsonNode f : findingsById.values()) {
                String row = rowLabel(f);
                if (row == null) {
                    continue;
                }
                String col = dest(f);
                rows.add(row);
                cols.add(col);
                cells.computeIfAbsent(row + "\u0000" + col, k -> new ArrayList<>()).add(f);
            }
            List<String> leaked = new ArrayList<>(rows);
            leaked.sort(Comparator.comparingInt((String row) -> -rank(worstOfRow(row, cols, cells)))
                    .thenComparing(Comparator.naturalOrder()));
            List<String> allRows = new ArrayList<>(leaked);
            for (JsonNode c : arr(r.path("corpus"), "files")) {
                String name = c.path("name").asText();
                if (!rows.contains(name)) {
                    allRows.add(name);
                }
            }
            Set<String> clean = new LinkedHashSet<>();
            for (JsonNode t : arr(r, "transmissions")) {
                if ("out".equals(text(t, "direction")) && !"dns".equals(text(t, "protocol"))) {
                    String d = text(t, "destination");
                    if (d != null && !cols.contains(d)) {
                        clean.add(d);
                    }
                }
            }
            List<String> allCols = new ArrayList<>(cols);
            int omitted = 0;
            for (String d : clean) {
                if (allCols.size() - cols.size() < MAX_CLEAN_COLUMNS) {
                    allCols.add(d);
                } else {
                    omitted++;
                }
            }
            if (allRows.isEmpty() || allCols.isEmpty()) {
                b.append("<p>").append(allRows.isEmpty() ? "No planted files in the report."
                        : "Nothing was sent anywhere (no outbound transmissions besides DNS).").append("</p>\n");
                b.append("</section>\n");
                return;
            }
            b.append("<table class=\"matrix\"><thead><tr><th>planted file \\ destination</th>");
            for (String c : allCols) {
                b.append("<th class=\"col\" title=\"").append(esc(c)).append("\">").append(esc(c)).append("</th>");
            }
            b.append("</tr></thead><tbody>\n");
            for (String row : allRows) {
                b.append("<tr><th class=\"mono\">").append(esc(row)).append("</th>");
                for (String col : allCols) {
                    List<JsonNode> fs = cells.getOrDefault(row + "\u0000" + col, List.of());
                    if (fs.isEmpty()) {
                        b.append("<td class=\"cell c-none\">&middot;</td>");
                        continue;
                    }
                    String worst = "PASS";
                    for (JsonNode f : fs) {
                        worst = worse(worst, effect(f));
                    }
                    b.append("<td class=\"cell c-").append(Html.token(worst)).append("\" data-effect=\"")
                            .append(Html.token(worst)).append("\">").append("PASS".equals(worst) ? "allowed" : worst);
                    for (JsonNode f : fs) {
                        b.append(' ').append(findingLink(f));
                    }
                    b.append("</td>");
                }
                b.append("</tr>\n");
            }
            b.append("</tbody></table>\n");
            if (omitted > 0) {
                b.append("<p class=\"note\">").append(omitted)
                        .append(" more destination(s) received data with no finding; see the timeline.</p>\n");
            }
            b.append("</section>\n");
        }

        private String worstOfRow(String row, Set<String> cols, Map<String, List<JsonNode>> cells) {
            String worst = "PASS";
            for (String c : cols) {
                for (JsonNode f : cells.getOrDefault(row + "\u0000" + c, List.of())) {
                    worst = worse(worst, effect(f));
                }
            }
            return worst;
        }

        /** The matrix row of a finding: its planted file, its marker, or none (opaque and metadata findings). */
        private static String rowLabel(JsonNode f) {
            String file = text(f, "plantedFile");
            if (file != null) {
                return file;
            }
            String marker = text(f, "marker");
            return marker == null ? null : "marker " + marker;
        }

        private static String dest(JsonNode f) {
            String d = text(f, "destination");
            return d == null ? "(unknown destination)" : d;
        }

        // ---- timeline ------------------------------------------------------------------------------------------

        private record Event(Instant time, String kind, String text, List<JsonNode> findings) {
        }

        private void timeline() {
            List<Event> events = new ArrayList<>();
            List<String> untimed = new ArrayList<>();
            for (JsonNode q : arr(r, "dnsQueries")) {
                events.add(new Event(instant(text(q, "time")), "dns",
                        "query " + text(q, "type") + " " + text(q, "name") + "  (" + text(q, "flow") + ")", List.of()));
            }
            for (JsonNode c : arr(r, "connections")) {
                if ("dns".equals(text(c, "protocol"))) {
                    continue;
                }
                events.add(new Event(instant(text(c, "first")), "connect",
                        text(c, "transport") + " " + text(c, "client") + " \u2192 " + text(c, "server") + " ("
                                + text(c, "protocol") + "; " + bytes(c.path("bytesToServer").asLong()) + " out, "
                                + bytes(c.path("bytesToClient").asLong()) + " in"
                                + (c.path("missingBytes").asLong() > 0 ? "; " + c.path("missingBytes").asLong()
                                        + " bytes missing from the capture" : "") + ")", List.of()));
            }
            Set<Integer> placed = new LinkedHashSet<>();
            for (JsonNode t : arr(r, "transmissions")) {
                if (!"out".equals(text(t, "direction"))) {
                    continue;
                }
                List<JsonNode> fs = findingsByTx.getOrDefault(t.path("id").asLong(), List.of());
                if ("dns".equals(text(t, "protocol")) && fs.isEmpty()) {
                    continue; // already listed as a DNS query
                }
                fs.forEach(f -> placed.add(f.path("id").asInt()));
                long opaqueBytes = t.path("opaqueBytes").asLong();
                events.add(new Event(instant(text(t, "first")), "send",
                        text(t, "protocol") + " to " + text(t, "destination") + ": " + text(t, "summary") + " ("
                                + bytes(t.path("bytes").asLong())
                                + (opaqueBytes > 0 ? ", " + bytes(opaqueBytes) + " not inspected" : "") + ")", fs));
            }
            for (JsonNode f : findingsById.values()) {
                if (!placed.contains(f.path("id").asInt())) {
                    events.add(new Event(instant(text(f, "firstSeen")), "finding",
                            text(f, "kind") + " " + text(f, "destination") + ": " + text(f, "request"), List.of(f)));
                }
            }
            if (run != null) {
                for (JsonNode a : arr(run, "fileActivity")) {
                    String line = a.asText();
                    Matcher m = ACTIVITY_TIME.matcher(line);
                    List<JsonNode> fs = List.of();
                    Matcher fm = ACTIVITY_FINDING.matcher(line);
                    if (fm.find()) {
                        JsonNode f = findingsById.get(Integer.parseInt(fm.group(1)));
                        if (f != null) {
                            fs = List.of(f);
                        }
                    }
                    Instant at = m.find() ? instant(m.group(1)) : null;
                    if (at == null) {
                        untimed.add(line);
                    } else {
                        events.add(new Event(at, "file", line, fs));
                    }
                }
            }
            events.sort(Comparator.comparing(Event::time, Comparator.nullsLast(Comparator.naturalOrder())));
            Instant start = events.stream().map(Event::time).filter(t -> t != null).findFirst().orElse(null);
            b.append("<section id=\"timeline\"><h2>Timeline of the agent's activity</h2>\n");
            b.append("<p class=\"note\">DNS queries, connections, data sent (uploads)")
                    .append(run != null && run.has("fileActivity") ? " and planted files read" : "")
                    .append(", in time order. Rows with findings are coloured and link to the evidence.</p>\n");
            if (events.isEmpty()) {
                b.append("<p>No activity in the capture.</p>\n");
            } else {
                b.append("<div class=\"filters\"><label><input type=\"checkbox\" id=\"only-findings\"> only rows "
                        + "with findings</label></div>\n");
                b.append("<table><thead><tr><th>time (UTC)</th><th>+s</th><th>what</th><th>details</th>"
                        + "<th>findings</th></tr></thead><tbody>\n");
                int shown = 0;
                int omitted = 0;
                for (Event e : events) {
                    if (e.findings().isEmpty() && shown >= MAX_TIMELINE_ROWS) {
                        omitted++;
                        continue;
                    }
                    if (e.findings().isEmpty()) {
                        shown++;
                    }
                    String worst = null;
                    for (JsonNode f : e.findings()) {
                        worst = worst == null ? effect(f) : worse(worst, effect(f));
                    }
                    b.append("<tr");
                    if (worst != null) {
                        b.append(" class=\"r-").append(Html.token(worst)).append("\" data-finding=\"\"");
                    }
                    b.append("><td class=\"mono\">").append(esc(clock(e.time()))).append("</td><td class=\"mono\">")
                            .append(esc(offset(start, e.time()))).append("</td><td><span class=\"kind\">")
                            .append(esc(e.kind())).append("</span></td><td class=\"wrap\">").append(esc(e.text()))
                            .append("</td><td>");
                    for (JsonNode f : e.findings()) {
                        b.append(findingLink(f)).append(' ');
                    }
                    b.append("</td></tr>\n");
                }
                b.append("</tbody></table>\n");
                if (omitted > 0) {
                    b.append("<p class=\"note\">").append(omitted).append(" more row(s) without findings left out "
                            + "(the JSON report has them all).</p>\n");
                }
            }
            if (!untimed.isEmpty()) {
                b.append("<h3>File activity without a time</h3><ul>\n");
                untimed.forEach(l -> b.append("<li class=\"mono\">").append(esc(l)).append("</li>\n"));
                b.append("</ul>\n");
            }
            b.append("</section>\n");
        }

        // ---- findings ------------------------------------------------------------------------------------------

        private void findings() {
            b.append("<section id=\"findings\"><h2>Findings and evidence</h2>\n");
            if (findingsById.isEmpty()) {
                b.append("<p>No findings.</p>\n");
            }
            for (JsonNode f : findingsById.values()) {
                int id = f.path("id").asInt();
                String eff = effect(f);
                b.append("<article class=\"finding f-").append(Html.token(eff)).append("\" id=\"finding-").append(id)
                        .append("\">\n<h3>#").append(id).append(' ').append(effectBadge(eff)).append(' ')
                        .append(esc(text(f, "kind")));
                String row = rowLabel(f);
                if (row != null) {
                    b.append(": <span class=\"mono\">").append(esc(row)).append("</span>");
                }
                b.append(" \u2192 ").append(esc(dest(f))).append("</h3>\n");
                if (text(f, "detail") != null) {
                    b.append("<p>").append(esc(text(f, "detail"))).append("</p>\n");
                }
                b.append("<dl>\n");
                dd("kind", text(f, "kind"), false);
                dd("effect", eff, false);
                dd("planted file", text(f, "plantedFile"), true);
                dd("category", text(f, "category"), false);
                dd("marker", text(f, "marker"), true);
                dd("destination", text(f, "destination"), false);
                dd("protocol", text(f, "protocol"), false);
                dd("request", text(f, "request"), true);
                dd("flow", text(f, "flow"), true);
                long tx = f.path("transmission").asLong(-1);
                dd("transmission", tx >= 0 ? "#" + tx : null, false);
                dd("first seen", text(f, "firstSeen"), false);
                dd("last seen", text(f, "lastSeen"), false);
                dd("bytes", f.has("bytes") ? f.path("bytes").asLong() + " bytes" : null, false);
                String chain = text(f, "decodeChain");
                if (chain != null && !chain.isEmpty()) {
                    b.append("<dt>decode chain</dt><dd><code class=\"chain\">").append(esc(chain))
                            .append("</code></dd>\n");
                }
                b.append("</dl>\n");
                ranges(f);
                excerpt(f);
                b.append("</article>\n");
            }
            b.append("</section>\n");
        }

        private void dd(String label, String value, boolean mono) {
            if (value == null) {
                return;
            }
            b.append("<dt>").append(esc(label)).append("</dt><dd");
            if (mono) {
                b.append(" class=\"mono\"");
            }
            b.append('>').append(esc(value)).append("</dd>\n");
        }

        private void ranges(JsonNode f) {
            List<JsonNode> ranges = new ArrayList<>();
            arr(f, "ranges").forEach(ranges::add);
            if (ranges.isEmpty()) {
                return;
            }
            b.append("<table class=\"ranges\"><thead><tr><th>offset in the sent object</th>"
                    + "<th>offset in the planted file</th><th>length</th></tr></thead><tbody>\n");
            int shown = 0;
            for (JsonNode x : ranges) {
                if (shown++ == 50) {
                    b.append("<tr><td colspan=\"3\">").append(ranges.size() - 50).append(" more</td></tr>\n");
                    break;
                }
                b.append("<tr><td class=\"mono\">").append(x.path("objectOffset").asLong()).append("</td><td class=\"mono\">")
                        .append(x.has("fileOffset") ? String.valueOf(x.path("fileOffset").asLong()) : "&ndash;")
                        .append("</td><td class=\"mono\">").append(x.path("length").asLong()).append("</td></tr>\n");
            }
            b.append("</tbody></table>\n");
        }

        private void excerpt(JsonNode f) {
            JsonNode e = f.get("excerpt");
            if (e == null || !e.isObject()) {
                return;
            }
            byte[] data = hex(text(e, "hex"));
            if (data == null) {
                b.append("<p class=\"note\">Excerpt not shown: malformed hex.</p>\n");
                return;
            }
            String text = text(e, "text");
            boolean perByte = text != null && text.length() == data.length;
            long base = e.path("objectOffset").asLong();
            int ms = e.path("matchStart").asInt();
            int ml = e.path("matchLength").asInt();
            b.append("<p class=\"note\">The sent bytes around the match (offset ").append(base + ms)
                    .append(", ").append(ml).append(" bytes highlighted):</p>\n<div class=\"hexdump\">");
            for (int line = 0; line < data.length; line += 16) {
                b.append("<span class=\"off\">").append(String.format("%08x", base + line)).append("</span>  ");
                StringBuilder ascii = new StringBuilder();
                for (int i = line; i < line + 16; i++) {
                    if (i >= data.length) {
                        b.append("   ");
                        continue;
                    }
                    boolean in = i >= ms && i < ms + ml;
                    boolean open = in && (i == ms || i == line);
                    boolean close = in && (i == ms + ml - 1 || i == line + 15 || i == data.length - 1);
                    if (open) {
                        b.append("<mark>");
                        ascii.append("<mark>");
                    }
                    b.append(String.format("%02x", data[i] & 0xff));
                    char c = perByte ? text.charAt(i) : (char) (data[i] & 0xff);
                    if (!perByte && (c < 0x20 || c > 0x7e)) {
                        c = '.';
                    }
                    ascii.append(esc(String.valueOf(c)));
                    if (close) {
                        b.append("</mark>");
                        ascii.append("</mark>");
                    }
                    b.append(' ');
                }
                b.append(" ").append(ascii).append('\n');
            }
            b.append("</div>\n");
        }

        // ---- opaque ---------------------------------------------------------------------------------------------

        private void opaque() {
            b.append("<section id=\"opaque\"><h2>What stayed opaque</h2>\n");
            List<JsonNode> fs = new ArrayList<>();
            for (JsonNode f : findingsById.values()) {
                if ("OPAQUE".equals(effect(f)) || "opaque".equals(text(f, "kind"))) {
                    fs.add(f);
                }
            }
            List<JsonNode> txs = new ArrayList<>();
            long total = 0;
            for (JsonNode t : arr(r, "transmissions")) {
                if (t.path("opaqueBytes").asLong() > 0) {
                    txs.add(t);
                    total += t.path("opaqueBytes").asLong();
                }
            }
            if (fs.isEmpty() && txs.isEmpty()) {
                b.append("<p>Everything captured was inspected: no encrypted or undecodable data without keys.</p>\n");
                b.append("</section>\n");
                return;
            }
            b.append("<p class=\"plain\">The data listed here was <strong>not inspected</strong>: egress-audit "
                    + "could not decrypt or decode it, so it cannot say whether planted content was in it. "
                    + total + " byte(s) in " + txs.size() + " transmission(s) (policy tolerates "
                    + esc(text(r.path("policy"), "opaqueBytesBudget")) + " per destination).</p>\n");
            if (!fs.isEmpty()) {
                b.append("<h3>Opaque findings</h3><table><thead><tr><th>finding</th><th>destination</th><th>flow</th>"
                        + "<th>bytes</th><th>what</th></tr></thead><tbody>\n");
                for (JsonNode f : fs) {
                    b.append("<tr class=\"r-").append(Html.token(effect(f))).append("\"><td>").append(findingLink(f))
                            .append("</td><td>").append(esc(dest(f))).append("</td><td class=\"mono\">")
                            .append(esc(text(f, "flow"))).append("</td><td>").append(f.path("bytes").asLong())
                            .append("</td><td class=\"wrap\">").append(esc(text(f, "detail"))).append("</td></tr>\n");
                }
                b.append("</tbody></table>\n");
            }
            if (!txs.isEmpty()) {
                b.append("<h3>Transmissions with uninspected bytes</h3><table><thead><tr><th>#</th><th>direction</th>"
                        + "<th>protocol</th><th>destination / SNI</th><th>flow</th><th>not inspected</th>"
                        + "<th>total</th><th>summary</th></tr></thead><tbody>\n");
                for (JsonNode t : txs) {
                    JsonNode attrs = t.path("attributes");
                    String sni = text(attrs, "sni");
                    if (sni == null) {
                        sni = text(attrs, "serverName");
                    }
                    String d = text(t, "destination");
                    b.append("<tr><td>").append(t.path("id").asLong()).append("</td><td>")
                            .append(esc(text(t, "direction"))).append("</td><td>").append(esc(text(t, "protocol")))
                            .append("</td><td>").append(esc(d == null ? "(unknown)" : d));
                    if (sni != null && !sni.equals(d)) {
                        b.append(" <span class=\"note\">SNI ").append(esc(sni)).append("</span>");
                    }
                    b.append("</td><td class=\"mono\">").append(esc(text(t, "flow"))).append("</td><td>")
                            .append(t.path("opaqueBytes").asLong()).append(" bytes</td><td>")
                            .append(t.path("bytes").asLong()).append("</td><td class=\"wrap\">")
                            .append(esc(text(t, "summary"))).append("</td></tr>\n");
                }
                b.append("</tbody></table>\n");
            }
            b.append("</section>\n");
        }

        // ---- warnings and limits --------------------------------------------------------------------------------

        private void warnings() {
            b.append("<section id=\"warnings\"><h2>Warnings and limits</h2>\n");
            List<String> lines = new ArrayList<>();
            if (run != null) {
                if (text(run, "problem") != null) {
                    lines.add("run problem: " + text(run, "problem"));
                }
                arr(run, "notes").forEach(n -> lines.add(n.asText()));
            }
            if (r.path("capture").has("complete") && !r.path("capture").path("complete").asBoolean()) {
                lines.add("the capture is incomplete: what was not captured was not inspected");
            }
            arr(r, "warnings").forEach(w -> lines.add(w.asText()));
            if (lines.isEmpty()) {
                b.append("<p>No warnings.</p>\n");
            } else {
                b.append("<ul class=\"warn\">\n");
                lines.forEach(l -> b.append("<li>").append(esc(l)).append("</li>\n"));
                b.append("</ul>\n");
            }
            b.append("<h3>Limits reached</h3><table><tbody>\n");
            limit("bytes beyond the per-object buffer (not inspected)", "bufferTruncatedBytes");
            limit("bytes beyond the reassembly limit (not inspected)", "reassemblyTruncatedBytes");
            limit("bytes missing from the capture (gaps in TCP streams)", "missingBytes");
            limit("decoding stopped at a limit (times)", "decodeLimitHits");
            b.append("</tbody></table>\n");
            JsonNode t = r.path("totals");
            if (t.isObject()) {
                b.append("<h3>Totals</h3><table><tbody>\n");
                t.fields().forEachRemaining(e -> b.append("<tr><th>").append(esc(e.getKey())).append("</th><td>")
                        .append(esc(e.getValue().asText())).append("</td></tr>\n"));
                b.append("</tbody></table>\n");
            }
            List<JsonNode> cov = new ArrayList<>();
            arr(r, "coverage").forEach(cov::add);
            if (!cov.isEmpty()) {
                b.append("<h3>Coverage of planted files</h3><table><thead><tr><th>planted file</th><th>category</th>"
                        + "<th>size</th><th>bytes seen leaving</th><th>whole</th></tr></thead><tbody>\n");
                for (JsonNode c : cov) {
                    b.append("<tr><td class=\"mono\">").append(esc(text(c, "plantedFile"))).append("</td><td>")
                            .append(esc(text(c, "category"))).append("</td><td>").append(c.path("size").asLong())
                            .append("</td><td>").append(c.path("bytesSeen").asLong()).append("</td><td>")
                            .append(c.path("whole").asBoolean() ? "yes" : "no").append("</td></tr>\n");
                }
                b.append("</tbody></table>\n");
            }
            b.append("</section>\n");
        }

        private void limit(String label, String field) {
            JsonNode l = r.path("limits");
            long v = l.path(field).asLong();
            b.append("<tr").append(v > 0 ? " class=\"r-OPAQUE\"" : "").append("><th>").append(esc(label))
                    .append("</th><td>").append(v).append("</td></tr>\n");
        }

        // ---- helpers --------------------------------------------------------------------------------------------

        private static String findingLink(JsonNode f) {
            int id = f.path("id").asInt();
            return "<a href=\"#finding-" + id + "\" class=\"flink\">#" + id + "</a>";
        }

        private static String effectBadge(String eff) {
            return "<span class=\"eff e-" + Html.token(eff) + "\">" + ("PASS".equals(eff) ? "ALLOWED" : esc(eff))
                    + "</span>";
        }

        private static String effect(JsonNode f) {
            String e = text(f, "effect");
            return e == null ? "OPAQUE" : e.toUpperCase(Locale.ROOT);
        }

        private static int rank(String effect) {
            return switch (effect) {
                case "FAIL" -> 2;
                case "OPAQUE" -> 1;
                default -> 0;
            };
        }

        private static String worse(String a, String b) {
            return rank(b) > rank(a) ? b : a;
        }
    }

    static Iterable<JsonNode> arr(JsonNode n, String field) {
        if (n == null) {
            return List.of();
        }
        JsonNode a = n.get(field);
        return a != null && a.isArray() ? a : List.of();
    }

    static String text(JsonNode n, String field) {
        if (n == null) {
            return null;
        }
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.isMissingNode() ? null : v.asText();
    }

    static Instant instant(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String clock(Instant t) {
        if (t == null) {
            return "?";
        }
        String s = t.toString(); // 2026-11-23T07:11:21.502901Z
        int tIdx = s.indexOf('T');
        return tIdx < 0 ? s : s.substring(tIdx + 1, s.length() - 1);
    }

    static String offset(Instant start, Instant t) {
        if (start == null || t == null) {
            return "";
        }
        return String.format(Locale.ROOT, "%.3f", Duration.between(start, t).toNanos() / 1e9);
    }

    static String bytes(long n) {
        if (n < 10_000) {
            return n + " B";
        }
        if (n < 10_000_000) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    }

    /** Decodes even-length hex; null when malformed. */
    static byte[] hex(String s) {
        if (s == null || s.length() % 2 != 0) {
            return null;
        }
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16);
            int lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }
}
