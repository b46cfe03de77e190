package org.egressaudit.harness.scenario;

import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A file or directory copied from the host into the sandbox.
 *
 * @param from absolute, normalised host path (the scenario wrote it relative to its own directory)
 * @param to   absolute path inside the sandbox
 * @param mode permission bits to set on the copied file (e.g. 0755), if given
 */
public record FileCopy(Path from, String to, OptionalInt mode) {
    public FileCopy {
        Objects.requireNonNull(from, "from");
        SandboxPath.check(Objects.requireNonNull(to, "to"));
        Objects.requireNonNull(mode, "mode");
        if (mode.isPresent() && (mode.getAsInt() < 0 || mode.getAsInt() > 07777)) {
            throw new IllegalArgumentException("mode must be within 0000..7777 (octal), got " + Integer.toOctalString(mode.getAsInt()));
        }
    }

    /** The mode as four octal digits ("0755"), for chmod; empty if none was given. */
    public String modeOctal() {
        return mode.isPresent() ? String.format("%04o", mode.getAsInt()) : "";
    }
}
