package org.egressaudit.harness.sandbox;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a sandbox container is made: a local image (never pulled) and the limits the agent inside cannot exceed.
 * NET_ADMIN is off unless a scenario needs it (e.g. an agent that installs its own firewall rules).
 */
public record SandboxConfig(String image, long memoryBytes, long pidsLimit, double cpus, boolean netAdmin,
                            Duration startupTimeout, long maxLogBytes) {
    public static final long DEFAULT_MEMORY = 2L << 30;
    public static final long DEFAULT_PIDS = 1024;
    public static final double DEFAULT_CPUS = 2.0;
    public static final long DEFAULT_MAX_LOG_BYTES = 256L << 20;
    private static final Pattern IMAGE = Pattern.compile("[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?");

    public SandboxConfig {
        Objects.requireNonNull(image, "image");
        if (!IMAGE.matcher(image).matches()) {
            throw new IllegalArgumentException("bad image reference '" + image + "'");
        }
        if (memoryBytes < (64L << 20)) {
            throw new IllegalArgumentException("memory limit below 64 MiB: " + memoryBytes);
        }
        if (pidsLimit < 16) {
            throw new IllegalArgumentException("pids limit below 16: " + pidsLimit);
        }
        if (!(cpus > 0) || cpus > 256) {
            throw new IllegalArgumentException("cpus out of range (0, 256]: " + cpus);
        }
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        if (maxLogBytes < 4096) {
            throw new IllegalArgumentException("maxLogBytes below 4096: " + maxLogBytes);
        }
    }

    public static SandboxConfig defaults(String image) {
        return new SandboxConfig(image, DEFAULT_MEMORY, DEFAULT_PIDS, DEFAULT_CPUS, false, Duration.ofSeconds(60),
                DEFAULT_MAX_LOG_BYTES);
    }

    public SandboxConfig withNetAdmin(boolean on) {
        return new SandboxConfig(image, memoryBytes, pidsLimit, cpus, on, startupTimeout, maxLogBytes);
    }

    public SandboxConfig withMemoryBytes(long bytes) {
        return new SandboxConfig(image, bytes, pidsLimit, cpus, netAdmin, startupTimeout, maxLogBytes);
    }

    public SandboxConfig withPidsLimit(long pids) {
        return new SandboxConfig(image, memoryBytes, pids, cpus, netAdmin, startupTimeout, maxLogBytes);
    }

    public SandboxConfig withMaxLogBytes(long bytes) {
        return new SandboxConfig(image, memoryBytes, pidsLimit, cpus, netAdmin, startupTimeout, bytes);
    }
}
