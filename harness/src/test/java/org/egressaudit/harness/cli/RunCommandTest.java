package org.egressaudit.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run command's input checks, which fail before any sandbox is set up. */
class RunCommandTest {

    static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = EgressAudit.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void aBadScenarioIsBadInputNamingFileLineAndKey(@TempDir Path dir) throws Exception {
        Path s = dir.resolve("bad.yaml");
        Files.writeString(s, "name: bad\nagent: {start: \"true\"}\npolicy: {allow: []}\nstopp: {duration: 5s}\n");
        String[] r = run("run", s.toString(), "--out", dir.resolve("runs").toString());
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("bad.yaml:4") && r[2].contains("stopp"), r[2]);
    }

    @Test
    void aReusedCaNeedsItsKeyAndMustBeACa(@TempDir Path dir) throws Exception {
        Path scenario = Path.of("../scenarios/container/honest.yaml");
        String[] r = run("run", scenario.toString(), "--tls-ca", dir.resolve("ca.pem").toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--tls-ca and --tls-ca-key go together"), r[2]);
        Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        Files.writeString(dir.resolve("ca.key"), "not a key");
        r = run("run", scenario.toString(), "--tls-ca", dir.resolve("ca.pem").toString(), "--tls-ca-key",
                dir.resolve("ca.key").toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("ca.pem"), r[2]);
    }

    @Test
    void parallelIsBounded() {
        String[] r = run("run", "../scenarios/container/honest.yaml", "--parallel", "0");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--parallel"), r[2]);
    }

    @Test
    void aBadShardIsBadInput() {
        String[] r = run("run", "../scenarios/suites/smoke", "--shard", "5/4");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--shard"), r[2]);
    }
}
