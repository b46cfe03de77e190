package org.egressaudit.harness.diff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The parts of one run folder's report.json (and run.json) that a comparison needs.
 *
 * @param scenario        scenario name (run.json, else the report's run section, else the folder name)
 * @param folder          the run folder
 * @param started         run start as written in run.json (ISO-8601), "" when unknown; picks the latest of repeats
 * @param verdict         PASS, FAIL or OPAQUE, or ERROR (containment self-test failed)
 * @param findings        every finding, reduced to what identifies it across runs
 * @param destinations    where outbound traffic went: transmission destinations (host, SNI, or address) and the
 *                        addresses of connections that carried no transmission
 * @param outboundBytes   outbound transmission bytes per destination
 */
public record RunReport(String scenario, Path folder, String started, String verdict, List<FindingKey> findings,
                        Set<String> destinations, Map<String, Long> outboundBytes) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public RunReport {
        findings = List.copyOf(findings);
        destinations = Set.copyOf(destinations);
        outboundBytes = Map.copyOf(outboundBytes);
    }

    /**
     * What identifies a finding across two runs: the same file leaving the same way to the same place is the same
     * finding even though ids, flows and times differ.
     */
    public record FindingKey(String effect, String kind, String plantedFile, String marker, String category,
                             String destination) {

        public boolean blocking() {
            return "FAIL".equals(effect) || "OPAQUE".equals(effect);
        }

        /** Short text for tables: "FAIL whole home/user/x.docx (document) -> host". */
        public String describe() {
            String what = plantedFile != null ? plantedFile : marker != null ? "'" + marker + "'" : "";
            return effect + " " + kind + (what.isEmpty() ? "" : " " + what)
                    + (category != null ? " (" + category + ")" : "") + (destination != null ? " -> " + destination : "");
        }
    }

    /** True when {@code dir} looks like a run folder (holds report.json or run.json). */
    public static boolean isRunFolder(Path dir) {
        return Files.isRegularFile(dir.resolve("report.json")) || Files.isRegularFile(dir.resolve("run.json"));
    }

    /** Reads a run folder; a missing or malformed report.json is named in the exception. */
    public static RunReport read(Path folder) throws BadRunInputException {
        Path reportFile = folder.resolve("report.json");
        if (!Files.isRegularFile(reportFile)) {
            throw new BadRunInputException("no report.json in " + folder + ": " + reportFile
                    + " is missing (the run did not produce an analysis; see its summary.txt)");
        }
        JsonNode report = readJson(reportFile);
        JsonNode run = Files.isRegularFile(folder.resolve("run.json")) ? readJson(folder.resolve("run.json"))
                : report.path("run");
        String verdict = report.path("verdict").asText("");
        // ERROR: the run's containment self-test failed (worse than any verdict in a diff)
        if (!Set.of("PASS", "FAIL", "OPAQUE", "ERROR").contains(verdict)) {
            throw new BadRunInputException(reportFile + ": no verdict (is it an egress-audit report.json?)");
        }
        String scenario = text(run, "scenario");
        if (scenario == null) {
            scenario = text(report.path("run"), "scenario");
        }
        if (scenario == null) {
            Path name = folder.toAbsolutePath().normalize().getFileName();
            scenario = name == null ? folder.toString() : name.toString();
        }
        String started = text(run, "started");

        List<FindingKey> findings = new ArrayList<>();
        for (JsonNode f : report.path("findings")) {
            findings.add(new FindingKey(text(f, "effect"), text(f, "kind"), text(f, "plantedFile"), text(f, "marker"),
                    text(f, "category"), text(f, "destination")));
        }
        Set<String> destinations = new TreeSet<>();
        Map<String, Long> bytes = new TreeMap<>();
        Set<String> flowsWithTransmissions = new HashSet<>();
        for (JsonNode t : report.path("transmissions")) {
            flowsWithTransmissions.add(t.path("flow").asText(""));
            if (!"out".equals(t.path("direction").asText())) {
                continue;
            }
            String d = text(t, "destination");
            if (d == null || linkLocal(d)) {
                continue;
            }
            destinations.add(d);
            bytes.merge(d, Math.max(0, t.path("bytes").asLong(0)), Long::sum);
        }
        // The run's own resolver/gateway address changes from run to run (a fresh network each time); the
        // transmissions name what went through it, so its address is no destination of its own.
        Set<String> resolvers = new HashSet<>();
        for (JsonNode c : report.path("connections")) {
            if ("dns".equals(c.path("protocol").asText())) {
                resolvers.add(address(c.path("server").asText("")));
            }
        }
        for (JsonNode c : report.path("connections")) {
            if (flowsWithTransmissions.contains(c.path("flow").asText(""))) {
                continue;
            }
            String server = address(c.path("server").asText(""));
            if (!server.isEmpty() && !resolvers.contains(server) && !linkLocal(server)) {
                destinations.add(server);
            }
        }
        return new RunReport(scenario, folder, started == null ? "" : started, verdict, findings, destinations,
                new LinkedHashMap<>(bytes));
    }

    /** "203.0.113.5:443" -> "203.0.113.5"; "[2001:db8::1]:443" -> "2001:db8::1". */
    static String address(String endpoint) {
        String s = endpoint.strip();
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            return end < 0 ? s : s.substring(1, end);
        }
        int colon = s.lastIndexOf(':');
        return colon >= 0 && s.indexOf(':') == colon ? s.substring(0, colon) : s;
    }

    /**
     * Multicast and link-local addresses (the kernel's own MLD, router and neighbour solicitations) never leave the
     * local link and come and go from run to run; they are no egress, so they are neither destinations nor volume.
     */
    static boolean linkLocal(String destination) {
        String d = destination.strip();
        boolean literal = d.matches("\\d{1,3}(\\.\\d{1,3}){3}")
                || d.indexOf(':') >= 0 && d.matches("[0-9A-Fa-f:.]+(%[\\w.-]+)?");
        if (!literal) {
            return false;
        }
        try {
            InetAddress a = InetAddress.getByName(d); // a literal: no name lookup
            return a.isMulticastAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                    || d.equals("255.255.255.255");
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static JsonNode readJson(Path file) throws BadRunInputException {
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new BadRunInputException(file + ": not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new BadRunInputException(file + ": unreadable JSON: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }
}
