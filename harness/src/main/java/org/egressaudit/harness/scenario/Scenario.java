package org.egressaudit.harness.scenario;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.analyzers.policy.Verdict;

/**
 * Everything one sandboxed run needs: the sandbox, the agent, the planted corpus, what happens while it runs,
 * when to stop, the policy to judge by and how the fake vendor cloud answers.
 *
 * @param name        unique in a suite, {@code [a-z0-9][a-z0-9._-]*}
 * @param description free text, if given
 * @param file        the scenario file as it was given to the loader
 * @param sandbox     the sandbox
 * @param agent       the agent under audit
 * @param corpus      planted content, in order
 * @param triggers    events during the run, sorted by time (stable for equal times)
 * @param stop        when observation ends
 * @param policy      the resolved policy
 * @param policyFile  the policy file (absolute), if the policy was not written inline
 * @param responders  the fake vendor cloud's answers
 * @param expect      the verdict the scenario is expected to produce, if declared
 */
public record Scenario(String name, Optional<String> description, Path file, SandboxSpec sandbox, AgentSpec agent,
                       List<CorpusEntry> corpus, List<Trigger> triggers, StopCondition stop, Policy policy,
                       Optional<Path> policyFile, ResponderRules responders, Optional<Verdict> expect) {

    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

    public Scenario {
        checkName(Objects.requireNonNull(name, "name"));
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(agent, "agent");
        corpus = List.copyOf(corpus);
        triggers = triggers.stream().sorted((a, b) -> a.at().compareTo(b.at())).toList();
        Objects.requireNonNull(stop, "stop");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(policyFile, "policyFile");
        Objects.requireNonNull(responders, "responders");
        Objects.requireNonNull(expect, "expect");
        Set<String> names = new HashSet<>();
        for (Trigger t : triggers) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("trigger name '" + t.name() + "' is used twice");
            }
            if (t.at().compareTo(stop.duration()) > 0) {
                throw new IllegalArgumentException("trigger '" + t.name() + "' at " + Durations.format(t.at())
                        + " comes after stop.duration " + Durations.format(stop.duration()) + " and would never run");
            }
        }
    }

    public static String checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + YamlNode.abbreviate(name)
                    + "' is not a valid name (lower-case letters, digits, '.', '_', '-', starting with a letter or "
                    + "digit, at most 100 characters)");
        }
        return name;
    }

    /** The directory the scenario's relative paths were resolved against. */
    public Path directory() {
        Path parent = file.toAbsolutePath().normalize().getParent();
        return parent == null ? file.toAbsolutePath().getRoot() : parent;
    }
}
