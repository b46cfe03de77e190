package org.egressaudit.harness.scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.harness.corpus.CorpusRecipe;

/** Turns one parsed scenario document into a {@link Scenario}, checking every key and value on the way. */
final class ScenarioReader {
    /** Keys that only a scenario has; the suite scan uses them to tell scenarios from policies and manifests. */
    static final List<String> SCENARIO_ONLY_KEYS = List.of("sandbox", "agent", "corpus", "triggers", "stop",
            "responders", "expect");

    private static final List<String> TOP = List.of("name", "description", "sandbox", "agent", "corpus", "triggers",
            "stop", "policy", "responders", "expect");
    private static final List<String> SANDBOX = List.of("type", "image", "packages", "env", "workdir", "trustStores",
            "vm");
    private static final List<String> VM = List.of("disk", "format", "kernel", "initrd", "append", "memory", "cpus",
            "accel", "nic", "bootTimeout", "control");
    private static final List<String> AGENT = List.of("version", "versionCommand", "files", "install", "start", "user", "auditFiles");
    private static final List<String> COPY = List.of("from", "to", "mode");
    private static final List<String> CORPUS = List.of("from", "generate", "seed", "to");
    private static final List<String> TRIGGER = List.of("name", "at", "exec", "copy");
    private static final List<String> STOP = List.of("duration", "idle", "agentExits");
    private static final List<String> RESPONDER = List.of("host", "method", "path", "status", "headers", "body",
            "bodyFile");

