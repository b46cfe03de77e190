package org.egressaudit.harness.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.corpus.Corpus;
import org.egressaudit.analyzers.corpus.CorpusLoader;
import org.egressaudit.analyzers.engine.AnalysisEngine;
import org.egressaudit.analyzers.engine.AnalysisOptions;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.analyzers.protocol.tls.keylog.KeyLog;
import org.egressaudit.analyzers.report.JsonReport;
import org.egressaudit.harness.audit.FileActivity;
import org.egressaudit.harness.audit.StraceParser;
import org.egressaudit.harness.capture.CaptureStats;
import org.egressaudit.harness.capture.LiveCapture;
import org.egressaudit.harness.network.ConntrackLookup;
import org.egressaudit.harness.network.Redirects;
import org.egressaudit.harness.network.RunNetwork;
import org.egressaudit.harness.network.ServiceEventLog;
import org.egressaudit.harness.network.SinkConfig;
import org.egressaudit.harness.network.SinkServices;
import org.egressaudit.harness.sandbox.ContainerSandbox;
import org.egressaudit.harness.sandbox.DockerEnvironment;
import org.egressaudit.harness.sandbox.ExecResult;
import org.egressaudit.harness.sandbox.SandboxConfig;
import org.egressaudit.harness.sandbox.Sandbox;
import org.egressaudit.harness.sandbox.SandboxProcess;
import org.egressaudit.harness.network.HostBridge;
import org.egressaudit.harness.scenario.SandboxType;
import org.egressaudit.harness.scenario.VmSpec;
import org.egressaudit.harness.vm.Acceleration;
import org.egressaudit.harness.vm.AccelerationProbe;
import org.egressaudit.harness.vm.VmConfig;
import org.egressaudit.harness.vm.VmSandbox;
import org.egressaudit.harness.scenario.AgentSpec;
import org.egressaudit.harness.scenario.CorpusEntry;
import org.egressaudit.harness.scenario.FileCopy;
import org.egressaudit.harness.scenario.Scenario;
import org.egressaudit.harness.scenario.Trigger;
import org.egressaudit.harness.tls.RunCertificateAuthority;
import org.egressaudit.harness.tls.SandboxTrust;
import org.egressaudit.harness.tls.TlsInterception;

/**
 * Runs one scenario: internal network, harness services on its gateway, redirects, live capture, the sandbox with
 * the agent and its planted corpus, triggers, observation until a stop condition, teardown, analysis. Every resource
 * is released in reverse order whatever happens (also on Ctrl-C, through {@link ActiveRuns}); the capture and logs
 * stay in the run folder.
 */
public final class ScenarioRunner {
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration POLL = Duration.ofMillis(200);
    /** Packets in flight when the agent stops still reach the capture. */
    private static final Duration DRAIN = Duration.ofSeconds(1);
    static final String TRACE_DIR = "/var/tmp/egress-audit";
    static final String TRACE_FILE = TRACE_DIR + "/files.trace";
    static final String TRACED_CALLS = "open,openat,openat2,execve,clone,clone3,fork,vfork,connect,sendto,sendmsg,"
            + "sendmmsg";

    private final Path runsDir;
    private final AnalysisOptions analysisOptions;
    private final Images images;
    private final VmImages vmImages;
    private final PrintWriter progress;
    private volatile java.util.function.BiConsumer<Scenario, RunFolder> folderListener = (s, f) -> { };
    private final String toolVersion;

    public ScenarioRunner(Path runsDir, AnalysisOptions analysisOptions, Images images, PrintWriter progress,
                          String toolVersion) {
        this.runsDir = runsDir;
        this.analysisOptions = analysisOptions;
        this.images = images;
        this.vmImages = VmImages.withDefaultCache(images.builder());
        this.progress = progress;
        this.toolVersion = toolVersion;
    }

    /** Ways to break containment on purpose, for the test that proves a breach is caught. */
    enum Breach { NONE, NO_REDIRECTS, ROUTE_OUT }

    private Breach breach = Breach.NONE;

    /** Test only: run with containment deliberately broken (the self-test must then end the run in ERROR). */
    ScenarioRunner breakContainmentForTest(Breach how) {
        this.breach = how;
        return this;
    }

