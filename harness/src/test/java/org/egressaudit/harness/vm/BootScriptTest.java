package org.egressaudit.harness.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.exec.HostCommandResult;
import org.egressaudit.harness.tls.SandboxTrust;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated script: valid POSIX sh, every hostile value arriving as one literal word, steps in the runner's
 * order, triggers scheduled after the agent. The plan's part runs under dash with stand-ins for the prologue's
 * functions (nothing is mounted, copied or powered off on the host); the label reader runs on real images.
 */
class BootScriptTest {
    @TempDir
    Path dir;

    /** Quotes, command substitutions (that would create the canary), backticks, newlines, spaces, globs. */
    private String hostile(String tag) {
        return tag + " it's \"q\" $(touch " + dir.resolve("canary") + ") `touch " + dir.resolve("canary2")
                + "` ; & | *\n second line \\ $HOME ${PATH} '";
    }

    private BootScript.Plan plan(List<String> install, List<BootScript.Trigger> triggers) throws IOException {
        Path agentFile = Files.writeString(dir.resolve("agent.bin"), "agent");
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        Files.writeString(corpus.resolve("x.txt"), "planted");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        return new BootScript.Plan(
                List.of(new BootScript.Copy(agentFile, "/opt/" + hostile("to").replace("\n", " ").replace("'", "q"),
                        Optional.of("0755"))),
                install, Optional.of(ca), List.of("/etc/agent bundle.pem"),
                List.of(new BootScript.Copy(corpus, "/home/user/Documents")),
                hostile("agent"), triggers, Duration.ofMillis(30_500), true,
                Optional.of("/var/tmp/egress-audit/files.trace"));
    }

    /** Runs the plan's steps under dash with every prologue function replaced by a recorder; returns the calls. */
    private List<List<String>> runSteps(BootScript script, String runCmdStub) throws IOException {
        Path rec = dir.resolve("calls");
        String stubs = """
                rec() { printf '%s' "$1" >> "$REC"; shift; for a in "$@"; do printf '\\036%s' "$a" >> "$REC"; done; \
                printf '\\035' >> "$REC"; }
                log() { rec log "$@"; }
                note() { rec note "$@"; }
                copy_in() { rec copy_in "$@"; }
                install_ca() { rec install_ca "$@"; }
                start_agent() { rec start_agent "$@"; }
                setup_failed() { rec setup_failed "$@"; exit 0; }
                supervise() { rec supervise "$@"; wait; rec done; }
                """ + runCmdStub + "\n";
        Path sh = dir.resolve("steps.sh");
        Files.writeString(sh, stubs + script.steps(), StandardCharsets.UTF_8);
        HostCommandResult r = HostCommand.of("dash", sh.toString()).env("REC", rec.toString())
                .timeout(Duration.ofSeconds(30)).run();
        assertTrue(r.succeeded(), r.outputTail(2000));
        assertFalse(Files.exists(dir.resolve("canary")), "a $( ) in a value was executed");
        assertFalse(Files.exists(dir.resolve("canary2")), "a backtick in a value was executed");
        List<List<String>> calls = new ArrayList<>();
        for (String call : Files.readString(rec, StandardCharsets.UTF_8).split("\u001d")) {
            if (!call.isEmpty()) {
                calls.add(List.of(call.split("\u001e", -1)));
            }
        }
        return calls;
    }

    private static List<List<String>> without(String name, List<List<String>> calls) {
        return calls.stream().filter(c -> !c.get(0).equals(name)).toList();
    }

