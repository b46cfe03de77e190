package org.egressaudit.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.harness.network.HostBridge;
import org.egressaudit.harness.sandbox.TestImages;
import org.egressaudit.harness.scenario.Scenario;
import org.egressaudit.harness.scenario.ScenarioLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same reference agents in the built-in Linux VM (QEMU; TCG on this machine) and in a container must give the
 * same verdict and the same findings: same planted files, same kinds, same policy effect, same decoding chain.
 * Also checks what only a VM run has: DHCP from the harness, capture from power-on, the emulation note, and that
 * nothing of the VM is left behind.
 */
class VmScenarioIT {
    @TempDir
    static Path runs;
    static final Map<String, RunOutcome> outcomes = new LinkedHashMap<>();
    static final StringWriter progress = new StringWriter();

    @BeforeAll
    static void runScenarios() throws Exception {
        TestImages.sandboxImage();
        ScenarioRunner runner = ScenarioFixture.repoRunner(runs, progress);
        for (String s : List.of("vm/quarantine-archiver", "container/quarantine-archiver", "vm/https-sample",
                "container/https-sample", "vm/boot-script-quarantine-archiver")) {
            Scenario scenario = ScenarioLoader.load(ScenarioFixture.REPO_SCENARIOS.resolve(s + ".yaml"));
            outcomes.put(s, runner.run(scenario));
        }
    }

    static RunOutcome outcome(String name) {
        RunOutcome o = outcomes.get(name);
        assertNotNull(o, name + " not run");
        assertNotNull(o.result(), name + ": " + o.problem() + "\n" + progress);
        assertTrue(o.capture().complete(), name + " lost packets: " + o.capture());
        return o;
    }

    /** What must be equal between the two sandboxes: everything but addresses, ports and times. */
    static Set<String> findings(RunOutcome o) {
        Set<String> out = new TreeSet<>();
        o.result().findings().forEach(f -> out.add(f.kind() + " " + f.effect() + " " + f.plantedFile() + " -> "
                + f.destination() + " via " + f.decodeChain()));
        return out;
    }

    @Test
    void quarantineArchiverGivesTheSameVerdictInAVmAsInAContainer() {
        RunOutcome vm = outcome("vm/quarantine-archiver");
        RunOutcome container = outcome("container/quarantine-archiver");
        assertEquals(Verdict.FAIL, container.verdict(), ReferenceAgentsIT.describe(container));
        assertEquals(container.verdict(), vm.verdict(), ReferenceAgentsIT.describe(vm));
        assertEquals(findings(container), findings(vm));
        assertTrue(findings(vm).stream().anyMatch(f -> f.contains("FAIL") && f.contains("secret.docx")),
                findings(vm).toString());
        assertTrue(findings(vm).stream().anyMatch(f -> f.contains("keygen.exe") && !f.contains("FAIL")),
                "the flagged sample is allowed: " + findings(vm));
        assertTrue(vm.asExpected());
        // the file-activity audit (strace in the guest) ties the upload to the read, as in the container
        assertTrue(vm.fileActivity().stream().anyMatch(l -> l.contains("secret.docx") && l.contains("finding #")),
                vm.fileActivity().toString());
    }

    @Test
    void withoutAGuestAgentABootScriptOnADataDiskGivesTheSameVerdict() throws Exception {
        RunOutcome boot = outcome("vm/boot-script-quarantine-archiver");
        RunOutcome container = outcome("container/quarantine-archiver");
        assertEquals(container.verdict(), boot.verdict(), ReferenceAgentsIT.describe(boot));
        assertEquals(findings(container), findings(boot));
        assertTrue(boot.stopReason().startsWith("agent exited (code 0)"), boot.stopReason());
        assertTrue(boot.fileActivity().stream().anyMatch(l -> l.contains("secret.docx") && l.contains("finding #")),
                "the strace trace came back on the data disk: " + boot.fileActivity());
        Path vmDir = boot.folder().dir().resolve("vm");
        assertTrue(Files.readString(vmDir.resolve("steps.log")).contains("agent"), "the script's steps are kept");
        assertTrue(Files.readString(boot.folder().agentLog()).length() > 0, "the agent's output came back");
        assertTrue(Files.readString(boot.folder().commandsLog()).contains("signature"),
                "the trigger ran in the guest: " + Files.readString(boot.folder().commandsLog()));
        assertTrue(boot.notes().stream().anyMatch(n -> n.startsWith("boot-script control")), boot.notes().toString());
    }

    @Test
    void tlsFromTheGuestIsInterceptedWithTheRunCa() {
        RunOutcome vm = outcome("vm/https-sample");
        RunOutcome container = outcome("container/https-sample");
        assertEquals(Verdict.PASS, vm.verdict(), ReferenceAgentsIT.describe(vm));
        assertEquals(findings(container), findings(vm));
        assertFalse(findings(vm).isEmpty(), "the sample upload is seen in clear inside TLS");
        assertTrue(findings(vm).stream().allMatch(f -> f.contains("tls")), findings(vm).toString());
    }

    @Test
    void theVmRunRecordsHowTheGuestRanAndLeavesNothingBehind() throws Exception {
        RunOutcome vm = outcome("vm/quarantine-archiver");
        String notes = String.join("\n", vm.notes());
        assertTrue(notes.contains("virtual machine: "), notes);
        assertTrue(notes.contains("the guest took its DHCP lease"), notes);
        Path vmDir = vm.folder().dir().resolve("vm");
        assertTrue(Files.readString(vmDir.resolve("dhcp.log")).contains("ACK"), "DHCP answered by the harness");
        assertTrue(Files.size(vmDir.resolve("console.log")) > 0, "serial console kept as evidence");
        assertFalse(Files.exists(vmDir.resolve("overlay.qcow2")), "the per-run overlay is removed");
        // DHCP is in the capture: it starts before the guest powers on
        assertTrue(vm.result().connections().stream().anyMatch(c -> c.toString().contains(":67")),
                "DHCP captured from power-on");
        assertTrue(HostBridge.removeRun(vm.folder().runId()).isEmpty(), "bridge and tap already removed");
        assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().arguments()
                .map(a -> String.join(" ", a).contains("egress-audit-" + vm.folder().runId())).orElse(false)),
                "QEMU has exited");
    }
}