    private Path reusedCaCertificate;
    private Path reusedCaKey;

    /**
     * Reuse one CA for every run instead of minting one per run (e.g. a CA already installed in a VM image).
     * Its certificate is copied into each run folder; the key stays where it is.
     */
    public ScenarioRunner withCertificateAuthority(Path certificatePem, Path keyPem) {
        this.reusedCaCertificate = certificatePem;
        this.reusedCaKey = keyPem;
        return this;
    }

    private RunCertificateAuthority certificateAuthority(RunFolder folder) throws IOException {
        if (reusedCaCertificate == null) {
            return RunCertificateAuthority.create(folder.runId(), folder.dir());
        }
        RunCertificateAuthority ca = RunCertificateAuthority.load(reusedCaCertificate, reusedCaKey);
        Files.copy(reusedCaCertificate, folder.dir().resolve("tls-ca.pem"));
        return ca;
    }

    /** KVM when the scenario allows it and the probe shows it works; TCG otherwise, with the reason. */
    private static Acceleration accelerationFor(VmSpec vm) {
        return switch (vm.accel()) {
            case TCG -> Acceleration.tcg("the scenario asks for TCG");
            case KVM -> {
                Acceleration a = AccelerationProbe.detect();
                if (a.kind() != Acceleration.Kind.KVM) {
                    throw new IllegalStateException("the scenario requires KVM, which does not work here: "
                            + a.reason());
                }
                yield a;
            }
            case AUTO -> AccelerationProbe.detect();
        };
    }

    /** Thrown for anything that keeps the sandbox from being set up (exit code 3). */
    static final class SetupException extends Exception {
        private static final long serialVersionUID = 1L;

        SetupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Called with each run's folder as soon as it exists (before setup), from the thread running it: lets the
     * command line show progress (capture size) while the run goes on.
     */
    public ScenarioRunner withRunFolderListener(java.util.function.BiConsumer<Scenario, RunFolder> listener) {
        this.folderListener = listener;
        return this;
    }

    public RunOutcome run(Scenario s) throws IOException {
        RunOutcome o = runAndAnalyse(s);
        Files.writeString(o.folder().summary(), RunSummary.text(o, false), StandardCharsets.UTF_8);
        return o;
    }

