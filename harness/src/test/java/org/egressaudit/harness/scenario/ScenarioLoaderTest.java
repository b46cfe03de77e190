package org.egressaudit.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.analyzers.policy.Verdict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioLoaderTest {
    static final Path SCENARIOS = Path.of("../scenarios");

    @TempDir
    Path tmp;
    ScenarioFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new ScenarioFixture(tmp);
    }

    @Test
    void fullScenarioReadsEveryKey() throws Exception {
        Scenario s = fx.load("full.yaml", """
                name: quarantine-archiver
                description: "archives quarantined files"
                sandbox:
                  type: container
                  image: egress-audit/base:bookworm
                  packages: [curl, python3, p7zip-full]
                  env: {KEY: value, LANG: C.UTF-8}
                  workdir: /opt/agent
                agent:
                  version: "honest 1.0"
                  files:
                    - {from: agents/honest.py, to: /opt/agent/honest.py, mode: "0755"}
                  install: ["chmod +x /opt/agent/run.sh"]
                  start: "python3 /opt/agent/honest.py /home/user/Documents"
                  user: root
                corpus:
                  - {from: corpora/basic, to: /home/user/Documents}
                triggers:
                  - {name: drop-new-file, at: 5s, copy: {from: extra/new.docx, to: /home/user/Documents/new.docx}}
                  - {name: signature-update, at: 3s, exec: "touch /var/lib/agent/update"}
                stop:
                  duration: 1m30s
                  idle: 5s
                  agentExits: true
                policy: policies/default.yaml
                responders:
                  - host: "*.Vendor.example"
                    method: post
                    path: /api/v1/lookup
                    status: 201
                    headers: {Content-Type: application/json, Set-Cookie: "session=abc; Path=/"}
                    body: '{"verdict":"send-sample"}'
                  - path: /files/*
                    status: 404
                    bodyFile: responses/verdict.json
                expect: FAIL
                """);
        assertEquals("quarantine-archiver", s.name());
        assertEquals(Optional.of("archives quarantined files"), s.description());
        assertEquals(tmp.resolve("full.yaml"), s.file());
        assertEquals(tmp, s.directory());

        SandboxSpec sb = s.sandbox();
        assertEquals(SandboxType.CONTAINER, sb.type());
        assertEquals(Optional.of("egress-audit/base:bookworm"), sb.image());
        assertEquals(List.of("curl", "python3", "p7zip-full"), sb.packages());
        assertEquals(List.of("KEY", "LANG"), List.copyOf(sb.env().keySet()));
        assertEquals("C.UTF-8", sb.env().get("LANG"));
        assertEquals(Optional.of("/opt/agent"), sb.workdir());

        AgentSpec a = s.agent();
        assertEquals(Optional.of("honest 1.0"), a.version());
        assertEquals(Optional.empty(), a.versionCommand());
        assertEquals(List.of(new FileCopy(tmp.resolve("agents/honest.py"), "/opt/agent/honest.py", OptionalInt.of(0755))),
                a.files());
        assertEquals("0755", a.files().get(0).modeOctal());
        assertEquals(List.of("chmod +x /opt/agent/run.sh"), a.install());
        assertEquals("python3 /opt/agent/honest.py /home/user/Documents", a.start());
        assertEquals(Optional.of("root"), a.user());

        assertEquals(List.of(new CorpusEntry(tmp.resolve("corpora/basic"), "/home/user/Documents")), s.corpus());

        // sorted by time, whatever the order written
        assertEquals(List.of(
                Trigger.exec("signature-update", Duration.ofSeconds(3), "touch /var/lib/agent/update"),
                Trigger.copy("drop-new-file", Duration.ofSeconds(5),
                        new FileCopy(tmp.resolve("extra/new.docx"), "/home/user/Documents/new.docx", OptionalInt.empty()))),
                s.triggers());

        assertEquals(new StopCondition(Duration.ofSeconds(90), Optional.of(Duration.ofSeconds(5)), true), s.stop());
        assertEquals(new Policy(Set.of(Category.EXECUTABLE, Category.METADATA), 4096, List.of("CANARY-"), 4096),
                s.policy());
        assertEquals(Optional.of(tmp.resolve("policies/default.yaml")), s.policyFile());

        List<ResponderRule> rules = s.responders().rules();
        assertEquals(2, rules.size());
        ResponderRule r0 = rules.get(0);
        assertEquals(Optional.of("*.vendor.example"), r0.host());
        assertEquals(Optional.of("POST"), r0.method());
        assertEquals(Optional.of("/api/v1/lookup"), r0.path());
        assertEquals(201, r0.status());
        assertEquals(Map.of("Content-Type", "application/json", "Set-Cookie", "session=abc; Path=/"), r0.headers());
        assertArrayEquals("{\"verdict\":\"send-sample\"}".getBytes(StandardCharsets.UTF_8), r0.body());
        assertEquals(Optional.empty(), r0.bodyFile());
        ResponderRule r1 = rules.get(1);
        assertEquals(404, r1.status());
        assertEquals(Optional.of(tmp.resolve("responses/verdict.json")), r1.bodyFile());
        assertArrayEquals("{\"verdict\":\"send-sample\"}".getBytes(StandardCharsets.UTF_8), r1.body());

        assertEquals(Optional.of(Verdict.FAIL), s.expect());
    }

    @Test
    void minimalScenarioGetsDefaults() throws Exception {
        Scenario s = fx.load("min.yaml", """
                name: minimal
                sandbox: {packages: [curl]}
                agent: {start: "sleep 1"}
                policy: {allow: [metadata]}
                """);
        assertEquals("minimal", s.name());
        assertEquals(Optional.empty(), s.description());
        assertEquals(Optional.empty(), s.sandbox().image());
        assertEquals(SandboxSpec.DEFAULT_BASE_IMAGE, s.sandbox().baseImage());
        assertEquals(Map.of(), s.sandbox().env());
        assertEquals(Optional.empty(), s.sandbox().workdir());
        assertEquals(new AgentSpec(Optional.empty(), Optional.empty(), List.of(), List.of(), "sleep 1", Optional.empty(), false),
                s.agent());
        assertEquals(List.of(), s.corpus());
        assertEquals(List.of(), s.triggers());
        assertEquals(StopCondition.defaults(), s.stop());
        assertEquals(Duration.ofSeconds(60), s.stop().duration());
        assertFalse(s.stop().agentExits());
        assertEquals(new Policy(Set.of(Category.METADATA), Policy.DEFAULT_OPAQUE_BUDGET, List.of(),
                Policy.DEFAULT_MIN_FRAGMENT), s.policy());
        assertEquals(Optional.empty(), s.policyFile());
        assertEquals(List.of(), s.responders().rules());
        assertEquals(ResponderRule.DEFAULT, s.responders().find("a.example", "GET", "/"));
        assertEquals(Optional.empty(), s.expect());
    }

    @Test
    void inlinePolicyMeansWhatTheSamePolicyFileMeans() throws Exception {
        Scenario inline = fx.load("inline.yaml", """
                name: inline
                sandbox: {image: egress-audit/base:bookworm}
                agent: {start: run}
                policy:
                  allow: [executable, metadata]
                  opaqueBytesBudget: 4096
                  markers: ["CANARY-"]
                """);
        Scenario path = fx.load("path.yaml", """
                name: path
                sandbox: {image: egress-audit/base:bookworm}
                agent: {start: run}
                policy: policies/default.yaml
                """);
        assertEquals(path.policy(), inline.policy());
        assertEquals(Optional.empty(), inline.policyFile());
        assertEquals(Optional.of(tmp.resolve("policies/default.yaml")), path.policyFile());
    }

    @Test
    void pathsResolveAgainstTheScenarioDirectoryNotTheWorkingDirectory() throws Exception {
        Scenario s = fx.load("nested/deeper/s.yaml", """
                name: nested
                sandbox: {image: egress-audit/base:bookworm}
                agent:
                  start: run
                  files: [{from: ../../agents/honest.py, to: /opt/a.py}]
                policy: ../../policies/default.yaml
                """);
        assertEquals(tmp.resolve("agents/honest.py"), s.agent().files().get(0).from());
        assertTrue(s.agent().files().get(0).from().isAbsolute());
    }

    @Test
    void vmSandboxWithDefaultsIsTheBuiltInGuest() throws Exception {
        Scenario s = ScenarioLoader.load(fx.write("vm.yaml", """
                name: v
                sandbox: {type: vm, packages: [curl]}
                agent: {start: run}
                policy: {allow: [metadata]}
                """));
        assertEquals(SandboxType.VM, s.sandbox().type());
        VmSpec vm = s.sandbox().vm().orElseThrow();
        assertTrue(vm.builtinGuest());
        assertEquals(VmSpec.builtin(), vm);
        assertEquals(List.of("curl"), s.sandbox().packages());
        assertEquals("vm:" + SandboxSpec.BUILTIN_GUEST, s.sandbox().baseImage());
    }

    @Test
    void vmSandboxWithItsOwnDiskAndKernel() throws Exception {
        java.nio.file.Files.write(tmp.resolve("win.qcow2"), new byte[512]);
        java.nio.file.Files.write(tmp.resolve("vmlinuz"), new byte[16]);
        Path abs = tmp.resolve("initrd.img");
        java.nio.file.Files.write(abs, new byte[16]);
        Scenario s = ScenarioLoader.load(fx.write("vm.yaml", """
                name: v
                sandbox:
                  type: vm
                  vm: {disk: win.qcow2, format: qcow2, kernel: vmlinuz, initrd: INITRD, append: "console=ttyS0",
                       memory: 2G, cpus: 2, accel: tcg, nic: e1000, bootTimeout: 90s, control: boot-script}
                agent: {start: run}
                policy: {allow: [metadata]}
                """.replace("INITRD", abs.toString())));
        VmSpec vm = s.sandbox().vm().orElseThrow();
        assertEquals(Optional.of(tmp.resolve("win.qcow2").toAbsolutePath().normalize()), vm.disk());
        assertEquals(Optional.of(VmSpec.DiskFormat.QCOW2), vm.format());
        assertEquals(Optional.of(abs), vm.initrd(), "absolute host paths are fine for VM files");
        assertEquals(Optional.of("console=ttyS0"), vm.append());
        assertEquals(2L << 30, vm.memoryBytes());
        assertEquals(2, vm.cpus());
        assertEquals(VmSpec.Accel.TCG, vm.accel());
        assertEquals(VmSpec.Nic.E1000, vm.nic());
        assertEquals(Duration.ofSeconds(90), vm.bootTimeout());
        assertEquals(VmSpec.Control.BOOT_SCRIPT, vm.control());
        assertFalse(vm.builtinGuest());
    }

    @Test
    void documentedExampleLoads() throws Exception {
        Scenario s = ScenarioLoader.load(SCENARIOS.resolve("EXAMPLE.yaml"));
        assertEquals("example-hash-lookup", s.name());
        assertEquals(Optional.of(Verdict.PASS), s.expect());
        assertEquals(List.of("curl"), s.sandbox().packages());
        assertEquals(List.of("/opt/agent/ca-bundle.pem"), s.sandbox().trustStores());
        assertEquals(2, s.triggers().size());
        assertEquals(2, s.responders().rules().size());
        assertEquals(new StopCondition(Duration.ofSeconds(30), Optional.of(Duration.ofSeconds(5)), true), s.stop());
        assertEquals(SCENARIOS.toAbsolutePath().normalize().resolve("corpora/basic"), s.corpus().get(0).from());
        assertEquals(CorpusEntry.generated("standard", 42, "/home/user/Generated"), s.corpus().get(1));
        assertEquals("{\"verdict\":\"clean\",\"sendSample\":false}\n",
                new String(s.responders().find("cloud.vendor.example", "POST", "/api/v1/lookup").body(),
                        StandardCharsets.UTF_8));
        assertEquals(404, s.responders().find("cloud.vendor.example", "GET", "/api/v2").status());
    }

    @Test
    void exampleShowsEveryKeyTheLoaderKnows() throws Exception {
        // The example is the schema's documentation: every key must appear in it (commented-out ones included).
        String text = java.nio.file.Files.readString(SCENARIOS.resolve("EXAMPLE.yaml"));
        for (String key : List.of("name", "description", "sandbox", "type", "image", "packages", "env", "workdir",
                "trustStores", "vm", "disk", "format", "kernel", "initrd", "append", "memory", "cpus", "accel", "nic",
                "bootTimeout", "control",
                "agent", "version", "versionCommand", "files", "from", "to", "mode", "install", "start", "user",
                "corpus", "generate", "seed", "triggers", "at", "exec", "copy", "stop", "duration", "idle", "agentExits", "policy",
                "allow", "opaqueBytesBudget", "markers", "responders", "host", "method", "path", "status", "headers",
                "body", "bodyFile", "expect")) {
            assertTrue(text.matches("(?s).*[\\s{,]" + key + ":.*"), "EXAMPLE.yaml does not show '" + key + ":'");
        }
    }
}
