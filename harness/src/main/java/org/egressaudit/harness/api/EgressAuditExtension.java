package org.egressaudit.harness.api;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.egressaudit.harness.run.Images;
import org.egressaudit.harness.sandbox.DockerEnvironment;
import org.egressaudit.harness.sandbox.ImageBuilder;
import org.egressaudit.harness.scenario.SandboxSpec;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.AssertionFailedError;

/**
 * JUnit 5 extension for tests that run scenarios in the sandbox ({@link EgressAuditScenario}).
 *
 * <ul>
 *   <li>Once per JVM it checks the machine ({@link DockerEnvironment#diagnose()}: root, Docker engine, libpcap,
 *       iptables) and makes sure the base image {@value SandboxSpec#DEFAULT_BASE_IMAGE} exists (built with
 *       debootstrap when missing, ~1-2 min the first time). A machine that is not ready FAILS every test with the
 *       commands that fix it: a skipped audit would look like a passed one.</li>
 *   <li>It injects a {@link ScenarioRun} into test methods, whose run folders go to
 *       {@code target/egress-audit-runs/<TestClass>/<testMethod>/} (the system property
 *       {@value #RUNS_PROPERTY} moves the root) and stay after the test as evidence.</li>
 *   <li>After each test it removes any container or network a run of that test left behind (the runner releases
 *       them itself; this covers a test interrupted mid-run).</li>
 * </ul>
 */
public final class EgressAuditExtension implements BeforeEachCallback, ParameterResolver {
    /** System property naming the root directory of run folders (default target/egress-audit-runs). */
    public static final String RUNS_PROPERTY = "egress-audit.runs";
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(EgressAuditExtension.class);

    /** The machine check's outcome, computed once per JVM; {@code problem} is null when ready. */
    record Readiness(String problem) {
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Readiness r = context.getRoot().getStore(NS)
                .getOrComputeIfAbsent(Readiness.class, k -> check(), Readiness.class);
        if (r.problem() != null) {
            throw new AssertionFailedError(r.problem());
        }
    }

    private static Readiness check() {
        DockerEnvironment.Diagnosis d = DockerEnvironment.diagnose();
        if (!d.ok()) {
            return new Readiness("egress-audit: this machine cannot run sandboxed scenarios; fix it and rerun:\n"
                    + d.report());
        }
        StringWriter log = new StringWriter();
        try {
            ImageBuilder builder = new ImageBuilder().log(System.err);
            if (!builder.imageExists(SandboxSpec.DEFAULT_BASE_IMAGE)) {
                new Images(builder).ensureBase(new PrintWriter(log, true));
            }
            return new Readiness(null);
        } catch (RuntimeException e) {
            return new Readiness("egress-audit: cannot build the base image " + SandboxSpec.DEFAULT_BASE_IMAGE
                    + " (debootstrap needs deb.debian.org; or load it with `docker load`): " + e.getMessage()
                    + "\n" + log);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ScenarioRun.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException("a ScenarioRun belongs to one test method; inject it there, "
                    + "not into a constructor or @BeforeAll method");
        }
        ExtensionContext.Store store = context.getStore(NS);
        return store.getOrComputeIfAbsent(ScenarioRun.class, k -> new ScenarioRun(runsDirectory(context)),
                ScenarioRun.class);
    }

    static Path runsDirectory(ExtensionContext context) {
        Path root = Path.of(System.getProperty(RUNS_PROPERTY, "target/egress-audit-runs"));
        String testClass = context.getRequiredTestClass().getSimpleName();
        String method = context.getRequiredTestMethod().getName();
        return root.resolve(testClass).resolve(method).toAbsolutePath().normalize();
    }
}