    private RunOutcome runAndAnalyse(Scenario s) throws IOException {
        RunFolder folder = RunFolder.create(runsDir, s.name());
        folderListener.accept(s, folder);
        Files.copy(s.file(), folder.scenarioCopy());
        RunPolicy.write(s.policy(), folder.policy());
        List<String> notes = new ArrayList<>();
        Deque<AutoCloseable> resources = ActiveRuns.register();
        CaptureStats captureStats = null;
        String stopReason = null;
        String agentVersion = s.agent().version().orElse(null);
        Instant started = Instant.now();
        Instant stopped;
        ServiceEventLog eventLog = null;
        RunContainment containment = new RunContainment();
        RunAttribution attribution = new RunAttribution();
        try {
            say(s, "setting up (run " + folder.runId() + ", folder " + folder.dir() + ")");
            boolean vm = s.sandbox().type() == SandboxType.VM;
            boolean bootScript = vm && s.sandbox().vm().orElseThrow().control() == VmSpec.Control.BOOT_SCRIPT;
            DockerEnvironment.Diagnosis diag = DockerEnvironment.diagnose();
            if (!diag.ok() && (!vm || s.sandbox().vm().orElseThrow().builtinGuest())) {
                throw new SetupException("this machine is not ready for sandboxed runs:\n" + diag.report(), null);
            }
            String image = vm ? null : setup(() -> images.resolve(s.sandbox(), progress), "image");
            VmConfig vmConfig = vm ? setup(() -> vmImages.resolve(s.sandbox(), progress), "virtual machine image")
                    : null;
            RunNetwork dockerNetwork = null;
            HostBridge hostBridge = null;
            if (vm) {
                hostBridge = setup(() -> HostBridge.create(folder.runId()), "network");
                resources.push(hostBridge);
            } else {
                dockerNetwork = setup(() -> RunNetwork.create(folder.runId(), breach != Breach.ROUTE_OUT),
                        "network");
                resources.push(dockerNetwork);
            }
            String bridge = vm ? hostBridge.bridgeInterface() : dockerNetwork.bridgeInterface();
            java.net.Inet4Address gateway = vm ? hostBridge.gateway() : dockerNetwork.gateway();
            ServiceEventLog events = ServiceEventLog.streamingTo(folder.servicesLog(), 100_000, 256L << 20);
            eventLog = events;
            resources.push(events::close);
            // A fresh CA per run, in the run folder; the key log is closed after the services (pushed before them).
            TlsInterception tls = setup(() -> TlsInterception.start(certificateAuthority(folder), folder.tlsKeyLog()),
                    "TLS interception");
            resources.push(tls);
            SinkConfig sinkConfig = SinkConfig.defaults().withDnsAnswerAddress(gateway);
            SinkServices services = setup(() -> SinkServices.start(gateway, sinkConfig,
                    new ScenarioResponder(s.responders()), events, tls,
                    ConntrackLookup.ifAvailable(sinkConfig.originalDestinationTimeout()).orElse(null)),
                    "harness services");
            resources.push(services);
            if (breach == Breach.NONE) {
                Redirects redirects = setup(() -> Redirects.install(folder.runId(), bridge,
                        new Redirects.Ports(services.dnsPort(), services.tcpPort(), services.udpPort())),
                        "redirects");
                resources.push(redirects);
            } else {
                notes.add("TEST: containment deliberately broken (" + breach + ")");
            }
            Sandbox sandbox;
            LiveCapture capture;
            if (vm) {
                // The tap exists before the guest: capture from power-on (DHCP, boot-time connections). Pushed
                // before the VM, so the VM is stopped (its last packets captured) before the capture is flushed.
                HostBridge b = hostBridge;
                capture = setup(() -> LiveCapture.start(b.tapInterface(), folder.capture()), "capture");
                resources.push(capture);
                Acceleration accel = setup(() -> accelerationFor(s.sandbox().vm().orElseThrow()), "acceleration");
                VmSandbox v = setup(() -> {
                    VmSandbox x = new VmSandbox(b, vmConfig, accel, folder.dir().resolve("vm"));
                    resources.push(() -> {
                        try {
                            x.close();
                        } finally {
                            notes.addAll(x.notes());
                        }
                    });
                    if (bootScript) {
                        x.withBootScript(BootScriptRun.prepare(s, folder, plantedCorpus(s, folder),
                                tls.authority().certificateFile()));
                    }
                    say(s, "booting the virtual machine (" + accel.kind() + ")");
                    x.start();
                    return x;
                }, "sandbox");
                sandbox = v;
            } else {
                RunNetwork n = dockerNetwork;
                ContainerSandbox c = setup(() -> {
                    ContainerSandbox x = new ContainerSandbox(n, SandboxConfig.defaults(image));
                    resources.push(x);
                    x.start();
                    return x;
                }, "sandbox");
                sandbox = c;
                // Capture on the container's own veth: Docker's br_netfilter applies the REDIRECT at bridge level,
                // so the bridge tap would show rewritten destinations; the veth shows what the agent really sent.
                // It is pushed after the sandbox so it is closed (and flushed) before the veth disappears.
                capture = setup(() -> LiveCapture.start(c.hostInterface(), folder.capture()), "capture");
                resources.push(capture);
            }
            String subnet = vm ? hostBridge.subnet() : dockerNetwork.subnet();
            resources.push(containment.startWatch(folder.dir().resolve("conntrack.log"), subnet,
                    gateway.getHostAddress()));
            say(s, "containment self-test");
            if (bootScript) {
                containment.skipProbe("boot-script control has no command channel to run the canary probe in the "
                        + "guest");
            } else if (!containment.probe(sandbox, gateway.getHostAddress(), events)) {
                throw new ContainmentBreach(containment.problem());
            }
            if (sandbox instanceof ContainerSandbox c) {
                resources.push(attribution.startSampling(c.initPid(), c.ipAddress()));
            } else {
                attribution.virtualMachine(hostBridge.guestAddress().getHostAddress());
            }
            if (bootScript) {
                say(s, "the guest runs the boot script; waiting for it to power off");
                VmSandbox v = (VmSandbox) sandbox;
                stopReason = BootScriptRun.awaitAndCollect(s, v, v.bootDisk().orElseThrow(), folder, notes,
                        s.sandbox().vm().orElseThrow().bootTimeout());
                say(s, "stopped: " + stopReason);
            } else {
                AgentRun a = runAgent(s, sandbox, folder, notes, tls, events, containment, agentVersion);
                stopReason = a.stopReason();
                agentVersion = a.agentVersion();
            }
            sleep(DRAIN);
            capture.close();
            captureStats = capture.stats();
        } catch (SetupException e) {
            stopped = Instant.now();
            List<String> failures = ActiveRuns.release(resources);
            notes.addAll(failures);
            writeMetadata(folder, s, started, stopped, null, null, agentVersion, notes, e.getMessage());
            return new RunOutcome(s, folder, null, 3, e.getMessage(), null, null, null, agentVersion, notes,
                    List.of());
        } catch (ContainmentBreach e) {
            stopReason = "stopped before the agent started: " + e.getMessage();
        } catch (RuntimeException e) {
            notes.add("run interrupted by an error: " + e.getMessage());
            stopReason = "error: " + e.getMessage();
        } finally {
            for (String f : ActiveRuns.release(resources)) {
                notes.add("cleanup: " + f);
            }
        }
        stopped = Instant.now();
        return analyse(s, folder, captureStats, stopReason, agentVersion, notes, started, stopped, eventLog,
                containment, attribution);
    }

