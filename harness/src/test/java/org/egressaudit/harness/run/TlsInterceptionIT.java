package org.egressaudit.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.egressaudit.harness.sandbox.TestImages;
import org.egressaudit.harness.scenario.Scenario;
import org.egressaudit.harness.scenario.ScenarioLoader;
import org.egressaudit.harness.tls.RunCertificateAuthority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole run with TLS interception: the sandbox trusts the run CA (system store via update-ca-certificates, and a
 * bundle the scenario names), curl uploads over HTTPS to a vendor name and gets the responder's answer, while a
 * curl with an unrelated CA and one with a pinned key refuse and are recorded as tls_refused. The key log holds a
 * line set per intercepted session. Every name is under .example; nothing leaves the host (ContainmentIT).
 */
class TlsInterceptionIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void curlUploadsThroughInterceptionAndRefusalsAreRecorded(@TempDir Path dir) throws Exception {
        ScenarioFixture fx = new ScenarioFixture(dir); // writes corpus/ and policy.yaml
        String script = String.join("\n",
                "f=/home/user/Documents/memo.txt",
                "curl -sS -m 20 https://upload.vendor.example/x -F f=@$f; echo; echo \"RESULT default=$?\"",
                "curl -sS -m 20 --http1.1 --tlsv1.2 --tls-max 1.2 https://legacy.vendor.example/v1/put "
                        + "--data-binary @$f; echo; echo \"RESULT tls12=$?\"",
                "curl -sS -m 20 --cacert /opt/agent/ca-bundle.pem https://bundle.vendor.example/b -d x=1; echo; "
                        + "echo \"RESULT bundle=$?\"",
                "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=unrelated "
                        + "-keyout /tmp/unrelated.key -out /tmp/unrelated.pem -days 1 2>/dev/null",
                // Debian's curl also reads the CApath /etc/ssl/certs: an empty one makes the own CA the only one
                "mkdir -p /tmp/no-certs",
                "curl -sS -m 20 --cacert /tmp/unrelated.pem --capath /tmp/no-certs https://pinned.vendor.example/y "
                        + "-F f=@$f; echo \"RESULT unrelated=$?\"",
                "curl -sS -m 20 --pinnedpubkey 'sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' "
                        + "https://pin.vendor.example/z -F f=@$f; echo \"RESULT pin=$?\"",
                "exit 0");
        Path agent = dir.resolve("agent.sh");
        Files.writeString(agent, "#!/bin/sh\n" + script + "\n");
        Files.writeString(dir.resolve("bundle.pem"), ""); // the agent's own (empty) bundle: the run CA is appended
        Path file = dir.resolve("tls.yaml");
        Files.writeString(file, "name: tls-interception\n"
                + "sandbox: {image: " + TestImages.sandboxImage() + ", trustStores: [/opt/agent/ca-bundle.pem]}\n"
                + "agent:\n  files:\n    - {from: agent.sh, to: /opt/agent/agent.sh, mode: \"0755\"}\n"
                + "    - {from: bundle.pem, to: /opt/agent/ca-bundle.pem}\n"
                + "  start: /opt/agent/agent.sh\n"
                + "corpus:\n  - {from: corpus, to: /home/user/Documents}\n"
                + "stop: {duration: 90s, agentExits: true}\n"
                + "policy: policy.yaml\n");
        Scenario scenario = ScenarioLoader.load(file);
        RunOutcome o = fx.runner().run(scenario);
        assertNotNull(o.result(), o.problem() + "\n" + fx.progress);
        Path folder = o.folder().dir();
        String agentLog = Files.readString(o.folder().agentLog());
        String commands = Files.readString(o.folder().commandsLog());

        // the sandbox trusted the run CA, and curl could upload
        for (String ok : List.of("RESULT default=0", "RESULT tls12=0", "RESULT bundle=0")) {
            assertTrue(agentLog.contains(ok), ok + " missing; agent log:\n" + agentLog + "\ncommands:\n" + commands);
        }
        assertTrue(agentLog.contains("{\"status\":\"ok\"}"), agentLog);
        // 60: peer certificate cannot be authenticated with the given CA; 90: pinned key mismatch
        assertTrue(agentLog.contains("RESULT unrelated=60"), agentLog);
        assertTrue(agentLog.contains("RESULT pin=90"), agentLog);
        assertTrue(commands.contains("[trust system trust store]"), commands);

        List<JsonNode> events = events(o.folder().servicesLog());
        long memo = Files.size(dir.resolve("corpus/memo.txt"));
        JsonNode upload = one(events, e -> kind(e, "http_request") && attr(e, "host").equals("upload.vendor.example"));
        assertEquals("POST", attr(upload, "method"));
        assertEquals("/x", attr(upload, "path"));
        assertEquals("HTTP/2", attr(upload, "version"), "curl offers h2 and the harness accepts it");
        assertTrue(Long.parseLong(attr(upload, "bodyBytes")) > memo, upload.toString());
        JsonNode legacy = one(events, e -> kind(e, "http_request") && attr(e, "host").equals("legacy.vendor.example"));
        assertEquals("HTTP/1.1", attr(legacy, "version"));
        assertEquals(Long.toString(memo), attr(legacy, "bodyBytes"));
        assertEquals("TLS 1.2", attr(one(events, e -> kind(e, "tls_intercepted")
                && attr(e, "sni").equals("legacy.vendor.example")), "version"));

        JsonNode unrelated = one(events, e -> kind(e, "tls_refused") && attr(e, "sni").equals("pinned.vendor.example"));
        assertEquals("unknown_ca(48)", attr(unrelated, "alert"));
        assertEquals("handshake", attr(unrelated, "stage"));
        assertTrue(attr(unrelated, "alpnOffered").contains("h2"), unrelated.toString());
        assertEquals(64, attr(unrelated, "certificateSha256").length());
        JsonNode pinned = one(events, e -> kind(e, "tls_refused") && attr(e, "sni").equals("pin.vendor.example"));
        assertEquals("after-handshake", attr(pinned, "stage"), "curl checks the pin after the handshake");

        // the key log has the intercepted sessions: 3 accepted + the pinned one (its handshake completed)
        List<String> keys = Files.readAllLines(folder.resolve("tls-keys.log"));
        assertTrue(keys.stream().allMatch(l -> l.matches("[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]+")), keys.toString());
        assertEquals(4, keys.stream().map(l -> l.split(" ")[1]).distinct().count(), keys.toString());
        assertEquals(1, keys.stream().filter(l -> l.startsWith("CLIENT_RANDOM ")).count(), "one TLS 1.2 session");
        assertEquals(folder.resolve("tls-keys.log"), ScenarioRunner.analysisKeyLog(o.folder()));
        assertTrue(RunCertificateAuthority.load(folder.resolve("tls-ca.pem"), folder.resolve("tls-ca-key.pem"))
                .subject().contains(o.folder().runId()));
        assertTrue(Leftovers.of(o.folder().runId()).isEmpty());
    }

    private static List<JsonNode> events(Path servicesLog) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(servicesLog)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    private static JsonNode one(List<JsonNode> events, Predicate<JsonNode> test) {
        List<JsonNode> found = events.stream().filter(test).toList();
        assertEquals(1, found.size(), "matching events: " + found + "\nall: " + events);
        return found.get(0);
    }

    private static boolean kind(JsonNode e, String kind) {
        return e.get("kind").asText().equals(kind);
    }

    private static String attr(JsonNode e, String name) {
        JsonNode v = e.get("attributes").get(name);
        return v == null || v.isNull() ? "" : v.asText();
    }
}
