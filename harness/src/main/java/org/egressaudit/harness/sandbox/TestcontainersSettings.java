package org.egressaudit.harness.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.testcontainers.utility.TestcontainersConfiguration;

/**
 * Makes Testcontainers work offline and checks it does. Ryuk (a reaper container from a registry image) is
 * switched off only by the environment variable {@value #RYUK_ENV}=true, which Testcontainers reads itself, so it
 * is checked and explained, not set. Start-up checks (which run a helper container) are read only from the
 * environment or the user's properties, not from the classpath file, so {@link #apply()} switches them off in
 * Testcontainers' in-memory user properties (no file is written). The "tiny" image comes from the classpath
 * {@code testcontainers.properties} shipped with the harness.
 */
public final class TestcontainersSettings {
    public static final String RYUK_ENV = "TESTCONTAINERS_RYUK_DISABLED";
    public static final String HOST_OVERRIDE_ENV = "TESTCONTAINERS_HOST_OVERRIDE";
    public static final String TINY_IMAGE = "egress-audit/base:latest";

    private TestcontainersSettings() {
    }

    /**
     * Disables start-up checks for this JVM. Call before the first Docker call through Testcontainers; later calls
     * are harmless.
     */
    public static synchronized void apply() {
        TestcontainersConfiguration.getInstance().getUserProperties().setProperty("checks.disable", "true");
    }

    /** Human-readable problems with their fixes; empty when Testcontainers will not try to reach a registry. */
    public static List<String> problems() {
        return problems(System.getenv(), TestcontainersConfiguration.getInstance(), insideContainer());
    }

    /** Docker and Podman leave these marker files in their containers. */
    static boolean insideContainer() {
        return Files.exists(Path.of("/.dockerenv")) || Files.exists(Path.of("/run/.containerenv"));
    }

    static List<String> problems(Map<String, String> env, TestcontainersConfiguration config,
                                 boolean insideContainer) {
        List<String> p = new ArrayList<>();
        if (!Boolean.parseBoolean(env.get(RYUK_ENV))) {
            p.add(RYUK_ENV + " is " + (env.containsKey(RYUK_ENV) ? "'" + env.get(RYUK_ENV) + "'" : "not set")
                    + ": Testcontainers would start its Ryuk reaper from a registry image, which is not available"
                    + " offline; run with `export " + RYUK_ENV + "=true` (only the environment variable works,"
                    + " the property file key does not)");
        }
        if (insideContainer && (env.get(HOST_OVERRIDE_ENV) == null || env.get(HOST_OVERRIDE_ENV).isBlank())) {
            p.add(HOST_OVERRIDE_ENV + " is not set and this runs inside a container: Testcontainers would start a"
                    + " helper container to find the Docker host's address (and wait minutes for a registry); run"
                    + " with `export " + HOST_OVERRIDE_ENV + "=localhost` (the harness maps no ports, the address is"
                    + " unused)");
        }
        if (!config.isDisableChecks()) {
            p.add("Testcontainers start-up checks are enabled (they run a helper container from a registry image):"
                    + " call TestcontainersSettings.apply() before using Testcontainers");
        }
        String tiny = config.getTinyImage();
        if (!TINY_IMAGE.equals(tiny)) {
            p.add("Testcontainers tiny image is '" + tiny + "', a registry image: expected " + TINY_IMAGE
                    + " from the harness's testcontainers.properties");
        }
        return p;
    }

    /**
     * Applies the settings, then checks them.
     *
     * @throws IllegalStateException listing the problems when Testcontainers is not set up for offline use
     */
    public static void requireOffline() {
        apply();
        List<String> p = problems();
        if (!p.isEmpty()) {
            throw new IllegalStateException("Testcontainers is not configured for offline use:\n  - "
                    + String.join("\n  - ", p));
        }
    }
}