    @Test
    void hostileValuesArriveAsOneLiteralWordEachAndStepsRunInTheRunnersOrder() throws IOException {
        BootScript.Plan plan = plan(List.of(hostile("install1"), "true"),
                List.of(BootScript.Trigger.exec(hostile("t").replace("\n", " "), Duration.ofMillis(100),
                        hostile("trigger"))));
        List<List<String>> calls = without("log", runSteps(new BootScript(plan),
                "run_cmd() { rec run_cmd \"$@\"; rc=0; }"));
        List<String> names = calls.stream().map(c -> c.get(0)).toList();
        List<String> trust = SandboxTrust.steps(plan.trustStores()).stream().map(s -> "run_cmd").toList();
        List<String> expected = new ArrayList<>(List.of("copy_in", "run_cmd", "run_cmd", "install_ca"));
        expected.addAll(trust);
        expected.addAll(List.of("copy_in", "start_agent", "supervise", "run_cmd", "done"));
        assertEquals(expected, names, calls::toString);

        assertEquals(List.of("copy_in", "files/0", plan.agentFiles().get(0).to(), "0755", "0"), calls.get(0));
        assertEquals(List.of("run_cmd", "install 1", hostile("install1")), calls.get(1));
        assertEquals(List.of("install_ca", SandboxTrust.SYSTEM_CA_PATH), calls.get(3));
        int corpus = names.indexOf("start_agent") - 1;
        assertEquals(List.of("copy_in", "corpus/0", "/home/user/Documents", "", "1"), calls.get(corpus));
        assertEquals(List.of("start_agent", hostile("agent")), calls.get(corpus + 1));
        assertEquals(List.of("supervise", "30.500", "1", "/var/tmp/egress-audit/files.trace"), calls.get(corpus + 2));
        // the trigger fired in the background after the agent started, with its command intact
        assertEquals(List.of("run_cmd", "trigger " + hostile("t").replace("\n", " "), hostile("trigger")),
                calls.get(corpus + 3));
    }

    @Test
    void aFailingInstallCommandEndsTheRunBeforeTheAgent() throws IOException {
        BootScript.Plan plan = plan(List.of("first", "second fails", "third"), List.of());
        List<List<String>> calls = without("log", runSteps(new BootScript(plan),
                "run_cmd() { rec run_cmd \"$@\"; case \"$2\" in *fails) rc=3; return 3;; esac; rc=0; }"));
        List<String> names = calls.stream().map(c -> c.get(0)).toList();
        assertEquals(List.of("copy_in", "run_cmd", "run_cmd", "setup_failed"), names, calls::toString);
        assertEquals(List.of("setup_failed", "install command 2 of 3", "exit 3"), calls.get(3));
    }

    @Test
    void copyTriggersAreLaidOutAndScheduled() throws IOException {
        Path extra = Files.writeString(dir.resolve("late.txt"), "late");
        BootScript.Plan plan = plan(List.of(), List.of(
                BootScript.Trigger.exec("first", Duration.ofMillis(50), "echo one"),
                BootScript.Trigger.copy("drop", Duration.ofMillis(200),
                        new BootScript.Copy(extra, "/home/user/Desktop/late.txt", Optional.of("0600")))));
        BootScript script = new BootScript(plan);
        assertTrue(script.steps().contains("( sleep 0.050; run_cmd 'trigger first' 'echo one' ) &"),
                script.steps());
        List<List<String>> calls = runSteps(script, "run_cmd() { rec run_cmd \"$@\"; rc=0; }");
        List<List<String>> copies = calls.stream().filter(c -> c.get(0).equals("copy_in")).toList();
        assertEquals(List.of("copy_in", "triggers/1", "/home/user/Desktop/late.txt", "0600", "0"), copies.get(2));

        Path root = dir.resolve("disk");
        script.writeTo(root);
        assertEquals("late", Files.readString(root.resolve("egress-audit/triggers/1")));
        assertFalse(Files.exists(root.resolve("egress-audit/triggers/0")));
    }

    @Test
    void theWholeScriptIsPosixShell() throws IOException {
        BootScript script = new BootScript(plan(List.of(hostile("i")), List.of(
                BootScript.Trigger.exec("t", Duration.ofSeconds(1), hostile("t")))));
        String text = script.text();
        assertTrue(text.startsWith("#!/bin/sh\n"));
        Path sh = Files.writeString(dir.resolve("run.sh"), text);
        for (List<String> parser : List.of(List.of("dash", "-n"), List.of("busybox", "sh", "-n"))) {
            List<String> argv = new ArrayList<>(parser);
            argv.add(sh.toString());
            HostCommandResult r = HostCommand.of(argv).run();
            assertTrue(r.succeeded(), parser + ": " + r.outputTail(2000));
        }
        for (String bashism : List.of("[[", "function ", "$'", "<<<", "pipefail", "local ", "source ", "&>")) {
            assertFalse(text.contains(bashism), "bash-only syntax in the script: " + bashism);
        }
        assertTrue(text.contains("LABEL='EGRESS-DATA'"), text);
        assertTrue(new BootScript(script.plan(), DataDisk.FAT_LABEL).text().contains("LABEL='EGRESSDATA'"));
    }

