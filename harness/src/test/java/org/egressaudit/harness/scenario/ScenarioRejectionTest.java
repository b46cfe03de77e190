package org.egressaudit.harness.scenario;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of mistake is rejected with exactly file:line: key.path: what. */
class ScenarioRejectionTest {
    /** Four valid lines; cases append to them from line 5. */
    static final String BASE = """
            name: t
            sandbox: {image: egress-audit/base:bookworm}
            agent: {start: run}
            policy: {allow: [metadata]}
            """;

    @TempDir
    Path tmp;
    ScenarioFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new ScenarioFixture(tmp);
    }

    @Test
    void fromThatDoesNotExist() throws Exception {
        fx.rejects("""
                name: t
                sandbox:
                  image: egress-audit/base:bookworm
                agent:
                  start: "run"
                  files:
                    - {from: agents/honest.py, to: /opt/agent/honest.py}
                    - {from: agents/nope.py, to: /opt/agent/nope.py}
                policy: {allow: [metadata]}
                """, ":8: agent.files[1].from: 'agents/nope.py' does not exist");
    }

    @Test
    void absoluteFromIsRejectedBecauseScenariosMoveWithTheirFiles() throws Exception {
        fx.rejects(BASE + "corpus:\n  - from: " + tmp.resolve("corpora/basic") + "\n    to: /home/user\n",
                ":6: corpus[0].from: '" + tmp.resolve("corpora/basic")
                        + "' must be relative to the scenario's directory, so the scenario can be moved with its files");
    }

    @Test
    void unknownKeys() throws Exception {
        fx.rejects(BASE + "agnet: {start: x}\n", ":5: agnet: unknown key 'agnet' (known keys here: name, description, "
                + "sandbox, agent, corpus, triggers, stop, policy, responders, expect)");
        fx.rejects(BASE + "stop:\n  duration: 30s\n  agentExit: true\n",
                ":7: stop.agentExit: unknown key 'agentExit' (known keys here: duration, idle, agentExits)");
        fx.rejects(BASE + "triggers:\n  - {name: a, at: 1s, exec: x, when: 2s}\n",
                ":6: triggers[0].when: unknown key 'when' (known keys here: name, at, exec, copy)");
    }

    @Test
    void wrongTypes() throws Exception {
        fx.rejects(BASE + "stop: {agentExits: 1}\n", ":5: stop.agentExits: must be true or false, got the number 1");
        fx.rejects(BASE + "stop: {agentExits: \"true\"}\n", ":5: stop.agentExits: must be true or false, got 'true'");
        fx.rejects(BASE + "responders:\n  - status: \"200\"\n",
                ":6: responders[0].status: must be a whole number from 100 to 599, got '200'");
        fx.rejects("""
                name: t
                sandbox:
                  image: egress-audit/base:bookworm
                  env:
                    LANG: C
                    AGENT_VERSION: 1.10
                agent: {start: run}
                policy: {allow: [metadata]}
                """, ":6: sandbox.env.AGENT_VERSION: must be a string, got the number 1.10 (quote it: \"1.10\")");
        fx.rejects(BASE + "corpus: {from: corpora/basic, to: /x}\n",
                ":5: corpus: must be a list ([a, b] or '- item' lines), got a mapping");
        fx.rejects(BASE.replace("agent: {start: run}", "agent: run"),
                ":3: agent: must be a mapping of keys (version, versionCommand, files, install, start, user, auditFiles), got 'run'");
        fx.rejects(BASE + "description:\n", ":5: description: has no value (give one, or remove the key)");
        fx.rejects(BASE.replace("{start: run}", "{start: run, user: \"\"}"),
                ":3: agent.user: has no value (give one, or remove the key)");
    }

    @Test
    void badDurations() throws Exception {
        fx.rejects(BASE + "stop: {duration: 30}\n",
                ":5: stop.duration: must be a duration string such as '5s', '500ms' or '1m30s', got the number 30");
        fx.rejects(BASE + "stop:\n  idle: 1.5s\n", ":6: stop.idle: '1.5s' is not a duration (write whole numbers with "
                + "units h, m, s, ms in that order, e.g. 500ms, 2s, 1m30s)");
        fx.rejects(BASE + "stop: {duration: 0s}\n", ":5: stop.duration: must be longer than 0");
        fx.rejects(BASE + "stop: {duration: 25h}\n", ":5: stop.duration: '25h' is longer than the maximum of 24h");
        fx.rejects(BASE + "stop: {duration: 10s, idle: 20s}\n",
                ":5: stop.idle: 20s is longer than stop.duration 10s and could never be reached");
    }

    @Test
    void missingRequiredKeys() throws Exception {
        fx.rejects("""
                sandbox: {image: egress-audit/base:bookworm}
                agent: {start: run}
                policy: {allow: [metadata]}
                """, ":1: name: missing required key (name: my-scenario)");
        fx.rejects("""
                name: t
                sandbox: {image: egress-audit/base:bookworm}
                agent:
                  user: root
                policy: {allow: [metadata]}
                """, ":3: agent.start: missing required key (the agent's command line, run with sh -c)");
        fx.rejects(BASE + "triggers:\n  - {name: a, exec: x}\n",
                ":6: triggers[0].at: missing required key (when, after the agent started, e.g. at: 5s)");
        fx.rejects("name: t\nsandbox: {image: egress-audit/base:bookworm}\nagent: {start: run}\n",
                ":1: policy: missing required key (a policy file path, e.g. policy: policies/default.yaml, or inline: "
                        + "policy: {allow: [metadata]})");
        fx.rejects(BASE.replace("{image: egress-audit/base:bookworm}", "{env: {A: b}}"),
                ":2: sandbox: give 'image' (a local Docker image) or 'packages' (extra Debian packages on "
                        + "egress-audit/base:bookworm), or both");
    }

    @Test
    void triggerWithBothExecAndCopyOrNeither() throws Exception {
        fx.rejects(BASE + """
                triggers:
                  - {name: ok, at: 1s, exec: "true"}
                  - name: both
                    at: 2s
                    exec: "touch /x"
                    copy: {from: extra/new.docx, to: /home/user/new.docx}
                """, ":7: triggers[1]: give exactly one of 'exec' (a command) and 'copy' ({from, to}), not both");
        fx.rejects(BASE + "triggers:\n  - {name: none, at: 2s}\n",
                ":6: triggers[0]: give exactly one of 'exec' (a command) and 'copy' ({from, to}), none was given");
    }

    @Test
    void triggerTimesAndNames() throws Exception {
        fx.rejects(BASE + "stop: {duration: 10s}\ntriggers:\n  - {name: late, at: 11s, exec: x}\n",
                ":7: triggers[0].at: 11s comes after stop.duration 10s; the trigger would never run");
        fx.rejects(BASE + "triggers:\n  - {name: a, at: 1s, exec: x}\n  - {name: a, at: 2s, exec: y}\n",
                ":7: triggers[1].name: trigger name 'a' is already used on line 6");
    }

    @Test
    void sandboxPathsMustBeAbsoluteAndPlain() throws Exception {
        fx.rejects(BASE + "corpus:\n  - {from: corpora/basic, to: home/user/Documents}\n",
                ":6: corpus[0].to: 'home/user/Documents' must be an absolute path inside the sandbox (starting with '/')");
        fx.rejects(BASE + "corpus:\n  - {from: corpora/basic, to: /home/user/../root}\n",
                ":6: corpus[0].to: '/home/user/../root' must be a plain absolute path (no empty, '.' or '..' "
                        + "segments, no trailing '/')");
        fx.rejects(BASE.replace("{image: egress-audit/base:bookworm}", "{image: egress-audit/base:bookworm, workdir: opt}"),
                ":2: sandbox.workdir: 'opt' must be an absolute path inside the sandbox (starting with '/')");
    }

    @Test
    void badHostGlobs() throws Exception {
        String why = "' is not a host glob (dot-separated labels of letters, digits, '-', '_' and the wildcard '*', "
                + "e.g. '*.vendor.example')";
        fx.rejects(BASE + "responders:\n  - host: \"vendor..example\"\n", ":6: responders[0].host: 'vendor..example" + why);
        fx.rejects(BASE + "responders:\n  - host: \"[ab].example\"\n", ":6: responders[0].host: '[ab].example" + why);
        fx.rejects(BASE + "responders:\n  - {status: 200}\n  - host: \"**.example\"\n",
                ":7: responders[1].host: '**.example' is not a host glob: '**' means nothing more than '*'");
    }

    @Test
    void responderValues() throws Exception {
        fx.rejects(BASE + "responders:\n  - status: 600\n", ":6: responders[0].status: must be from 100 to 599, got 600");
        fx.rejects(BASE + "responders:\n  - status: 99\n", ":6: responders[0].status: must be from 100 to 599, got 99");
        fx.rejects(BASE + "responders:\n  - path: /api/*/x\n",
                ":6: responders[0].path: '/api/*/x': '*' is only allowed as the last character (a prefix match)");
        fx.rejects(BASE + "responders:\n  - path: api\n",
                ":6: responders[0].path: 'api' must be a request path starting with '/'");
        fx.rejects(BASE + "responders:\n  - method: \"PO ST\"\n",
                ":6: responders[0].method: 'PO ST' is not an HTTP method (letters only, e.g. POST)");
        fx.rejects(BASE + "responders:\n  - {body: x, bodyFile: responses/verdict.json}\n",
                ":6: responders[0].bodyFile: give either 'body' or 'bodyFile', not both");
        fx.rejects(BASE + "responders:\n  - headers:\n      Content-Length: \"5\"\n",
                ":7: responders[0].headers.Content-Length: header 'Content-Length' is set by the responder and cannot be given");
        fx.rejects(BASE + "responders:\n  - headers: {X-A: a, x-a: b}\n",
                ":6: responders[0].headers.x-a: header 'x-a' is given twice (header names ignore case)");
        fx.rejects(BASE + "responders:\n  - bodyFile: responses/none.json\n",
                ":6: responders[0].bodyFile: 'responses/none.json' does not exist");
    }

    @Test
    void scenarioNamePattern() throws Exception {
        String why = "' is not a valid name (lower-case letters, digits, '.', '_', '-', starting with a letter or "
                + "digit, at most 100 characters)";
        fx.rejects(BASE.replace("name: t", "name: Bad_Name"), ":1: name: 'Bad_Name" + why);
        fx.rejects(BASE.replace("name: t", "name: -dash"), ":1: name: '-dash" + why);
        fx.rejects(BASE + "triggers:\n  - {name: \"a b\", at: 1s, exec: x}\n", ":6: triggers[0].name: 'a b" + why);
    }

    @Test
    void vmSandboxMistakes() throws Exception {
        fx.rejects(BASE.replace("{image:", "{type: vm, image:"),
                ":2: sandbox.image: 'image' names a Docker image; a vm boots 'vm.disk' (or the built-in Linux guest "
                        + "when vm.disk is absent)");
        fx.rejects(BASE.replace("{image:", "{type: jail, image:"),
                ":2: sandbox.type: unknown sandbox type 'jail' (use 'container' or 'vm')");
        fx.rejects(BASE.replace("sandbox: {image: egress-audit/base:bookworm}",
                "sandbox: {image: egress-audit/base:bookworm, vm: {cpus: 2}}"),
                ":2: sandbox.vm: vm settings need 'type: vm'");
        String vm = BASE.replace("sandbox: {image: egress-audit/base:bookworm}", "sandbox: {type: vm, vm: VM}");
        fx.rejects(vm.replace("VM", "{memory: 512K}"), ":2: sandbox.vm.memory: '512K' is not a memory size (write a "
                + "whole number with M or G, e.g. 512M, 2G)");
        fx.rejects(vm.replace("VM", "{memory: 64M}"),
                ":2: sandbox.vm: memory must be between 128M and 64G, not 67108864 bytes");
        fx.rejects(vm.replace("VM", "{accel: fast}"), ":2: sandbox.vm.accel: 'fast' is not one of auto, kvm, tcg");
        fx.rejects(vm.replace("VM", "{nic: rtl8139}"), ":2: sandbox.vm.nic: 'rtl8139' is not one of virtio, e1000");
        fx.rejects(vm.replace("VM", "{cpus: 99}"), ":2: sandbox.vm.cpus: must be from 1 to 16, got 99");
        fx.rejects(vm.replace("VM", "{disk: nope.qcow2}"),
                ":2: sandbox.vm.disk: 'nope.qcow2' is not an existing file (relative paths start at the scenario's "
                        + "directory)");
        fx.rejects(vm.replace("VM", "{format: raw}"), ":2: sandbox.vm: format, kernel, initrd and append describe "
                + "your own 'disk': the built-in guest boots its own kernel");
        fx.rejects(vm.replace("VM", "{bootTimeout: 0s}"), ":2: sandbox.vm: bootTimeout must be positive");
        fx.rejects(vm.replace("VM", "{disks: x}"), ":2: sandbox.vm.disks: unknown key 'disks' (known keys "
                + "here: disk, format, kernel, initrd, append, memory, cpus, accel, nic, bootTimeout, control)");
        fx.rejects(vm.replace("VM", "{control: ssh}"),
                ":2: sandbox.vm.control: 'ssh' is not one of guest-agent, boot-script");
        String boot = vm.replace("VM", "{control: boot-script}");
        fx.rejects(boot + "stop: {duration: 30s, idle: 5s}\n", ":5: stop: stop.idle needs a command channel: with "
                + "vm.control boot-script the run ends when the guest powers off or at stop.duration");
        fx.rejects(boot.replace("agent: {start: run}", "agent: {start: run, versionCommand: \"x --version\"}"),
                ":3: agent: agent.versionCommand needs a command channel: with vm.control boot-script give "
                        + "agent.version instead");
    }

    @Test
    void vmDiskRules() throws Exception {
        java.nio.file.Files.write(tmp.resolve("disk.img"), new byte[4096]);
        java.nio.file.Files.write(tmp.resolve("vmlinuz"), new byte[16]);
        String vm = BASE.replace("sandbox: {image: egress-audit/base:bookworm}", "sandbox: {type: vm, vm: VM}");
        fx.rejects(vm.replace("VM", "{disk: disk.img, initrd: vmlinuz}"),
                ":2: sandbox.vm: initrd and append need 'kernel' (direct kernel boot)");
        fx.rejects(vm.replace("sandbox: {type: vm, vm: VM}", "sandbox: {type: vm, packages: [curl], vm: {disk: "
                + "disk.img}}"), ":2: sandbox: 'packages' can only extend the built-in guest: install them in your "
                + "own disk image (the sandbox has no network to install from)");
    }

    @Test
    void otherBadValues() throws Exception {
        fx.rejects(BASE.replace("egress-audit/base:bookworm", "Egress Audit"),
                ":2: sandbox.image: 'Egress Audit' is not a Docker image reference (e.g. egress-audit/base:bookworm)");
        fx.rejects(BASE.replace("{image: egress-audit/base:bookworm}", "{packages: [curl, curl]}"),
                ":2: sandbox.packages[1]: package 'curl' is listed twice");
        fx.rejects(BASE.replace("agent: {start: run}", "agent: {start: run, files: [{from: agents/honest.py, to: /a, mode: 0755}]}"),
                ":3: agent.files[0].mode: must be an octal mode written as a string, e.g. mode: \"0755\", got the number 0755");
        fx.rejects(BASE.replace("agent: {start: run}", "agent: {start: run, files: [{from: corpora, to: /a, mode: \"0755\"}]}"),
                ":3: agent.files[0].mode: 'mode' applies to files only; 'corpora' is a directory");
        fx.rejects(BASE.replace("agent: {start: run}", "agent: {start: run, version: v1, versionCommand: \"a -v\"}"),
                ":3: agent.versionCommand: give either 'version' or 'versionCommand', not both");
        fx.rejects(BASE.replace("agent: {start: run}", "agent: {start: \"  \"}"), ":3: agent.start: must not be empty");
        fx.rejects(BASE + "expect: MAYBE\n", ":5: expect: 'MAYBE' is not a verdict (PASS, FAIL or OPAQUE)");
        fx.rejects(BASE.replace("{image: egress-audit/base:bookworm}", "{image: egress-audit/base:bookworm, env: {1A: x}}"),
                ":2: sandbox.env.1A: '1A' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
    }

    @Test
    void inlinePolicyErrorsPointIntoTheScenario() throws Exception {
        fx.rejects(BASE.replace("policy: {allow: [metadata]}", "policy:\n  markers: [\"CANARY-\"]\n  allow: [metadata, secrets]"),
                ":6: policy.allow: key 'allow': unknown category 'secrets' (valid: executable, script, "
                        + "document, source-code, archive, image, data, metadata)");
        fx.rejects(BASE.replace("policy: {allow: [metadata]}", "policy:\n  allow: [metadata]\n  alow: [document]"),
                ":6: policy.alow: unknown key 'alow' (known keys: allow, opaqueBytesBudget, markers, minFragmentBytes)");
        fx.rejects(BASE.replace("policy: {allow: [metadata]}", "policy:\n  markers: [\"CANARY-\"]"),
                ":4: policy: missing key 'allow' (list the categories that may leave, e.g. allow: [executable, "
                        + "metadata]; use allow: [] to allow nothing)");
        fx.rejects(BASE.replace("policy: {allow: [metadata]}", "policy: 42"),
                ":4: policy: must be a path to a policy file or a mapping (allow: [...], ...), got the number 42");
    }

    @Test
    void policyFileErrorsNameTheScenarioLineAndThePolicyFile() throws Exception {
        fx.write("policies/bad.yaml", "allow: [metadata]\nopaqueBytesBudget: -1\n");
        fx.rejects(BASE.replace("policy: {allow: [metadata]}", "policy: policies/bad.yaml"),
                ":4: policy: " + tmp.resolve("policies/bad.yaml")
                        + ":2: key 'opaqueBytesBudget' must be a whole number of bytes >= 0, got '-1'");
        fx.rejects(BASE.replace("policy: {allow: [metadata]}", "policy: policies/none.yaml"),
                ":4: policy: 'policies/none.yaml' does not exist");
    }

    @Test
    void yamlLevelMistakes() throws Exception {
        fx.rejects(BASE + "stop: {duration: 5s}\nstop: {duration: 6s}\n",
                ":6: stop: duplicate key (already given on line 5)");
        fx.rejects(BASE.replace("sandbox: {image: egress-audit/base:bookworm}", "sandbox: &sb {image: egress-audit/base:bookworm}")
                + "corpus: *sb\n", ":5: corpus: YAML aliases (*sb) are not supported; write the value out");
        fx.rejects(BASE + "---\nname: u\n", ":6: more than one YAML document in the file (one scenario per file)");
        fx.rejects("", ": the scenario file is empty");
        fx.rejects("- a\n- b\n", ":1: (top level): must be a mapping of keys (name, description, sandbox, agent, "
                + "corpus, triggers, stop, policy, responders, expect), got a list");
    }

    @Test
    void syntaxErrorsNameTheLine() throws Exception {
        Path file = fx.write("x.yaml", BASE + "stop: {duration: 5s\n");
        ScenarioException e = org.junit.jupiter.api.Assertions.assertThrows(ScenarioException.class,
                () -> ScenarioLoader.load(file));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith(file + ":5: not valid YAML: "),
                e.getMessage());
    }
}
