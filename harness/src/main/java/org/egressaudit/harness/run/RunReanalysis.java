package org.egressaudit.harness.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.egressaudit.analyzers.corpus.Corpus;
import org.egressaudit.analyzers.corpus.CorpusException;
import org.egressaudit.analyzers.corpus.CorpusLoader;
import org.egressaudit.analyzers.engine.AnalysisEngine;
import org.egressaudit.analyzers.engine.AnalysisOptions;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.analyzers.policy.PolicyException;
import org.egressaudit.analyzers.policy.PolicyLoader;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.analyzers.protocol.tls.keylog.KeyLog;
import org.egressaudit.analyzers.report.JsonReport;
import org.egressaudit.harness.capture.CaptureStats;
import org.egressaudit.harness.network.ServiceEvent;

/**
 * Regenerates the reports of a finished run from its folder alone, without running anything: the capture is
 * analysed again with the run's corpus/, its effective policy and its TLS key log, TLS sessions the agent refused
 * are taken from services.jsonl, and the run section comes from run.json. Used after an engine upgrade, or when
 * report.json or summary.txt was lost.
 */
public final class RunReanalysis {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Only literal addresses are parsed from services.jsonl: never a name lookup. */
    private static final Pattern LITERAL_ADDRESS = Pattern.compile("[0-9A-Fa-f.:]+");

    /** The folder lacks something a run folder always has; the message names what. */
    public static final class NotARunFolderException extends Exception {
        private static final long serialVersionUID = 1L;

        NotARunFolderException(String message) {
            super(message);
        }
    }

    /**
     * What was regenerated.
     *
     * @param report  report.json's new content
     * @param verdict the run's verdict (analysis verdict, at least OPAQUE when the capture lost packets)
     * @param summary summary.txt's new content
     * @param warnings things the caller should show (services.jsonl lines that could not be read, old folders)
     */
    public record Regenerated(ObjectNode report, Verdict verdict, AnalysisResult result, String summary,
                              List<String> warnings) {
    }

    private final AnalysisOptions options;
    private final String toolVersion;

    public RunReanalysis(AnalysisOptions options, String toolVersion) {
        this.options = options;
        this.toolVersion = toolVersion;
    }

    /** Re-analyses the run in {@code dir} and rewrites its report.json and summary.txt. */
    public Regenerated regenerate(Path dir) throws NotARunFolderException, PolicyException, CorpusException,
            IOException {
        if (!Files.isDirectory(dir)) {
            throw new NotARunFolderException(dir + ": no such directory");
        }
        RunFolder probe = new RunFolder("", dir);
        Path oldReport = probe.report();
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(probe.metadata())) {
            missing.add(probe.metadata().getFileName().toString());
        }
        if (!Files.isRegularFile(probe.capture())) {
            missing.add(probe.capture().getFileName().toString());
        }
        if (!Files.isDirectory(probe.corpus())) {
            missing.add(probe.corpus().getFileName() + "/");
        }
        JsonNode previous = readIfPresent(oldReport);
        boolean policyInOldReport = previous != null && previous.path("policy").isObject();
        if (!Files.isRegularFile(probe.policy()) && !policyInOldReport) {
            missing.add(RunPolicy.FILE_NAME + " (nor a report.json with a policy section)");
        }
        if (!missing.isEmpty()) {
            throw new NotARunFolderException(dir + ": not a run folder: missing " + String.join(", ", missing));
        }
        JsonNode runJson = JSON.readTree(probe.metadata().toFile());
        if (!(runJson instanceof ObjectNode runNode) || !runJson.path("runId").isTextual()
                || !runJson.path("scenario").isTextual()) {
            throw new NotARunFolderException(probe.metadata() + ": not a run.json (no runId/scenario)");
        }
        RunFolder folder = new RunFolder(runNode.get("runId").asText(), dir);
        List<String> warnings = new ArrayList<>();
        Policy policy;
        if (Files.isRegularFile(folder.policy())) {
            policy = PolicyLoader.load(folder.policy());
        } else {
            // Folders from before policy.yaml was written: the old report recorded the effective policy.
            policy = PolicyLoader.parse(oldReport + " (policy section)", previous.get("policy").toString());
            warnings.add("no " + RunPolicy.FILE_NAME + " in the run folder: used the policy recorded in the "
                    + "previous report.json");
        }

        AnalysisEngine engine = new AnalysisEngine(options);
        Corpus corpus = new CorpusLoader(engine.decoders()).load(folder.corpus());
        Path keyLog = ScenarioRunner.analysisKeyLog(folder);
        KeyLog keys = keyLog == null ? KeyLog.empty() : KeyLog.load(keyLog);
        AnalysisResult result = engine.analyze(folder.capture(), corpus, policy, keys);
        result = result.withExtraFindings(RefusedTls.findings(refusedTls(folder.servicesLog(), warnings), result));

        CaptureStats stats = captureStats(runNode.path("capture"));
        Verdict verdict = result.verdict();
        if (stats != null && !stats.complete()) {
            verdict = verdict.worst(Verdict.OPAQUE); // run.json's notes already say so
        }
        List<String> activityNotes = new ArrayList<>();
        List<String> activity = new ArrayList<>(ScenarioRunner.fileActivity(folder, corpus, result, activityNotes));
        warnings.addAll(activityNotes);

