package org.egressaudit.harness.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.egressaudit.harness.run.Images;
import org.egressaudit.harness.sandbox.ImageBuilder;
import org.egressaudit.harness.scenario.SandboxSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code egress-audit images build}: builds sandbox images locally (debootstrap + docker import), cached by content. */
@Command(name = "images", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Builds the sandbox images locally; no registry is needed.",
        subcommands = {ImagesCommand.Build.class})
public final class ImagesCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (try: images build)");
    }

    @Command(name = "build", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = {"Builds " + SandboxSpec.DEFAULT_BASE_IMAGE + " (minimal Debian bookworm + python3, curl, "
                    + "p7zip-full, dnsutils, netcat-openbsd, procps), or an image with extra --packages; reuses an "
                    + "identical earlier build.", "With --vm: the built-in Linux guest disk of the VM sandbox (the same "
                    + "packages plus the guest agent, the host's kernel and modules), cached under "
                    + "/var/cache/egress-audit/vm.", "Needs root, debootstrap and a Docker engine."})
    static final class Build implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--packages", split = ",", paramLabel = "PKG",
                description = "Extra Debian packages (comma-separated).")
        List<String> packages;

        @Option(names = "--mirror", paramLabel = "URL", description = "Debian mirror for debootstrap.")
        String mirror;

        @Option(names = "--vm", description = "Build the VM sandbox's built-in Linux guest instead of a container "
                + "image.")
        boolean vm;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            ImageBuilder builder = new ImageBuilder();
            if (mirror != null) {
                builder.mirror(mirror);
            }
            try {
                Images images = new Images(builder);
                if (vm) {
                    org.egressaudit.harness.vm.GuestImage g = new org.egressaudit.harness.vm.GuestImageBuilder(builder,
                            org.egressaudit.harness.vm.GuestImageBuilder.defaultCacheDir())
                            .build(packages == null ? List.of() : packages, out);
                    out.println(g.disk());
                } else if (packages == null || packages.isEmpty()) {
                    out.println(images.ensureBase(out));
                } else {
                    out.println(images.resolve(new SandboxSpec(org.egressaudit.harness.scenario.SandboxType.CONTAINER,
                            java.util.Optional.empty(), packages, java.util.Map.of(), java.util.Optional.empty()),
                            out));
                }
                return ExitCodes.PASS;
            } catch (RuntimeException e) {
                spec.commandLine().getErr().println("egress-audit images build: " + e.getMessage());
                return ExitCodes.HARNESS_SETUP;
            }
        }
    }
}