    /** The containment probe failed: the agent must not start. */
    private static final class ContainmentBreach extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ContainmentBreach(String message) {
            super(message);
        }
    }

    /** Command-channel runs: prepare the sandbox, start the agent, observe until a stop condition. */
    /** What a command-channel run produced: why observation stopped, and the agent's version if asked for. */
    private record AgentRun(String stopReason, String agentVersion) {
    }

    /** Command-channel runs: prepare the sandbox, start the agent, observe until a stop condition. */
    private AgentRun runAgent(Scenario s, Sandbox sandbox, RunFolder folder, List<String> notes, TlsInterception tls,
                              ServiceEventLog events, RunContainment containment, String agentVersion)
            throws SetupException {
        prepare(s, sandbox, folder, notes, tls.authority());
        String version = agentVersion;
        if (version == null && s.agent().versionCommand().isPresent()) {
            ExecResult v = sandbox.exec(COMMAND_TIMEOUT, "sh", "-c", s.agent().versionCommand().get());
            version = v.stdoutText().strip();
        }
        say(s, "agent starting: " + s.agent().start());
        SandboxProcess agent = sandbox.startProcess(agentCommand(s), folder.agentLog());
        Observation obs = new Observation(s, sandbox, agent, folder, notes, events, containment);
        String stopReason = obs.observe();
        say(s, "stopped: " + stopReason);
        if (s.agent().auditFiles()) {
            try {
                sandbox.copyOut(TRACE_FILE, folder.fileTrace());
            } catch (RuntimeException e) {
                notes.add("file-activity audit: no trace (" + e.getMessage() + "); is strace in the image?");
            }
        }
        return new AgentRun(stopReason, version);
    }

