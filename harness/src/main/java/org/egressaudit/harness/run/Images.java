package org.egressaudit.harness.run;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.sandbox.ImageBuilder;
import org.egressaudit.harness.scenario.SandboxSpec;

/**
 * Decides which local image a scenario runs in, building it when the harness can: no registry is reachable, so
 * images come from debootstrap (cached by content) or must already exist locally.
 */
public final class Images {
    /** What the reference agents and most test agents need on top of a minimal Debian. */
    public static final List<String> DEFAULT_PACKAGES = List.of("python3", "curl", "p7zip-full", "dnsutils",
            "netcat-openbsd", "procps");

    private final ImageBuilder builder;

    public Images(ImageBuilder builder) {
        this.builder = builder;
    }

    /** The debootstrap image builder behind these images (the VM guest builder layers on it too). */
    public ImageBuilder builder() {
        return builder;
    }

    /** Builds (or reuses) the default base image and tags it {@link SandboxSpec#DEFAULT_BASE_IMAGE}. */
    public String ensureBase(PrintWriter log) {
        ImageBuilder.BuildResult r = builder.build(DEFAULT_PACKAGES);
        if (!builder.imageExists(SandboxSpec.DEFAULT_BASE_IMAGE) || !r.cached()) {
            HostCommand.of("docker", "tag", r.image(), SandboxSpec.DEFAULT_BASE_IMAGE).runChecked();
        }
        log.println("base image " + SandboxSpec.DEFAULT_BASE_IMAGE + " = " + r.image()
                + (r.cached() ? " (cached)" : " (built in " + r.elapsed().toSeconds() + " s)"));
        return SandboxSpec.DEFAULT_BASE_IMAGE;
    }

    /** The image a sandbox spec runs in; builds the default base or a package image when missing. */
    public String resolve(SandboxSpec spec, PrintWriter log) {
        if (!spec.packages().isEmpty()) {
            if (spec.image().isPresent() && !spec.image().get().equals(SandboxSpec.DEFAULT_BASE_IMAGE)) {
                throw new IllegalArgumentException("sandbox.packages can only extend the default base image (the "
                        + "sandbox has no network to install packages into " + spec.image().get()
                        + "): build that image yourself with the packages, or drop sandbox.image");
            }
            List<String> all = new ArrayList<>(DEFAULT_PACKAGES);
            all.addAll(spec.packages());
            ImageBuilder.BuildResult r = builder.build(all);
            log.println("image " + r.image() + (r.cached() ? " (cached)" : " (built)") + " with " + spec.packages());
            return r.image();
        }
        String image = spec.baseImage();
        if (builder.imageExists(image)) {
            return image;
        }
        if (image.equals(SandboxSpec.DEFAULT_BASE_IMAGE)) {
            return ensureBase(log);
        }
        throw new IllegalArgumentException("image " + image + " is not available locally and no registry is "
                + "reachable: load it (docker load / docker import) or use " + SandboxSpec.DEFAULT_BASE_IMAGE);
    }
}
