package org.egressaudit.harness.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.harness.scenario.Durations;
import org.egressaudit.harness.scenario.Scenario;
import org.egressaudit.harness.scenario.ScenarioException;
import org.egressaudit.harness.scenario.ScenarioLoader;

/**
 * Builds a {@link Scenario} in Java, key for key the same as scenario YAML (scenarios/EXAMPLE.yaml documents every
 * key). {@link #build()} writes the YAML into a directory and loads it with {@link ScenarioLoader}, so a scenario
 * built here is checked by exactly the rules of a scenario file, and {@link #toYaml()} turns it into one.
 *
 * <p>Host files (agent files, corpus, policy file, response bodies) are referenced, not copied: the YAML names them
 * relative to the directory it is written to (which may mean {@code ../..}). Setters keep the last value given;
 * list-like calls ({@link #agentFile}, {@link #plant}, {@link #trigger}, {@link #respond}, ...) add.
 * Not thread-safe.
 */
public final class ScenarioBuilder {
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build();

    private record Copy(Path from, String to, String mode) {
    }

    private record TriggerSpec(String name, Duration at, String exec, Copy copy) {
    }

    private final String name;
    private String description;
    private String image;
    private final List<String> packages = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private String workdir;
    private final List<String> trustStores = new ArrayList<>();
    private String version;
    private String versionCommand;
    private final List<Copy> files = new ArrayList<>();
    private final List<String> install = new ArrayList<>();
    private String start;
    private String user;
    private Boolean auditFiles;
    private final List<Copy> corpus = new ArrayList<>();
    private final List<TriggerSpec> triggers = new ArrayList<>();
    private Duration stopAfter;
    private Duration stopWhenIdle;
    private Boolean stopWhenAgentExits;
    private Path policyFile;
    private List<String> allow;
    private Long opaqueBudget;
    private List<String> markers;
    private Integer minFragmentBytes;
    private final List<Responder> responders = new ArrayList<>();
    private Verdict expect;
    private Path directory;