    private RunOutcome analyse(Scenario s, RunFolder folder, CaptureStats stats, String stopReason,
                               String agentVersion, List<String> notes, Instant started, Instant stopped,
                               ServiceEventLog eventLog, RunContainment containment, RunAttribution attribution)
            throws IOException {
        if (!Files.isRegularFile(folder.capture())) {
            String problem = "no capture was written (" + stopReason + ")";
            writeMetadata(folder, s, started, stopped, stats, stopReason, agentVersion, notes, problem);
            return new RunOutcome(s, folder, null, 3, problem, null, stats, stopReason, agentVersion, notes,
                    List.of());
        }
        try {
            AnalysisEngine engine = new AnalysisEngine(analysisOptions);
            AnalysisCorpus.build(plantedCorpus(s, folder), folder.corpus());
            Corpus corpus = new CorpusLoader(engine.decoders()).load(folder.corpus());
            // The harness's key log of the sessions it terminated decrypts the captured flows themselves, so the
            // report shows the agent's connection, not the harness's half of it.
            Path keyLog = analysisKeyLog(folder);
            KeyLog keys = keyLog == null ? KeyLog.empty() : KeyLog.load(keyLog);
            AnalysisResult result = engine.analyze(folder.capture(), corpus, s.policy(), keys);
            if (eventLog != null) {
                result = result.withExtraFindings(RefusedTls.findings(eventLog.events(), result));
            }
            containment.finish(result, eventLog);
            Verdict verdict = result.verdict();
            if (stats != null && !stats.complete()) {
                notes.add("the capture lost packets (dropped " + stats.dropped() + ", by interface "
                        + stats.droppedByInterface() + (stats.fileLimitReached() ? ", file size limit reached" : "")
                        + "): what was not captured was not inspected");
                verdict = verdict.worst(Verdict.OPAQUE);
            }
            List<String> activity = new ArrayList<>(fileActivity(folder, corpus, result, notes));
            org.egressaudit.harness.attribution.AttributionReport attributed = attribution.report(result, corpus,
                    folder.fileTrace(), activity, notes, containment.probeClients());
            ObjectNode json = new JsonReport(toolVersion).toJson(result);
            boolean contained = !containment.failed();
            if (contained) {
                notes.add(containment.summary());
            }
            json.put("verdict", contained ? verdict.name() : "ERROR");
            ObjectNode run = runNode(folder, s, started, stopped, stats, stopReason, agentVersion, notes,
                    contained ? null : containment.problem());
            run.set("containment", containment.toJson());
            run.set("attribution", attributed.toJson());
            // kept on its own too: it came from live sampling, which `egress-audit report` cannot redo
            new ObjectMapper().writeValue(folder.dir().resolve(RunAttribution.FILE).toFile(), attributed.toJson());
            if (s.agent().auditFiles()) {
                ArrayNode a = run.putArray("fileActivity");
                activity.forEach(a::add);
            }
            json.set("run", run);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(folder.report().toFile(), json);
            try {
                org.egressaudit.harness.report.HtmlReport.write(json, folder.report().resolveSibling("report.html"));
            } catch (IOException | RuntimeException e) {
                notes.add("report.html not written: " + e.getMessage());
            }
            if (!contained) {
                // whatever the agent did: a run that was not contained proves nothing, and must not pass
                writeMetadata(folder, s, started, stopped, stats, stopReason, agentVersion, notes,
                        containment.problem(), containment);
                return new RunOutcome(s, folder, null, CONTAINMENT_EXIT, containment.problem(), null,
                        stats, stopReason, agentVersion, notes, activity);
            }
            writeMetadata(folder, s, started, stopped, stats, stopReason, agentVersion, notes, null, containment);
            return new RunOutcome(s, folder, verdict, verdict == Verdict.PASS ? 0 : 1, null, result, stats,
                    stopReason, agentVersion, notes, activity);
        } catch (Exception e) {
            // the trace goes next to the capture: a reviewer (or a bug report) needs more than a message
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            Path traceFile = folder.dir().resolve("analysis-error.txt");
            Files.writeString(traceFile, trace.toString(), StandardCharsets.UTF_8);
            String problem = "analysis failed: " + (e.getMessage() == null ? e.getClass().getName()
                    : e.getMessage()) + " (stack trace in " + traceFile.getFileName() + ")";
            writeMetadata(folder, s, started, stopped, stats, stopReason, agentVersion, notes, problem);
            return new RunOutcome(s, folder, null, 2, problem, null, stats, stopReason, agentVersion, notes,
                    List.of());
        }
    }

