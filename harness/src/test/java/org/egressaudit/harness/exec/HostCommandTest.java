package org.egressaudit.harness.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostCommandTest {

    @Test
    void capturesStdoutStderrAndExitCode() {
        HostCommandResult r = HostCommand.shell("echo out; echo err >&2; exit 3").run();
        assertEquals(3, r.exitCode());
        assertEquals("out\n", r.stdoutText());
        assertEquals("err\n", r.stderrText());
        assertFalse(r.succeeded());
        assertFalse(r.timedOut());
    }

    @Test
    void argumentsAreNotParsedByAShell() {
        HostCommandResult r = HostCommand.of("printf", "%s|", "a b", "$HOME", "'q'", "").runChecked();
        assertEquals("a b|$HOME|'q'||", r.stdoutText());
    }

    @Test
    void shellPositionalArgumentsStayData() {
        HostCommandResult r = HostCommand.shell("printf '%s' \"$1\"", "; rm -rf /nonexistent-x").runChecked();
        assertEquals("; rm -rf /nonexistent-x", r.stdoutText());
    }

    @Test
    void feedsStdinAndUsesWorkingDirectoryAndEnv(@TempDir Path dir) {
        HostCommandResult r = HostCommand.shell("cat; pwd; printf '%s' \"$EA_TEST_VAR\"")
                .stdin("in\n".getBytes(StandardCharsets.UTF_8))
                .workingDirectory(dir)
                .env("EA_TEST_VAR", "v1")
                .runChecked();
        assertEquals("in\n" + real(dir) + "\nv1", r.stdoutText());
    }

    @Test
    void keepsOnlyTheTailOfLargeOutput() {
        HostCommandResult r = HostCommand.shell("head -c 100000 /dev/zero | tr '\\0' a; printf END")
                .outputLimit(1000).runChecked();
        assertEquals(1000, r.stdout().length);
        assertTrue(r.stdoutTruncated());
        assertTrue(r.stdoutText().endsWith("aaaEND"));
    }

    @Test
    void killsOnTimeout() {
        long t0 = System.nanoTime();
        HostCommandResult r = HostCommand.of("sleep", "30").timeout(Duration.ofMillis(300)).run();
        assertTrue(r.timedOut());
        assertFalse(r.succeeded());
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 10);
        HostCommandException e = assertThrows(HostCommandException.class,
                () -> HostCommand.of("sleep", "30").timeout(Duration.ofMillis(300)).runChecked());
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    }

    @Test
    void failureNamesCommandExitCodeAndStderr() {
        HostCommandException e = assertThrows(HostCommandException.class,
                () -> HostCommand.of("ls", "/nonexistent-egress-audit").runChecked());
        assertTrue(e.getMessage().startsWith("`ls /nonexistent-egress-audit` exited with code 2"), e.getMessage());
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        assertEquals(2, e.result().orElseThrow().exitCode());
    }

    @Test
    void missingExecutableIsExplained() {
        HostCommandException e = assertThrows(HostCommandException.class,
                () -> HostCommand.of("egress-audit-no-such-tool", "x").run());
        assertTrue(e.getMessage().contains("not installed or not on PATH"), e.getMessage());
        assertTrue(e.result().isEmpty());
    }

    @Test
    void echoesOutputForProgress() {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        HostCommand.shell("echo one; echo two >&2").echoTo(progress).runChecked();
        String p = progress.toString(StandardCharsets.UTF_8);
        assertTrue(p.contains("one\n") && p.contains("two\n"), p);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> HostCommand.of(""));
        assertThrows(IllegalArgumentException.class, () -> HostCommand.of("echo", "a\0b"));
        assertThrows(IllegalArgumentException.class, () -> HostCommand.of("echo").timeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> HostCommand.of("echo").env("A=B", "x"));
    }

    @Test
    void tailBufferKeepsLastBytesInOrder() {
        TailBuffer b = new TailBuffer(4);
        b.write("abc".getBytes(StandardCharsets.US_ASCII), 0, 3);
        b.write('d');
        b.write("efg".getBytes(StandardCharsets.US_ASCII), 0, 3);
        assertArrayEquals("defg".getBytes(StandardCharsets.US_ASCII), b.toByteArray());
        b.write("0123456789".getBytes(StandardCharsets.US_ASCII), 0, 10);
        assertArrayEquals("6789".getBytes(StandardCharsets.US_ASCII), b.toByteArray());
        assertEquals(17, b.totalBytes());
        assertTrue(b.truncated());
    }

    private static String real(Path p) {
        try {
            return p.toRealPath().toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
