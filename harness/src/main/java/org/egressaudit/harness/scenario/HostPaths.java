package org.egressaudit.harness.scenario;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Host-side paths in a scenario: relative to the scenario file's directory, and required to exist. */
final class HostPaths {
    private HostPaths() {
    }

    /** Resolves the path written at {@code n} against {@code dir} (absolute) and checks it exists. */
    static Path existing(YamlNode n, Path dir) throws ScenarioException {
        String written = Values.nonBlank(n);
        Path p = parse(n, written);
        if (p.isAbsolute()) {
            throw n.error("'" + YamlNode.abbreviate(written) + "' must be relative to the scenario's directory, "
                    + "so the scenario can be moved with its files");
        }
        Path resolved = dir.resolve(p).normalize();
        if (!Files.exists(resolved)) {
            throw n.error("'" + YamlNode.abbreviate(written) + "' does not exist");
        }
        return resolved;
    }

    /**
     * A regular file that may also be absolute: virtual machine disks are large and usually live outside the
     * scenario folder (e.g. /var/lib/egress-audit/images/win10.qcow2).
     */
    static Path existingFile(YamlNode n, Path dir) throws ScenarioException {
        String written = Values.nonBlank(n);
        Path p = parse(n, written);
        Path resolved = dir.resolve(p).normalize();
        if (!Files.isRegularFile(resolved)) {
            throw n.error("'" + YamlNode.abbreviate(written) + "' is not an existing file"
                    + (p.isAbsolute() ? "" : " (relative paths start at the scenario's directory)"));
        }
        if (!Files.isReadable(resolved)) {
            throw n.error("'" + YamlNode.abbreviate(written) + "' is not readable");
        }
        return resolved;
    }

    private static Path parse(YamlNode n, String written) throws ScenarioException {
        try {
            return Path.of(written);
        } catch (InvalidPathException e) {
            throw n.error("'" + YamlNode.abbreviate(written) + "' is not a valid path: " + e.getReason());
        }
    }
}