    @Test
    void readsTheLabelsOfRealImagesFromTheirSuperblocks() throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("f"), "x");
        for (DataDisk.Format f : DataDisk.Format.values()) {
            Path img = dir.resolve(f + ".img");
            DataDisk.create(src, img, f);
            HostCommandResult r = HostCommand.of("dash", "-c", BootScript.FIND_DISK + "\nraw_label \"$1\"", "sh",
                    img.toString()).run();
            assertTrue(r.succeeded(), r.outputTail(500));
            assertEquals(DataDisk.defaultLabel(f), r.stdoutText().strip(), f.toString());
        }
        HostCommandResult none = HostCommand.of("dash", "-c", BootScript.FIND_DISK + "\nraw_label \"$1\"", "sh",
                src.resolve("f").toString()).run();
        assertEquals("", none.stdoutText());
    }

    @Test
    void writeToLaysOutTheDisk() throws IOException {
        BootScript.Plan plan = plan(List.of("true"), List.of());
        Files.createDirectories(dir.resolve("corpus/sub"));
        Files.writeString(dir.resolve("corpus/sub/y.bin"), "y");
        Path root = dir.resolve("disk");
        new BootScript(plan).writeTo(root);
        Path d = root.resolve(BootScript.DIR);
        assertEquals("agent", Files.readString(d.resolve("files/0")));
        assertEquals("planted", Files.readString(d.resolve("corpus/0/x.txt")));
        assertEquals("y", Files.readString(d.resolve("corpus/0/sub/y.bin")));
        assertTrue(Files.readString(root.resolve(BootScript.CA_PEM)).startsWith("-----BEGIN CERTIFICATE"));
        assertTrue(Files.isDirectory(root.resolve(BootScript.OUT)));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                root.resolve(BootScript.SCRIPT))));
        assertEquals(new BootScript(plan).text(), Files.readString(root.resolve(BootScript.SCRIPT)));

        IllegalArgumentException notEmpty = assertThrows(IllegalArgumentException.class,
                () -> new BootScript(plan).writeTo(root));
        assertTrue(notEmpty.getMessage().contains("not empty"));
        Files.createSymbolicLink(dir.resolve("corpus/link"), Path.of("/etc/passwd"));
        IllegalArgumentException link = assertThrows(IllegalArgumentException.class,
                () -> new BootScript(plan).writeTo(dir.resolve("disk2")));
        assertTrue(link.getMessage().contains("symbolic link"), link.getMessage());
    }

    @Test
    void refusesPlansNoScriptCanCarry() throws IOException {
        Path f = Files.writeString(dir.resolve("f"), "x");
        assertThrows(IllegalArgumentException.class, () -> new BootScript.Copy(f, "relative/path"));
        assertThrows(IllegalArgumentException.class, () -> new BootScript.Copy(f, "/a", Optional.of("0999")));
        assertThrows(IllegalArgumentException.class, () -> new BootScript.Copy(f, "/a", Optional.of("u+x")));
        assertThrows(IllegalArgumentException.class, () -> BootScript.Trigger.exec("t", Duration.ofSeconds(-1), "x"));
        assertThrows(IllegalArgumentException.class, () -> BootScript.Trigger.exec("t\nx", Duration.ZERO, "x"));
        assertThrows(IllegalArgumentException.class, () -> BootScript.Trigger.exec("t", Duration.ZERO, "a\0b"));
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class, () -> new BootScript.Plan(
                List.of(), List.of("ok", "bad\0"), Optional.empty(), List.of(), List.of(), "agent", List.of(),
                Duration.ofSeconds(10), true, Optional.empty()));
        assertTrue(nul.getMessage().contains("install command 2"), nul.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BootScript.Plan(List.of(), List.of(),
                Optional.empty(), List.of(), List.of(), " ", List.of(), Duration.ofSeconds(10), true,
                Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new BootScript.Plan(List.of(), List.of(),
                Optional.empty(), List.of(), List.of(), "agent", List.of(), Duration.ZERO, true, Optional.empty()));
        BootScript.Plan ok = new BootScript.Plan(List.of(), List.of(), Optional.empty(), List.of(), List.of(),
                "agent", List.of(), Duration.ofSeconds(1), false, Optional.empty());
        assertThrows(IllegalArgumentException.class, () -> new BootScript(ok, "bad label"));
        assertFalse(new BootScript(ok).text().contains("install_ca '"), "no CA step without a CA");
    }

    @Test
    void secondsKeepMilliseconds() {
        assertEquals("1", BootScript.seconds(Duration.ofSeconds(1)));
        assertEquals("0.050", BootScript.seconds(Duration.ofMillis(50)));
        assertEquals("90.001", BootScript.seconds(Duration.ofMillis(90_001)));
    }
}
