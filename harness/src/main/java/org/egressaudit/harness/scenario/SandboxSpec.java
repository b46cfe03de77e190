package org.egressaudit.harness.scenario;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The sandbox a scenario runs in.
 *
 * @param type     kind of sandbox (only containers for now)
 * @param image    local Docker image to start from; absent means {@link #DEFAULT_BASE_IMAGE} (only allowed together
 *                 with {@code packages})
 * @param packages extra Debian packages installed on top of the image (the harness builds and caches that image)
 * @param env      environment of every process in the sandbox, in the order written
 * @param workdir  working directory of the agent's processes, absolute
 * @param trustStores PEM CA bundles in the sandbox (absolute paths) the run CA is appended to, besides the system
 *                 store, for agents that ship their own bundle
 */
public record SandboxSpec(SandboxType type, Optional<String> image, List<String> packages, Map<String, String> env,
                          Optional<String> workdir, List<String> trustStores) {

    /** Base image packages are layered on when the scenario names no image. */
    public static final String DEFAULT_BASE_IMAGE = "egress-audit/base:bookworm";

    public SandboxSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(image, "image");
        packages = List.copyOf(packages);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        Objects.requireNonNull(workdir, "workdir").ifPresent(SandboxPath::check);
        trustStores = List.copyOf(trustStores);
        trustStores.forEach(SandboxPath::check);
        if (image.isEmpty() && packages.isEmpty()) {
            throw new IllegalArgumentException("give 'image' (a local Docker image) or 'packages' (or both)");
        }
    }

    /** A sandbox with no extra trust stores. */
    public SandboxSpec(SandboxType type, Optional<String> image, List<String> packages, Map<String, String> env,
                       Optional<String> workdir) {
        this(type, image, packages, env, workdir, List.of());
    }

    /** The image to run, or to layer {@link #packages()} on. */
    public String baseImage() {
        return image.orElse(DEFAULT_BASE_IMAGE);
    }
}