    /** Reads the strace log (when the scenario audits files): which planted files were read before they left. */
    static List<String> fileActivity(RunFolder folder, Corpus corpus, AnalysisResult result,
                                             List<String> notes) {
        if (!Files.isRegularFile(folder.fileTrace())) {
            return List.of();
        }
        try {
            StraceParser.Trace trace = StraceParser.parse(folder.fileTrace());
            java.util.Set<String> names = new java.util.HashSet<>();
            corpus.topLevelFiles().forEach(f -> names.add(f.name()));
            List<FileActivity.PlantedRead> reads = FileActivity.plantedReads(trace.accesses(), names);
            List<String> out = new ArrayList<>();
            for (FileActivity.PlantedRead r : reads) {
                out.add("opened " + r.plantedFile() + " at "
                        + Instant.ofEpochSecond(0, r.access().timestampNanos()) + " (pid " + r.access().pid()
                        + (r.access().write() ? ", for writing" : "") + ")");
            }
            for (FileActivity.Correlation c : FileActivity.correlate(reads, result.findings())) {
                out.add("finding #" + c.findingId() + ": " + c.sentence());
            }
            if (trace.truncated()) {
                notes.add("file-activity audit: more than " + StraceParser.MAX_ACCESSES + " opens, the rest ignored");
            }
            return out;
        } catch (IOException | RuntimeException e) {
            notes.add("file-activity audit: cannot read the trace: " + e.getMessage());
            return List.of();
        }
    }

    /**
     * Copies the agent's files, runs its install commands, makes the sandbox trust the run CA, plants the corpus
     * (manifests excluded).
     */
    private void prepare(Scenario s, Sandbox sandbox, RunFolder folder, List<String> notes,
                         RunCertificateAuthority ca) throws SetupException {
        AgentSpec a = s.agent();
        try {
            for (FileCopy f : a.files()) {
                copy(sandbox, f.from(), f.to(), modeOf(f), folder);
            }
            for (String cmd : a.install()) {
                ExecResult r = command(sandbox, folder, "install", cmd);
                if (!r.succeeded()) {
                    throw new SetupException("agent install command failed (exit " + r.exitCode() + "): " + cmd
                            + "\n" + r.stderrText().strip(), null);
                }
            }
            trustRunCa(sandbox, folder, notes, ca, s.sandbox().trustStores());
            for (CorpusEntry c : plantedCorpus(s, folder)) {
                copy(sandbox, c.from(), c.to(), null, folder);
                if (Files.isDirectory(c.from())) {
                    command(sandbox, folder, "corpus", "find " + Shell.quote(c.to())
                            + " -name corpus.yaml -delete");
                }
            }
        } catch (RuntimeException | IOException e) {
            throw new SetupException("cannot prepare the sandbox: " + e.getMessage(), e);
        }
    }

    /** The scenario's corpus with generated entries written under the run folder (once) and copied from there. */
    private static List<CorpusEntry> plantedCorpus(Scenario s, RunFolder folder) throws IOException {
        return GeneratedCorpora.materialize(s.corpus(), folder.dir().resolve("generated"));
    }

    /**
     * After install (an agent's installer may bring its own bundle or JRE), before the agent starts: the system
     * store, a JRE's cacerts, and the scenario's own bundles trust the run CA. Only a named bundle that cannot be
     * written stops the run; an image without a system store gets a note (its TLS will be recorded as refused).
     */
    private void trustRunCa(Sandbox sandbox, RunFolder folder, List<String> notes,
                            RunCertificateAuthority ca, List<String> trustStores) throws SetupException {
        copy(sandbox, ca.certificateFile(), SandboxTrust.SYSTEM_CA_PATH, "0644", folder);
        for (SandboxTrust.Step step : SandboxTrust.steps(trustStores)) {
            ExecResult r = command(sandbox, folder, "trust " + step.what(), step.command());
            if (!r.succeeded()) {
                String why = step.what() + ": the run CA could not be installed (exit " + r.exitCode() + "): "
                        + r.stderrText().strip();
                if (step.required()) {
                    throw new SetupException(why, null);
                }
                notes.add(why + "; TLS the agent refuses is recorded as tls_refused and stays opaque");
            }
        }
    }

