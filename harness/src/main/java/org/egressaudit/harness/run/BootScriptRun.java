package org.egressaudit.harness.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.egressaudit.harness.scenario.CorpusEntry;
import org.egressaudit.harness.scenario.FileCopy;
import org.egressaudit.harness.scenario.Scenario;
import org.egressaudit.harness.scenario.Trigger;
import org.egressaudit.harness.vm.BootScript;
import org.egressaudit.harness.vm.DataDisk;
import org.egressaudit.harness.vm.VmSandbox;

/**
 * A VM run under boot-script control: everything the runner does through a command channel (agent files, install
 * commands, run CA, corpus, agent, triggers, stop) goes into a script on a data disk the guest runs at boot; the
 * harness waits for the guest to power off and reads the results back from the disk. Everything read back was
 * written inside the guest, next to the agent: it is bounded and treated as evidence, not trusted.
 */
final class BootScriptRun {
    /** Installing the CA alone took 37 s under TCG: setup gets its own allowance on top of the duration. */
    private static final Duration SETUP_ALLOWANCE = Duration.ofMinutes(5);
    private static final long MAX_LOG = 64L << 20;

    private BootScriptRun() {
    }

    /** Writes the script and the files it plants, and builds the data disk image. */
    static DataDisk prepare(Scenario s, RunFolder folder, List<CorpusEntry> corpus, Path caPem) throws IOException {
        List<BootScript.Copy> files = new ArrayList<>();
        for (FileCopy f : s.agent().files()) {
            files.add(copyOf(f));
        }
        List<BootScript.Copy> planted = new ArrayList<>();
        for (CorpusEntry c : corpus) {
            planted.add(new BootScript.Copy(c.from(), c.to(), Optional.empty()));
        }
        List<BootScript.Trigger> triggers = new ArrayList<>();
        for (Trigger t : s.triggers()) {
            triggers.add(t.exec().isPresent() ? BootScript.Trigger.exec(t.name(), t.at(), t.exec().get())
                    : BootScript.Trigger.copy(t.name(), t.at(), copyOf(t.copy().orElseThrow())));
        }
        BootScript.Plan plan = new BootScript.Plan(files, s.agent().install(), Optional.of(caPem),
                s.sandbox().trustStores(), planted, ScenarioRunner.agentCommand(s), triggers, s.stop().duration(),
                s.stop().agentExits(), s.agent().auditFiles() ? Optional.of(ScenarioRunner.TRACE_FILE)
                : Optional.empty());
        Path root = folder.dir().resolve("vm").resolve("data");
        Files.createDirectories(root);
        new BootScript(plan).writeTo(root);
        DataDisk disk = DataDisk.create(root, folder.dir().resolve("vm").resolve("data.img"), DataDisk.Format.EXT4);
        deleteTree(root); // the image holds it all; the staging copy would only double the folder's size
        return disk;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static BootScript.Copy copyOf(FileCopy f) {
        return new BootScript.Copy(f.from(), f.to(), f.modeOctal().isEmpty() ? Optional.empty()
                : Optional.of(f.modeOctal()));
    }

    /**
     * Waits for the guest to power off, then copies its results into the run folder.
     *
     * @return why the run stopped
     * @throws ScenarioRunner.SetupException when the script reports that setup failed (an install command, the CA)
     */
    static String awaitAndCollect(Scenario s, VmSandbox vm, DataDisk disk, RunFolder folder, List<String> notes,
                                  Duration bootTimeout) throws ScenarioRunner.SetupException {
        Duration limit = s.stop().duration().plus(bootTimeout).plus(SETUP_ALLOWANCE);
        boolean off = vm.awaitPowerOff(limit);
        String stop;
        if (!off) {
            notes.add("the guest did not power off within " + limit.toSeconds() + " s (duration + boot + setup):"
                    + " stopped by the harness, so its results on the data disk may be incomplete");
            vm.stop();
            stop = "the guest did not power off within " + limit.toSeconds() + " s";
        } else {
            stop = null;
        }
        Path vmDir = folder.dir().resolve("vm");
        copy(disk, BootScript.AGENT_LOG, folder.agentLog(), notes);
        copy(disk, BootScript.COMMANDS_LOG, folder.commandsLog(), notes);
        copy(disk, BootScript.STEPS_LOG, vmDir.resolve("steps.log"), notes);
        if (s.agent().auditFiles()) {
            copy(disk, BootScript.TRACE, folder.fileTrace(), notes);
        }
        String status = read(disk, BootScript.STATUS);
        String notesText = read(disk, BootScript.NOTES);
        if (notesText != null) {
            notesText.lines().filter(l -> !l.isBlank()).limit(50).forEach(l -> notes.add("guest: " + l));
        }
        if (status != null && status.startsWith("setup-failed")) {
            throw new ScenarioRunner.SetupException("the boot script's setup failed in the guest: " + status
                    + " (see vm/steps.log and commands.log)", null);
        }
        if (stop != null) {
            return stop;
        }
        if (status == null) {
            return "the guest powered off without the boot script's status (see vm/steps.log, vm/console.log)";
        }
        String code = read(disk, BootScript.EXIT_CODE);
        if (status.startsWith("agent-exited")) {
            String c = code == null ? "?" : code.strip();
            if (!"0".equals(c)) {
                notes.add("the agent exited with code " + c + " (see agent.log)");
            }
            return "agent exited (code " + c + ")";
        }
        if (status.startsWith("duration-reached")) {
            return "duration " + s.stop().duration().toSeconds() + " s reached";
        }
        return "guest status: " + status;
    }

    private static void copy(DataDisk disk, String path, Path to, List<String> notes) {
        try {
            disk.copyOut(path, to, MAX_LOG);
        } catch (RuntimeException e) {
            notes.add("cannot read " + path + " from the data disk: " + e.getMessage());
        }
    }

    private static String read(DataDisk disk, String path) {
        try {
            return new String(disk.read(path, 64 * 1024), StandardCharsets.UTF_8).strip();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