    ScenarioBuilder(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    // ---- sandbox

    public ScenarioBuilder description(String text) {
        this.description = Objects.requireNonNull(text, "text");
        return this;
    }

    /** A local Docker image, e.g. {@code egress-audit/base:bookworm} (nothing is pulled). */
    public ScenarioBuilder image(String image) {
        this.image = Objects.requireNonNull(image, "image");
        return this;
    }

    /** Extra Debian packages, installed into a cached image on top of the default base image. */
    public ScenarioBuilder packages(String... packageNames) {
        packages.addAll(Arrays.asList(packageNames));
        return this;
    }

    public ScenarioBuilder env(String variable, String value) {
        env.put(Objects.requireNonNull(variable, "variable"), Objects.requireNonNull(value, "value"));
        return this;
    }

    public ScenarioBuilder workdir(String sandboxPath) {
        this.workdir = Objects.requireNonNull(sandboxPath, "sandboxPath");
        return this;
    }

    /** A CA bundle (PEM) the agent ships; the run CA is appended to it. */
    public ScenarioBuilder trustStore(String sandboxPath) {
        trustStores.add(Objects.requireNonNull(sandboxPath, "sandboxPath"));
        return this;
    }

    // ---- agent

    public ScenarioBuilder agentVersion(String version) {
        this.version = Objects.requireNonNull(version, "version");
        return this;
    }

    public ScenarioBuilder agentVersionCommand(String command) {
        this.versionCommand = Objects.requireNonNull(command, "command");
        return this;
    }

    /** Copies a host file or directory to {@code sandboxPath} before anything runs. */
    public ScenarioBuilder agentFile(Path host, String sandboxPath) {
        files.add(new Copy(absolute(host), Objects.requireNonNull(sandboxPath, "sandboxPath"), null));
        return this;
    }

    /** As {@link #agentFile(Path, String)} with an octal mode such as "0755" (files only). */
    public ScenarioBuilder agentFile(Path host, String sandboxPath, String mode) {
        files.add(new Copy(absolute(host), Objects.requireNonNull(sandboxPath, "sandboxPath"),
                Objects.requireNonNull(mode, "mode")));
        return this;
    }

    /** A command run as root (sh -c) after the agent files are copied, before the corpus is planted. */
    public ScenarioBuilder install(String command) {
        install.add(Objects.requireNonNull(command, "command"));
        return this;
    }

    /** The agent process (sh -c); observation and trigger times start here. */
    public ScenarioBuilder start(String command) {
        this.start = Objects.requireNonNull(command, "command");
        return this;
    }

    public ScenarioBuilder user(String user) {
        this.user = Objects.requireNonNull(user, "user");
        return this;
    }

    /** Traces which files the agent opens (strace -f), so findings can say when it read a planted file. */
    public ScenarioBuilder auditFiles() {
        this.auditFiles = true;
        return this;
    }

    // ---- corpus, triggers, stop

    /** Plants a host file or directory at {@code sandboxPath}; it is also what the analysis looks for. */
    public ScenarioBuilder plant(Path host, String sandboxPath) {
        corpus.add(new Copy(absolute(host), Objects.requireNonNull(sandboxPath, "sandboxPath"), null));
        return this;
    }

    /** Runs {@code command} (root, sh -c) at {@code at} after the agent started. */
    public ScenarioBuilder trigger(String triggerName, Duration at, String command) {
        triggers.add(new TriggerSpec(Objects.requireNonNull(triggerName, "triggerName"), Objects.requireNonNull(at, "at"),
                Objects.requireNonNull(command, "command"), null));
        return this;
    }

    /** Copies a host file or directory into the sandbox at {@code at} after the agent started. */
    public ScenarioBuilder triggerCopy(String triggerName, Duration at, Path host, String sandboxPath) {
        triggers.add(new TriggerSpec(Objects.requireNonNull(triggerName, "triggerName"), Objects.requireNonNull(at, "at"),
                null, new Copy(absolute(host), Objects.requireNonNull(sandboxPath, "sandboxPath"), null)));
        return this;
    }

    /** Hard cap on observation (default 60 s). Whole milliseconds. */
    public ScenarioBuilder stopAfter(Duration duration) {
        this.stopAfter = Objects.requireNonNull(duration, "duration");
        return this;
    }

    /** Stop once no new traffic was seen for this long after the last trigger. */
    public ScenarioBuilder stopWhenIdle(Duration idle) {
        this.stopWhenIdle = Objects.requireNonNull(idle, "idle");
        return this;
    }

    public ScenarioBuilder stopWhenAgentExits() {
        this.stopWhenAgentExits = true;
        return this;
    }

    // ---- policy

    /** A policy file (as for {@code egress-audit analyze --policy}); excludes the inline policy methods. */
    public ScenarioBuilder policy(Path file) {
        this.policyFile = absolute(file);
        return this;
    }

    /** Inline policy: the categories allowed to leave (ids such as "executable", "metadata"). */
    public ScenarioBuilder allow(String... categories) {
        this.allow = List.of(categories);
        return this;
    }

    /** Inline policy: the categories allowed to leave. */
    public ScenarioBuilder allow(Category... categories) {
        this.allow = Arrays.stream(categories).map(Category::id).toList();
        return this;
    }

    /** Inline policy: opaque bytes tolerated per destination. */
    public ScenarioBuilder opaqueBudget(long bytes) {
        this.opaqueBudget = bytes;
        return this;
    }

    /** Inline policy: canary strings whose leaving fails the run. */
    public ScenarioBuilder markers(String... markerStrings) {
        this.markers = List.of(markerStrings);
        return this;
    }

    /** Inline policy: shortest planted-file range attributed as a fragment. */
    public ScenarioBuilder minFragmentBytes(int bytes) {
        this.minFragmentBytes = bytes;
        return this;
    }

    // ---- responders, expectation

    /** The fake cloud answers requests to {@code hostGlob} and {@code path} with {@code status} and {@code body}. */
    public ScenarioBuilder respond(String hostGlob, String path, int status, String body) {
        return respond(Responder.any().host(hostGlob).path(path).status(status).body(body));
    }

    /** Adds a responder rule; the first rule whose matchers all match answers. */
    public ScenarioBuilder respond(Responder rule) {
        responders.add(Objects.requireNonNull(rule, "rule"));
        return this;
    }

    public ScenarioBuilder expect(Verdict verdict) {
        this.expect = Objects.requireNonNull(verdict, "verdict");
        return this;
    }

    // ---- output

    /** Where {@link #build()} writes {@code <name>.yaml}; default a new temporary directory. */
    public ScenarioBuilder in(Path dir) {
        this.directory = absolute(dir);
        return this;
    }

    /**
     * Writes the scenario to {@code <dir>/<name>.yaml} (see {@link #in}) and loads it with the scenario loader.
     *
     * @throws InvalidScenarioException what the loader rejects, with the generated YAML
     * @throws UncheckedIOException     when the file cannot be written
     */
    public Scenario build() {
        Path dir = directory;
        boolean temporary = dir == null;
        try {
            if (temporary) {
                dir = Files.createTempDirectory("egress-audit-scenario-");
                dir.toFile().deleteOnExit();
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the scenario directory: " + e.getMessage(), e);
        }
        Path file = writeTo(dir.resolve(safeFileName() + ".yaml"));
        if (temporary) {
            file.toFile().deleteOnExit(); // registered after its directory, so deleted before it
        }
        try {
            return ScenarioLoader.load(file);
        } catch (ScenarioException e) {
            throw new InvalidScenarioException(e.getMessage() + "\n--- generated scenario " + file + " ---\n"
                    + numbered(readBack(file)), e);
        }
    }

    /**
     * Writes the scenario YAML to {@code file}, host paths relative to its directory, and returns {@code file}.
     * Not checked: {@link ScenarioLoader#load} it (or use {@link #build()}).
     */
    public Path writeTo(Path file) {
        Path target = absolute(file);
        try {
            Files.createDirectories(target.getParent());
            Files.writeString(target, toYaml(target.getParent()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
        return target;
    }

    /** The scenario as YAML for a file in the {@link #in} directory (else the working directory). */
    public String toYaml() {
        return toYaml(directory != null ? directory : Path.of("").toAbsolutePath());
    }

    /** The scenario as YAML for a file in {@code scenarioDir}: host paths are written relative to it. */
    public String toYaml(Path scenarioDir) {
        Path dir = absolute(scenarioDir);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", name);
        put(root, "description", description);
        Map<String, Object> sandbox = new LinkedHashMap<>();
        put(sandbox, "image", image);
        putList(sandbox, "packages", packages);
        if (!env.isEmpty()) {
            sandbox.put("env", env);
        }
        put(sandbox, "workdir", workdir);
        putList(sandbox, "trustStores", trustStores);
        root.put("sandbox", sandbox);
        Map<String, Object> agent = new LinkedHashMap<>();
        put(agent, "version", version);
        put(agent, "versionCommand", versionCommand);
        if (!files.isEmpty()) {
            agent.put("files", files.stream().map(c -> copy(c, dir)).toList());
        }
        putList(agent, "install", install);
        put(agent, "start", start);
        put(agent, "user", user);
        put(agent, "auditFiles", auditFiles);
        root.put("agent", agent);
        if (!corpus.isEmpty()) {
            root.put("corpus", corpus.stream().map(c -> copy(c, dir)).toList());
        }
        if (!triggers.isEmpty()) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (TriggerSpec t : triggers) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", t.name());
                m.put("at", duration(t.at()));
                if (t.exec() != null) {
                    m.put("exec", t.exec());
                } else {
                    m.put("copy", copy(t.copy(), dir));
                }
                list.add(m);
            }
            root.put("triggers", list);
        }
        Map<String, Object> stop = new LinkedHashMap<>();
        put(stop, "duration", stopAfter == null ? null : duration(stopAfter));
        put(stop, "idle", stopWhenIdle == null ? null : duration(stopWhenIdle));
        put(stop, "agentExits", stopWhenAgentExits);
        if (!stop.isEmpty()) {
            root.put("stop", stop);
        }
        Object policy = policyNode(dir);
        put(root, "policy", policy);
        if (!responders.isEmpty()) {
            root.put("responders", responders.stream().map(r -> responder(r, dir)).toList());
        }
        put(root, "expect", expect == null ? null : expect.name());
        try {
            return "# written by org.egressaudit.harness.api.ScenarioBuilder; every key: scenarios/EXAMPLE.yaml\n"
                    + YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write YAML: " + e.getOriginalMessage(), e);
        }
    }

    private Object policyNode(Path dir) {
        boolean inline = allow != null || opaqueBudget != null || markers != null || minFragmentBytes != null;
        if (policyFile != null && inline) {
            throw new IllegalStateException("give either a policy file (policy(Path)) or an inline policy "
                    + "(allow/opaqueBudget/markers/minFragmentBytes), not both");
        }
        if (policyFile != null) {
            return relative(policyFile, dir);
        }
        if (!inline) {
            return null; // the loader names the missing key
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("allow", allow == null ? List.of() : allow);
        put(p, "opaqueBytesBudget", opaqueBudget);
        put(p, "markers", markers);
        put(p, "minFragmentBytes", minFragmentBytes);
        return p;
    }

    private static Map<String, Object> responder(Responder r, Path dir) {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "host", r.host);
        put(m, "method", r.method);
        put(m, "path", r.path);
        put(m, "status", r.status);
        if (!r.headers.isEmpty()) {
            m.put("headers", r.headers);
        }
        put(m, "body", r.body);
        put(m, "bodyFile", r.bodyFile == null ? null : relative(absolute(r.bodyFile), dir));
        return m;
    }

    private static Map<String, Object> copy(Copy c, Path dir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", relative(c.from(), dir));
        m.put("to", c.to());
        put(m, "mode", c.mode());
        return m;
    }

    /** Scenario files name host paths relative to their directory, so they can move with their files. */
    private static String relative(Path host, Path dir) {
        String r = dir.relativize(host).toString();
        return r.isEmpty() ? "." : r;
    }

    private static String duration(Duration d) {
        if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException("durations are whole, non-negative milliseconds, got " + d);
        }
        return Durations.format(d);
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static void putList(Map<String, Object> m, String key, List<String> values) {
        if (!values.isEmpty()) {
            m.put(key, List.copyOf(values));
        }
    }

    private static Path absolute(Path p) {
        return Objects.requireNonNull(p, "path").toAbsolutePath().normalize();
    }

    /** The scenario's name when valid, else a neutral name: the loader then reports the bad name itself. */
    private String safeFileName() {
        return Scenario.NAME.matcher(name).matches() ? name : "scenario";
    }

    private static String readBack(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read it back: " + e.getMessage() + ")";
        }
    }

    private static String numbered(String text) {
        StringBuilder b = new StringBuilder();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i == lines.length - 1 && lines[i].isEmpty()) {
                break;
            }
            b.append(String.format("%3d  %s%n", i + 1, lines[i]));
        }
        return b.toString();
    }
}