    /**
     * The NSS key log of the TLS sessions the harness terminated, for the offline decryption of the capture, or
     * null when no session was intercepted.
     */
    static Path analysisKeyLog(RunFolder folder) {
        Path keys = folder.tlsKeyLog();
        try {
            return Files.isRegularFile(keys) && Files.size(keys) > 0 ? keys : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void copy(Sandbox sandbox, Path from, String to, String mode, RunFolder folder) {
        String parent = to.substring(0, Math.max(1, to.lastIndexOf('/')));
        command(sandbox, folder, "copy", "mkdir -p " + Shell.quote(parent));
        sandbox.copyIn(from, to);
        if (mode != null) {
            command(sandbox, folder, "copy", "chmod " + mode + " " + Shell.quote(to));
        }
    }

    private static String modeOf(FileCopy f) {
        return f.modeOctal().isEmpty() ? null : f.modeOctal();
    }

    ExecResult command(Sandbox sandbox, RunFolder folder, String what, String cmd) {
        ExecResult r = sandbox.exec(COMMAND_TIMEOUT, "sh", "-c", cmd);
        String entry = Instant.now() + " [" + what + "] $ " + cmd + "\n" + r.stdoutText() + r.stderrText()
                + "  -> exit " + r.exitCode() + (r.timedOut() ? " (timed out)" : "") + "\n";
        try {
            Files.writeString(folder.commandsLog(), entry, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            progress.println("warning: cannot write " + folder.commandsLog() + ": " + e.getMessage());
        }
        return r;
    }

    /** The agent's start command with the scenario's environment, working directory and user. */
    static String agentCommand(Scenario s) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : s.sandbox().env().entrySet()) {
            sb.append("export ").append(e.getKey()).append('=').append(Shell.quote(e.getValue())).append("; ");
        }
        s.sandbox().workdir().ifPresent(w -> sb.append("mkdir -p ").append(Shell.quote(w)).append(" && cd ")
                .append(Shell.quote(w)).append(" && "));
        String start = s.agent().start();
        StringBuilder inner = new StringBuilder();
        if (s.agent().user().isPresent()) {
            String[] ug = s.agent().user().get().split(":", 2);
            inner.append("runuser -u ").append(Shell.quote(ug[0]));
            if (ug.length == 2) {
                inner.append(" -g ").append(Shell.quote(ug[1]));
            }
            inner.append(" -- sh -c ").append(Shell.quote(start));
        } else {
            inner.append("sh -c ").append(Shell.quote(start));
        }
        if (s.agent().auditFiles()) {
            // strace runs as root around the agent (and its user switch): every open of every descendant.
            // -yy prints each socket's addresses (process attribution); execve/clone name the processes
            sb.append("mkdir -p ").append(Shell.quote(TRACE_DIR)).append(" && exec strace -f -ttt -qq -yy ")
                    .append("-e trace=").append(TRACED_CALLS).append(" -o ").append(Shell.quote(TRACE_FILE))
                    .append(" -- ");
        } else {
            sb.append("exec ");
        }
        return sb.append(inner).toString();
    }

    /** Watches the run until a stop condition is reached, firing triggers on time. */
    private final class Observation {
        private final Scenario s;
        private final Sandbox sandbox;
        private final SandboxProcess agent;
        private final RunFolder folder;
        private final List<String> notes;
        private final ServiceEventLog events;
        private final RunContainment containment;

        Observation(Scenario s, Sandbox sandbox, SandboxProcess agent, RunFolder folder, List<String> notes,
                    ServiceEventLog events, RunContainment containment) {
            this.containment = containment;
            this.s = s;
            this.sandbox = sandbox;
            this.agent = agent;
            this.folder = folder;
            this.notes = notes;
            this.events = events;
        }

        String observe() {
            long start = System.nanoTime();
            List<Trigger> pending = new ArrayList<>(s.triggers());
            pending.sort((a, b) -> a.at().compareTo(b.at()));
            long lastActivity = System.nanoTime();
            long lastSize = -1;
            int lastEvents = -1;
            while (true) {
                long elapsed = System.nanoTime() - start;
                while (!pending.isEmpty() && pending.get(0).at().toNanos() <= elapsed) {
                    fire(pending.remove(0));
                    lastActivity = System.nanoTime();
                }
                java.util.Optional<String> escape = containment.escape();
                if (escape.isPresent()) {
                    return "containment breach: " + escape.get();
                }
                if (elapsed >= s.stop().duration().toNanos()) {
                    return "duration " + s.stop().duration().toSeconds() + " s reached";
                }
                if (s.stop().agentExits() && !sandbox.isRunning(agent)) {
                    String code = sandbox.exitCode(agent).stream().mapToObj(Long::toString).findFirst().orElse("?");
                    if (!"0".equals(code)) {
                        notes.add("the agent exited with code " + code + " (see agent.log)");
                    }
                    return "agent exited (code " + code + ")";
                }
                long size = fileSize(folder.capture());
                int seen = events.events().size();
                if (size != lastSize || seen != lastEvents) {
                    lastSize = size;
                    lastEvents = seen;
                    lastActivity = System.nanoTime();
                }
                if (pending.isEmpty() && s.stop().idle().isPresent()
                        && System.nanoTime() - lastActivity >= s.stop().idle().get().toNanos()) {
                    return "idle for " + s.stop().idle().get().toSeconds() + " s";
                }
                sleep(POLL);
            }
        }

        private void fire(Trigger t) {
            say(s, "trigger " + t.name());
            try {
                if (t.exec().isPresent()) {
                    ExecResult r = command(sandbox, folder, "trigger " + t.name(), t.exec().get());
                    if (!r.succeeded()) {
                        notes.add("trigger " + t.name() + " failed (exit " + r.exitCode() + ")");
                    }
                } else {
                    FileCopy c = t.copy().orElseThrow();
                    copy(sandbox, c.from(), c.to(), modeOf(c), folder);
                }
            } catch (RuntimeException e) {
                notes.add("trigger " + t.name() + " failed: " + e.getMessage());
            }
        }
    }

    private void writeMetadata(RunFolder folder, Scenario s, Instant started, Instant stopped, CaptureStats stats,
                               String stopReason, String agentVersion, List<String> notes, String problem)
            throws IOException {
        writeMetadata(folder, s, started, stopped, stats, stopReason, agentVersion, notes, problem, null);
    }

    private void writeMetadata(RunFolder folder, Scenario s, Instant started, Instant stopped, CaptureStats stats,
                               String stopReason, String agentVersion, List<String> notes, String problem,
                               RunContainment containment) throws IOException {
        ObjectNode n = runNode(folder, s, started, stopped, stats, stopReason, agentVersion, notes, problem);
        if (containment != null) {
            n.set("containment", containment.toJson());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(folder.metadata().toFile(), n);
    }

    /** Exit code of a run whose containment self-test failed (see ExitCodes.CONTAINMENT). */
    static final int CONTAINMENT_EXIT = org.egressaudit.harness.cli.ExitCodes.CONTAINMENT;


    private static ObjectNode runNode(RunFolder folder, Scenario s, Instant started, Instant stopped,
                                      CaptureStats stats, String stopReason, String agentVersion, List<String> notes,
                                      String problem) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("runId", folder.runId());
        n.put("scenario", s.name());
        n.put("scenarioFile", s.file().toString());
        n.put("agentVersion", agentVersion);
        n.put("sandbox", s.sandbox().type().name().toLowerCase(java.util.Locale.ROOT));
        n.put("image", s.sandbox().baseImage());
        n.put("started", started.toString());
        n.put("stopped", stopped.toString());
        n.put("stopReason", stopReason);
        s.expect().ifPresent(e -> n.put("expect", e.name()));
        if (stats != null) {
            ObjectNode c = n.putObject("capture");
            c.put("file", folder.capture().getFileName().toString());
            c.put("received", stats.received());
            c.put("dropped", stats.dropped());
            c.put("droppedByInterface", stats.droppedByInterface());
            c.put("fileBytes", stats.fileBytes());
            c.put("fileLimitReached", stats.fileLimitReached());
        }
        ArrayNode a = n.putArray("notes");
        notes.forEach(a::add);
        if (problem != null) {
            n.put("problem", problem);
        }
        return n;
    }

    private <T> T setup(SetupStep<T> step, String what) throws SetupException {
        try {
            return step.get();
        } catch (SetupException e) {
            throw e;
        } catch (Exception e) {
            throw new SetupException("cannot set up the " + what + ": " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface SetupStep<T> {
        T get() throws Exception;
    }

    private void say(Scenario s, String message) {
        synchronized (progress) {
            progress.println("[" + s.name() + "] " + message);
            progress.flush();
        }
    }

    private static long fileSize(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