        ObjectNode report = new JsonReport(toolVersion).toJson(result);
        // a run whose containment self-test failed stays ERROR: re-analysis cannot make it contained
        boolean uncontained = "FAILED".equals(runNode.path("containment").path("status").asText());
        report.put("verdict", uncontained ? "ERROR" : verdict.name());
        ObjectNode run = runNode.deepCopy();
        if (!uncontained) {
            // report.json of an analysed run carries no problem; run.json may, from a failed analysis.
            run.remove("problem");
        }
        // process attribution came from live sampling during the run: keep what the previous report recorded
        Path attributionFile = dir.resolve(RunAttribution.FILE);
        JsonNode attribution = Files.isRegularFile(attributionFile) ? JSON.readTree(attributionFile.toFile())
                : previous == null ? null : previous.path("run").path("attribution");
        if (attribution != null && attribution.isObject()) {
            run.set("attribution", attribution.deepCopy());
            // the summary tells each process's story after the file activity, as the run did
            attribution.path("stories").forEach(st -> st.path("sentences").forEach(x -> activity.add(x.asText())));
        }
        if (Files.isRegularFile(folder.fileTrace())) {
            ArrayNode a = run.putArray("fileActivity");
            activity.forEach(a::add);
        }
        ObjectNode regenerated = run.putObject("regenerated");
        regenerated.put("at", Instant.now().toString());
        regenerated.put("tool", "egress-audit " + toolVersion);
        report.set("run", run);
        writeAtomically(folder.report(), JSON.writeValueAsString(report));

        List<String> notes = new ArrayList<>();
        runNode.path("notes").forEach(n -> notes.add(n.asText()));
        Optional<Verdict> expect = Optional.ofNullable(text(runNode, "expect")).map(RunReanalysis::verdictOrNull);
        String summary = RunSummary.text(new RunSummary.Facts(runNode.get("scenario").asText(), dir,
                text(runNode, "agentVersion"), text(runNode, "stopReason"), stats, notes, activity, result, verdict,
                verdict == Verdict.PASS ? 0 : 1, null, expect), false);
        writeAtomically(folder.summary(), summary);
        return new Regenerated(report, verdict, result, summary, warnings);
    }

    /** TLS sessions the client refused, from the harness's event log (absent log: none). */
    static List<ServiceEvent> refusedTls(Path servicesLog, List<String> warnings) throws IOException {
        List<ServiceEvent> out = new ArrayList<>();
        if (!Files.isRegularFile(servicesLog)) {
            return out;
        }
        ObjectMapper json = new ObjectMapper();
        int lineNo = 0;
        int bad = 0;
        try (BufferedReader r = Files.newBufferedReader(servicesLog, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lineNo++;
                // Cheap filter first: the log can hold hundreds of thousands of events.
                if (!line.contains("\"tls_refused\"")) {
                    continue;
                }
                try {
                    JsonNode e = json.readTree(line);
                    if (!"tls_refused".equals(e.path("kind").asText())) {
                        continue;
                    }
                    Map<String, String> attributes = new LinkedHashMap<>();
                    e.path("attributes").fields().forEachRemaining(f ->
                            attributes.put(f.getKey(), f.getValue().isNull() ? null : f.getValue().asText()));
                    out.add(new ServiceEvent(Instant.parse(e.path("timestamp").asText()),
                            ServiceEvent.Service.valueOf(e.path("service").asText().toUpperCase(java.util.Locale.ROOT)),
                            address(e.path("client").asText(null)), address(e.path("originalDestination").asText(null)),
                            ServiceEvent.Kind.TLS_REFUSED, e.path("detail").asText(""), attributes));
                } catch (IOException | RuntimeException ex) {
                    if (bad++ == 0) {
                        warnings.add(servicesLog.getFileName() + ":" + lineNo + ": unreadable tls_refused event ("
                                + ex.getMessage() + "), skipped");
                    }
                }
            }
        }
        if (bad > 1) {
            warnings.add(servicesLog.getFileName() + ": " + (bad - 1) + " more unreadable tls_refused event(s)");
        }
        return out;
    }

    /** "192.0.2.1:443" or "[2001:db8::1]:443"; null stays null. */
    static InetSocketAddress address(String text) throws IOException {
        if (text == null || text.isEmpty() || text.equals("-")) {
            return null;
        }
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IOException("not address:port: " + text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!LITERAL_ADDRESS.matcher(host).matches()) {
            throw new IOException("not a literal address: " + text);
        }
        int port = Integer.parseInt(text.substring(colon + 1));
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    private static CaptureStats captureStats(JsonNode c) {
        if (!c.isObject()) {
            return null;
        }
        return new CaptureStats(c.path("received").asLong(), c.path("dropped").asLong(),
                c.path("droppedByInterface").asLong(), c.path("fileBytes").asLong(),
                c.path("fileLimitReached").asBoolean());
    }

    private static JsonNode readIfPresent(Path file) {
        try {
            return Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : null;
        } catch (IOException e) {
            return null; // a damaged old report is what this command repairs
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Verdict verdictOrNull(String s) {
        try {
            return Verdict.valueOf(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void writeAtomically(Path out, String content) throws IOException {
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
