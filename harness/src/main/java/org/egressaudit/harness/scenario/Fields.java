package org.egressaudit.harness.scenario;

import java.util.List;
import java.util.Optional;

/**
 * Strict access to the keys of one YAML mapping: any key not in the known list is an error (a typo such as
 * 'agentExit:' must not be silently ignored), as is a key written without a value.
 */
final class Fields {
    private final YamlNode node;

    private Fields(YamlNode node) {
        this.node = node;
    }

    /** Checks that {@code node} is a mapping using only {@code known} keys. */
    static Fields of(YamlNode node, List<String> known) throws ScenarioException {
        if (!node.isMapping()) {
            throw node.error("must be a mapping of keys (" + String.join(", ", known) + "), got " + node.describe());
        }
        for (java.util.Map.Entry<String, YamlNode> e : node.fields().entrySet()) {
            if (!known.contains(e.getKey())) {
                throw e.getValue().error("unknown key '" + YamlNode.abbreviate(e.getKey()) + "' (known keys here: "
                        + String.join(", ", known) + ")");
            }
        }
        return new Fields(node);
    }

    YamlNode node() {
        return node;
    }

    boolean has(String key) {
        return node.fields().containsKey(key);
    }

    /** The value of a key that must be present; {@code hint} says what to write. */
    YamlNode required(String key, String hint) throws ScenarioException {
        YamlNode v = node.fields().get(key);
        if (v == null) {
            throw new ScenarioException(node.source() + ":" + node.line() + ": " + node.childPath(key)
                    + ": missing required key (" + hint + ")");
        }
        return nonNull(v);
    }

    Optional<YamlNode> optional(String key) throws ScenarioException {
        YamlNode v = node.fields().get(key);
        return v == null ? Optional.empty() : Optional.of(nonNull(v));
    }

    private static YamlNode nonNull(YamlNode v) throws ScenarioException {
        // 'key:' with nothing after it; no key of a scenario means anything by an empty string either
        if (v.isNull() || (v.isText() && v.scalar().asText().isEmpty())) {
            throw v.error("has no value (give one, or remove the key)");
        }
        return v;
    }
}
