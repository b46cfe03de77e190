package org.egressaudit.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.egressaudit.analyzers.policy.PolicyLoader;
import org.egressaudit.harness.cli.EgressAudit;
import org.egressaudit.harness.cli.ExitCodes;
import org.egressaudit.harness.report.ReportSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real run (plain HTTP upload, an intercepted HTTPS upload, a pinned client that refuses interception): its
 * report.json and run.json satisfy docs/report.schema.json, and {@code egress-audit report} regenerates the
 * deleted report.json and summary.txt with the same verdict and findings, without re-running.
 */
class RunReportIT {

    @Test
    void realRunReportIsValidAndReportCommandRegeneratesIt(@TempDir Path dir) throws Exception {
        ScenarioFixture fx = new ScenarioFixture(dir);
        String script = String.join("\n",
                "f=/home/user/Documents/memo.txt",
                "curl -s -m 10 http://upload.vendor.example/plain --data-binary @$f -o /dev/null",
                "curl -sS -m 20 https://tls.vendor.example/x -F f=@$f -o /dev/null",
                "curl -sS -m 20 --pinnedpubkey 'sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' "
                        + "https://pin.vendor.example/z -F f=@$f -o /dev/null",
                "exit 0");
        RunOutcome o = fx.runner().run(fx.scenario("report-regen", script, "{duration: 60s, agentExits: true}"));
        assertNotNull(o.result(), o.problem() + "\n" + fx.progress);
        RunFolder folder = o.folder();

        // The run's own reports satisfy the schema.
        JsonNode original = ReportSchema.read(folder.report());
        assertEquals(List.of(), ReportSchema.problems(original), original.toPrettyString());
        assertEquals(List.of(), ReportSchema.runProblems(ReportSchema.read(folder.metadata())));
        assertEquals("FAIL", original.get("verdict").asText());
        assertTrue(original.get("findings").toString().contains("\"effect\":\"OPAQUE\""),
                "the pinned client's refusal is a finding: " + original.get("findings"));
        // The effective policy is in the folder and is the scenario's.
        assertEquals(o.scenario().policy(), PolicyLoader.load(folder.policy()));

        String originalSummary = Files.readString(folder.summary());
        Files.delete(folder.report());
        Files.delete(folder.summary());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = EgressAudit.execute(new PrintWriter(out), new PrintWriter(err), "report", folder.dir().toString());
        assertEquals(ExitCodes.FAIL_OR_OPAQUE, code, out + "\n" + err);
        assertTrue(Files.isRegularFile(folder.report()) && Files.isRegularFile(folder.summary()));

        JsonNode regenerated = ReportSchema.read(folder.report());
        assertEquals(List.of(), ReportSchema.problems(regenerated));
        assertEquals(original.get("verdict"), regenerated.get("verdict"));
        assertEquals(original.get("findings"), regenerated.get("findings"));
        assertEquals(original.get("policy"), regenerated.get("policy"));
        assertEquals(original.get("totals"), regenerated.get("totals"));
        ObjectNode run = ((ObjectNode) regenerated.get("run")).deepCopy();
        assertTrue(run.remove("regenerated").has("at"), run.toPrettyString());
        assertEquals(original.get("run"), run);
        // summary.txt: same content (the verdict block and expectations) as the run wrote.
        assertEquals(originalSummary, Files.readString(folder.summary()));
        assertTrue(out.toString().contains("VERDICT: FAIL"), out.toString());
    }

    @Test
    void folderThatIsNotARunFolderIsBadInputNamingWhatIsMissing(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("run.json"), "{\"runId\":\"x1\",\"scenario\":\"s\"}");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = EgressAudit.execute(new PrintWriter(out), new PrintWriter(err), "report", dir.toString());
        assertEquals(ExitCodes.BAD_INPUT, code);
        assertTrue(err.toString().contains("not a run folder") && err.toString().contains("capture.pcap")
                && err.toString().contains("corpus/") && err.toString().contains("policy.yaml"), err.toString());
        assertFalse(err.toString().contains("run.json"), err.toString());
        assertFalse(Files.exists(dir.resolve("report.json")));
    }
}
