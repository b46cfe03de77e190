package org.egressaudit.harness.scenario;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The agent under audit: how it gets into the sandbox, how it is installed and started.
 *
 * @param version        version string for the report, if given
 * @param versionCommand command (sh -c) whose output is the version, if given; never together with version
 * @param files          copied into the sandbox before anything runs
 * @param install        commands run as root (sh -c), in order, before the corpus is planted
 * @param start          the agent process (sh -c)
 * @param user           user the agent runs as, if not the image's default
 * @param auditFiles     trace the files the agent opens (strace) so reports can tie uploads to reads
 */
public record AgentSpec(Optional<String> version, Optional<String> versionCommand, List<FileCopy> files,
                        List<String> install, String start, Optional<String> user, boolean auditFiles) {
    public AgentSpec {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(versionCommand, "versionCommand");
        files = List.copyOf(files);
        install = List.copyOf(install);
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(user, "user");
        if (start.isBlank()) {
            throw new IllegalArgumentException("start command is empty");
        }
        if (version.isPresent() && versionCommand.isPresent()) {
            throw new IllegalArgumentException("give either 'version' or 'versionCommand', not both");
        }
    }
}