    /** A Docker image reference: [registry[:port]/]name[/name...][:tag][@sha256:digest]. */
    private static final Pattern IMAGE = Pattern.compile("(?:[a-z0-9.-]+(?::[0-9]{1,5})?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
            + "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?");
    private static final Pattern PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,31})?");
    private static final Pattern MODE = Pattern.compile("[0-7]{3,4}");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}");

    private static final int MAX_LIST = 256;
    private static final int MAX_TRIGGERS = 1000;
    private static final int MAX_RESPONDERS = 1000;

    private final YamlNode root;
    private final Path file;
    /** Absolute directory relative host paths are resolved against. */
    private final Path dir;
    /** The same directory as the caller spelled it, for messages naming files (e.g. a policy file). */
    private final Path displayDir;

    ScenarioReader(YamlNode root, Path file) {
        this.root = root;
        this.file = file;
        this.dir = file.toAbsolutePath().normalize().getParent();
        this.displayDir = file.getParent() == null ? Path.of("") : file.getParent();
    }

    Scenario read() throws ScenarioException {
        if (root.isNull()) {
            throw new ScenarioException(root.source() + ": the scenario file is empty");
        }
        Fields top = Fields.of(root, TOP);
        YamlNode nameNode = top.required("name", "name: my-scenario");
        String name = Values.checked(nameNode, () -> Scenario.checkName(Values.text(nameNode)));
        Optional<String> description = opt(top, "description", Values::text);
        SandboxSpec sandbox = sandbox(top.required("sandbox", "sandbox: {image: ...} or sandbox: {packages: [...]}"));
        AgentSpec agent = agent(top.required("agent", "agent: {start: \"command\"}"));
        List<CorpusEntry> corpus = new ArrayList<>();
        if (top.has("corpus")) {
            for (YamlNode n : Values.list(top.optional("corpus").orElseThrow(), MAX_LIST)) {
                corpus.add(corpusEntry(n));
            }
        }
        StopCondition stop = top.has("stop") ? stop(top.optional("stop").orElseThrow()) : StopCondition.defaults();
        List<Trigger> triggers = top.has("triggers") ? triggers(top.optional("triggers").orElseThrow(), stop)
                : List.of();
        PolicyReader.Resolved policy = PolicyReader.read(top.required("policy",
                "a policy file path, e.g. policy: policies/default.yaml, or inline: policy: {allow: [metadata]}"),
                dir, displayDir);
        ResponderRules responders = top.has("responders") ? responders(top.optional("responders").orElseThrow())
                : ResponderRules.none();
        Optional<Verdict> expect = opt(top, "expect", ScenarioReader::verdict);
        if (sandbox.vm().map(v -> v.control() == VmSpec.Control.BOOT_SCRIPT).orElse(false)) {
            // the guest runs everything itself and powers off: the harness has no channel to ask or to stop it
            if (stop.idle().isPresent()) {
                throw top.optional("stop").orElseThrow().error("stop.idle needs a command channel: with "
                        + "vm.control boot-script the run ends when the guest powers off or at stop.duration");
            }
            if (agent.versionCommand().isPresent()) {
                throw top.optional("agent").orElseThrow().error("agent.versionCommand needs a command channel: "
                        + "with vm.control boot-script give agent.version instead");
            }
        }
        return Values.checked(root, () -> new Scenario(name, description, file, sandbox, agent, corpus, triggers, stop,
                policy.policy(), policy.file(), responders, expect));
    }

    private SandboxSpec sandbox(YamlNode n) throws ScenarioException {
        Fields f = Fields.of(n, SANDBOX);
        SandboxType kind = SandboxType.CONTAINER;
        Optional<YamlNode> type = f.optional("type");
        if (type.isPresent()) {
            String t = Values.text(type.get());
            switch (t) {
                case "container" -> kind = SandboxType.CONTAINER;
                case "vm" -> kind = SandboxType.VM;
                default -> throw type.get().error("unknown sandbox type '" + YamlNode.abbreviate(t)
                        + "' (use 'container' or 'vm')");
            }
        }
        if (kind == SandboxType.CONTAINER && f.has("vm")) {
            throw f.optional("vm").orElseThrow().error("vm settings need 'type: vm'");
        }
        if (kind == SandboxType.VM && f.has("image")) {
            throw f.optional("image").orElseThrow().error("'image' names a Docker image; a vm boots 'vm.disk' (or "
                    + "the built-in Linux guest when vm.disk is absent)");
        }
        Optional<String> image = opt(f, "image", v -> Values.matching(v, IMAGE,
                "a Docker image reference (e.g. egress-audit/base:bookworm)"));
        List<String> packages = new ArrayList<>();
        if (f.has("packages")) {
            for (YamlNode p : Values.list(f.optional("packages").orElseThrow(), MAX_LIST)) {
                String pkg = Values.matching(p, PACKAGE, "a Debian package name (e.g. python3, p7zip-full)");
                if (packages.contains(pkg)) {
                    throw p.error("package '" + pkg + "' is listed twice");
                }
                packages.add(pkg);
            }
        }
        if (kind == SandboxType.CONTAINER && image.isEmpty() && packages.isEmpty()) {
            throw n.error("give 'image' (a local Docker image) or 'packages' (extra Debian packages on "
                    + SandboxSpec.DEFAULT_BASE_IMAGE + "), or both");
        }
        Map<String, String> env = f.has("env") ? Values.stringMap(f.optional("env").orElseThrow(), ENV_NAME,
                "an environment variable name ([A-Za-z_][A-Za-z0-9_]*)", MAX_LIST) : Map.of();
        Optional<String> workdir = opt(f, "workdir", v -> Values.checked(v, () -> SandboxPath.check(Values.text(v))));
        List<String> trustStores = new ArrayList<>();
        if (f.has("trustStores")) {
            for (YamlNode t : Values.list(f.optional("trustStores").orElseThrow(), MAX_LIST)) {
                String path = sandboxPath(t);
                if (trustStores.contains(path)) {
                    throw t.error("trust store '" + path + "' is listed twice");
                }
                trustStores.add(path);
            }
        }
        if (kind == SandboxType.VM) {
            VmSpec vm = f.has("vm") ? vm(f.optional("vm").orElseThrow()) : VmSpec.builtin();
            return Values.checked(n, () -> SandboxSpec.vm(vm, packages, env, workdir, trustStores));
        }
        return Values.checked(n, () -> new SandboxSpec(SandboxType.CONTAINER, image, packages, env, workdir,
                trustStores));
    }

    private VmSpec vm(YamlNode n) throws ScenarioException {
        Fields f = Fields.of(n, VM);
        Optional<Path> disk = opt(f, "disk", v -> HostPaths.existingFile(v, dir));
        Optional<VmSpec.DiskFormat> format = opt(f, "format", v -> choice(v, VmSpec.DiskFormat.class));
        Optional<Path> kernel = opt(f, "kernel", v -> HostPaths.existingFile(v, dir));
        Optional<Path> initrd = opt(f, "initrd", v -> HostPaths.existingFile(v, dir));
        Optional<String> append = opt(f, "append", Values::nonBlank);
        long memory = opt(f, "memory", v -> Values.checked(v, () -> VmSpec.parseMemory(Values.text(v))))
                .orElse(VmSpec.DEFAULT_MEMORY);
        int cpus = opt(f, "cpus", v -> Values.integer(v, 1, VmSpec.MAX_CPUS)).orElse(1);
        VmSpec.Accel accel = opt(f, "accel", v -> choice(v, VmSpec.Accel.class)).orElse(VmSpec.Accel.AUTO);
        VmSpec.Nic nic = opt(f, "nic", v -> choice(v, VmSpec.Nic.class)).orElse(VmSpec.Nic.VIRTIO);
        Duration boot = opt(f, "bootTimeout", Values::duration).orElse(VmSpec.DEFAULT_BOOT_TIMEOUT);
        VmSpec.Control control = opt(f, "control", v -> choice(v, VmSpec.Control.class))
                .orElse(VmSpec.Control.GUEST_AGENT);
        return Values.checked(n, () -> new VmSpec(disk, format, kernel, initrd, append, memory, cpus, accel, nic,
                boot, control));
    }

    /** One of an enum's constants, written in lower case. */
    private static <E extends Enum<E>> E choice(YamlNode n, Class<E> type) throws ScenarioException {
        String t = Values.text(n);
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(t)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw n.error("'" + YamlNode.abbreviate(t) + "' is not one of " + String.join(", ", names));
    }

    private AgentSpec agent(YamlNode n) throws ScenarioException {
        Fields f = Fields.of(n, AGENT);
        Optional<String> version = opt(f, "version", Values::nonBlank);
        Optional<String> versionCommand = opt(f, "versionCommand", Values::nonBlank);
        if (version.isPresent() && versionCommand.isPresent()) {
            throw f.optional("versionCommand").orElseThrow()
                    .error("give either 'version' or 'versionCommand', not both");
        }
        List<FileCopy> files = new ArrayList<>();
        if (f.has("files")) {
            for (YamlNode c : Values.list(f.optional("files").orElseThrow(), MAX_LIST)) {
                files.add(fileCopy(c));
            }
        }
        List<String> install = new ArrayList<>();
        if (f.has("install")) {
            for (YamlNode c : Values.list(f.optional("install").orElseThrow(), MAX_LIST)) {
                install.add(Values.nonBlank(c));
            }
        }
        String start = Values.nonBlank(f.required("start", "the agent's command line, run with sh -c"));
        Optional<String> user = opt(f, "user", v -> Values.matching(v, USER, "a user name or uid (optionally :group)"));
        boolean auditFiles = f.has("auditFiles") && Values.bool(f.optional("auditFiles").orElseThrow());
        return Values.checked(n, () -> new AgentSpec(version, versionCommand, files, install, start, user,
                auditFiles));
    }

    private FileCopy fileCopy(YamlNode n) throws ScenarioException {
        Fields f = Fields.of(n, COPY);
        YamlNode fromNode = f.required("from", "a host path relative to the scenario's directory");
        Path from = HostPaths.existing(fromNode, dir);
        String to = sandboxPath(f.required("to", "an absolute path inside the sandbox"));
        OptionalInt mode = OptionalInt.empty();
        Optional<YamlNode> modeNode = f.optional("mode");
        if (modeNode.isPresent()) {
            YamlNode m = modeNode.get();
            if (!m.isText()) {
                throw m.error("must be an octal mode written as a string, e.g. mode: \"0755\", got " + m.describe());
            }
            String s = Values.matching(m, MODE, "an octal mode (e.g. \"0755\" or \"644\")");
            if (Files.isDirectory(from)) {
                throw m.error("'mode' applies to files only; '" + fromNode.scalar().asText() + "' is a directory");
            }
            mode = OptionalInt.of(Integer.parseInt(s, 8));
        }
        OptionalInt finalMode = mode;
        return Values.checked(n, () -> new FileCopy(from, to, finalMode));
    }

    private CorpusEntry corpusEntry(YamlNode n) throws ScenarioException {
        Fields f = Fields.of(n, CORPUS);
        if (f.has("from") == f.has("generate")) {
            throw n.error("give exactly one of 'from' (a host file or directory) and 'generate' (a corpus recipe: "
                    + String.join(", ", CorpusRecipe.NAMES) + "), " + (f.has("from") ? "not both" : "none was given"));
        }
        if (f.has("from")) {
            if (f.has("seed")) {
                throw f.optional("seed").orElseThrow().error("'seed' applies to generated corpora only");
            }
            Path from = HostPaths.existing(f.required("from", "a host file or directory relative to the scenario's "
                    + "directory"), dir);
            String to = sandboxPath(f.required("to", "an absolute path inside the sandbox"));
            return Values.checked(n, () -> new CorpusEntry(from, to));
        }
        YamlNode recipeNode = f.optional("generate").orElseThrow();
        String recipe = Values.text(recipeNode);
        if (CorpusRecipe.named(recipe).isEmpty()) {
            throw recipeNode.error("unknown corpus recipe '" + YamlNode.abbreviate(recipe) + "' (known: "
                    + String.join(", ", CorpusRecipe.NAMES) + ")");
        }
        long seed = 0;
        Optional<YamlNode> seedNode = f.optional("seed");
        if (seedNode.isPresent()) {
            YamlNode sn = seedNode.get();
            if (sn.kind() != YamlNode.Kind.SCALAR || !sn.scalar().isIntegralNumber() || !sn.scalar().canConvertToLong()) {
                throw sn.error("must be a whole number (a 64-bit seed), got " + sn.describe());
            }
            seed = sn.scalar().longValue();
        }
        String to = sandboxPath(f.required("to", "an absolute path inside the sandbox"));
        long finalSeed = seed;
        return Values.checked(n, () -> CorpusEntry.generated(recipe, finalSeed, to));
    }

    private StopCondition stop(YamlNode n) throws ScenarioException {
        Fields f = Fields.of(n, STOP);
        Duration duration = StopCondition.DEFAULT_DURATION;
        Optional<YamlNode> d = f.optional("duration");
        if (d.isPresent()) {
            duration = Values.duration(d.get());
            if (duration.isZero()) {
                throw d.get().error("must be longer than 0");
            }
        }
        Optional<Duration> idle = Optional.empty();
        Optional<YamlNode> i = f.optional("idle");
        if (i.isPresent()) {
            Duration idleValue = Values.duration(i.get());
            if (idleValue.isZero()) {
                throw i.get().error("must be longer than 0");
            }
            if (idleValue.compareTo(duration) > 0) {
                throw i.get().error(Durations.format(idleValue) + " is longer than stop.duration "
                        + Durations.format(duration) + " and could never be reached");
            }
            idle = Optional.of(idleValue);
        }
        boolean agentExits = f.has("agentExits") && Values.bool(f.optional("agentExits").orElseThrow());
        Duration finalDuration = duration;
        Optional<Duration> finalIdle = idle;
        return Values.checked(n, () -> new StopCondition(finalDuration, finalIdle, agentExits));
    }

    private List<Trigger> triggers(YamlNode n, StopCondition stop) throws ScenarioException {
        List<Trigger> out = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        for (YamlNode t : Values.list(n, MAX_TRIGGERS)) {
            Fields f = Fields.of(t, TRIGGER);
            YamlNode nameNode = f.required("name", "a name for logs and reports, e.g. name: drop-new-file");
            String name = Values.checked(nameNode, () -> Scenario.checkName(Values.text(nameNode)));
            if (names.containsKey(name)) {
                throw nameNode.error("trigger name '" + name + "' is already used on line " + names.get(name));
            }
            names.put(name, nameNode.line());
            YamlNode atNode = f.required("at", "when, after the agent started, e.g. at: 5s");
            Duration at = Values.duration(atNode);
            if (at.compareTo(stop.duration()) > 0) {
                throw atNode.error(Durations.format(at) + " comes after stop.duration "
                        + Durations.format(stop.duration()) + "; the trigger would never run");
            }
            if (f.has("exec") == f.has("copy")) {
                throw t.error("give exactly one of 'exec' (a command) and 'copy' ({from, to}), "
                        + (f.has("exec") ? "not both" : "none was given"));
            }
            Trigger trigger;
            if (f.has("exec")) {
                String command = Values.nonBlank(f.optional("exec").orElseThrow());
                trigger = Values.checked(t, () -> Trigger.exec(name, at, command));
            } else {
                FileCopy copy = fileCopy(f.optional("copy").orElseThrow());
                trigger = Values.checked(t, () -> Trigger.copy(name, at, copy));
            }
            out.add(trigger);
        }
        return out;
    }

    private ResponderRules responders(YamlNode n) throws ScenarioException {
        List<ResponderRule> rules = new ArrayList<>();
        for (YamlNode r : Values.list(n, MAX_RESPONDERS)) {
            rules.add(responder(r));
        }
        return new ResponderRules(rules);
    }

    private ResponderRule responder(YamlNode n) throws ScenarioException {
        Fields f = Fields.of(n, RESPONDER);
        Optional<String> host = opt(f, "host", v -> Values.checked(v, () -> ResponderRule.checkHostGlob(Values.text(v))));
        Optional<String> method = opt(f, "method", v -> Values.checked(v, () -> ResponderRule.checkMethod(Values.text(v))));
        Optional<String> path = opt(f, "path", v -> Values.checked(v, () -> ResponderRule.checkPath(Values.text(v))));
        int status = f.has("status") ? Values.integer(f.optional("status").orElseThrow(), 100, 599) : 200;
        Map<String, String> headers = Map.of();
        Optional<YamlNode> h = f.optional("headers");
        if (h.isPresent()) {
            headers = Values.stringMap(h.get(), HEADER_NAME, "a valid header name", 64);
            Set<String> seen = new HashSet<>();
            for (Map.Entry<String, String> e : headers.entrySet()) {
                YamlNode v = h.get().fields().get(e.getKey());
                Values.checked(v, () -> {
                    ResponderRule.checkHeader(e.getKey(), e.getValue());
                    return null;
                });
                if (!seen.add(e.getKey().toLowerCase(Locale.ROOT))) {
                    throw v.error("header '" + e.getKey() + "' is given twice (header names ignore case)");
                }
            }
        }
        if (f.has("body") && f.has("bodyFile")) {
            throw f.optional("bodyFile").orElseThrow().error("give either 'body' or 'bodyFile', not both");
        }
        byte[] body = new byte[0];
        Optional<Path> bodyFile = Optional.empty();
        if (f.has("body")) {
            YamlNode b = f.optional("body").orElseThrow();
            body = Values.text(b).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } else if (f.has("bodyFile")) {
            YamlNode b = f.optional("bodyFile").orElseThrow();
            Path p = HostPaths.existing(b, dir);
            body = readBody(b, p);
            bodyFile = Optional.of(p);
        }
        byte[] finalBody = body;
        Map<String, String> finalHeaders = headers;
        Optional<Path> finalBodyFile = bodyFile;
        return Values.checked(n, () -> new ResponderRule(host, method, path, status, finalHeaders, finalBody,
                finalBodyFile));
    }

    private static byte[] readBody(YamlNode n, Path p) throws ScenarioException {
        try {
            if (!Files.isRegularFile(p)) {
                throw n.error("'" + n.scalar().asText() + "' is not a file");
            }
            if (Files.size(p) > ResponderRule.MAX_BODY_BYTES) {
                throw n.error("'" + n.scalar().asText() + "' is larger than " + ResponderRule.MAX_BODY_BYTES + " bytes");
            }
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw n.error("cannot read '" + n.scalar().asText() + "': " + e.getMessage());
        }
    }

    private static Verdict verdict(YamlNode n) throws ScenarioException {
        String s = Values.text(n);
        for (Verdict v : Verdict.values()) {
            if (v.name().equalsIgnoreCase(s)) {
                return v;
            }
        }
        throw n.error("'" + YamlNode.abbreviate(s) + "' is not a verdict (PASS, FAIL or OPAQUE)");
    }

    private static String sandboxPath(YamlNode n) throws ScenarioException {
        return Values.checked(n, () -> SandboxPath.check(Values.text(n)));
    }

    private static <T> Optional<T> opt(Fields f, String key, Reader<T> reader) throws ScenarioException {
        Optional<YamlNode> n = f.optional(key);
        return n.isPresent() ? Optional.of(reader.read(n.get())) : Optional.empty();
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(YamlNode n) throws ScenarioException;
    }
}
