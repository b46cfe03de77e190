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
 * @param type     kind of sandbox: a Docker container or a QEMU virtual machine
 * @param image    local Docker image to start from; absent means {@link #DEFAULT_BASE_IMAGE} (only allowed together
 *                 with {@code packages}); containers only
 * @param packages extra Debian packages installed on top of the image, or of the built-in VM guest (the harness
 *                 builds and caches that image)
 * @param env      environment of every process in the sandbox, in the order written
 * @param workdir  working directory of the agent's processes, absolute
 * @param trustStores PEM CA bundles in the sandbox (absolute paths) the run CA is appended to, besides the system
 *                 store, for agents that ship their own bundle
 * @param vm       the virtual machine, present exactly when {@code type} is {@link SandboxType#VM}
 */
public record SandboxSpec(SandboxType type, Optional<String> image, List<String> packages, Map<String, String> env,
                          Optional<String> workdir, List<String> trustStores, Optional<VmSpec> vm) {

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
        Objects.requireNonNull(vm, "vm");
        if (type == SandboxType.VM) {
            if (vm.isEmpty()) {
                throw new IllegalArgumentException("a 'vm' sandbox needs its vm settings");
            }
            if (image.isPresent()) {
                throw new IllegalArgumentException("'image' names a Docker image: a vm sandbox boots vm.disk (or the "
                        + "built-in guest when vm.disk is absent)");
            }
            if (!packages.isEmpty() && !vm.get().builtinGuest()) {
                throw new IllegalArgumentException("'packages' can only extend the built-in guest: install them in "
                        + "your own disk image (the sandbox has no network to install from)");
            }
        } else {
            if (vm.isPresent()) {
                throw new IllegalArgumentException("vm settings need type: vm");
            }
            if (image.isEmpty() && packages.isEmpty()) {
                throw new IllegalArgumentException("give 'image' (a local Docker image) or 'packages' (or both)");
            }
        }
    }

    /** A sandbox of {@code type} without vm settings (containers). */
    public SandboxSpec(SandboxType type, Optional<String> image, List<String> packages, Map<String, String> env,
                       Optional<String> workdir, List<String> trustStores) {
        this(type, image, packages, env, workdir, trustStores, Optional.empty());
    }

    /** A virtual machine sandbox. */
    public static SandboxSpec vm(VmSpec vm, List<String> packages, Map<String, String> env, Optional<String> workdir,
                                 List<String> trustStores) {
        return new SandboxSpec(SandboxType.VM, Optional.empty(), packages, env, workdir, trustStores,
                Optional.of(vm));
    }

    /** A sandbox with no extra trust stores. */
    public SandboxSpec(SandboxType type, Optional<String> image, List<String> packages, Map<String, String> env,
                       Optional<String> workdir) {
        this(type, image, packages, env, workdir, List.of());
    }

    /** The image to run, or to layer {@link #packages()} on; for a VM, a description of its disk. */
    public String baseImage() {
        if (type == SandboxType.VM) {
            return vm.orElseThrow().disk().map(d -> "vm:" + d).orElse("vm:" + BUILTIN_GUEST);
        }
        return image.orElse(DEFAULT_BASE_IMAGE);
    }

    /** Name of the built-in Linux guest in reports. */
    public static final String BUILTIN_GUEST = "egress-audit/guest:bookworm";
}
