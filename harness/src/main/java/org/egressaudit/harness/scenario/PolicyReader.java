package org.egressaudit.harness.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.analyzers.policy.PolicyException;
import org.egressaudit.analyzers.policy.PolicyLoader;

/**
 * Resolves a scenario's {@code policy:} value, a path to a policy file or an inline mapping, with the analyzers'
 * own {@link PolicyLoader} so a scenario's policy means exactly what the same policy means to
 * {@code egress-audit analyze}. Its complaints are re-addressed to the scenario file's line and key.
 */
final class PolicyReader {
    /** The source name handed to PolicyLoader for inline policies, stripped again from its messages. */
    private static final String INLINE = "inline-policy";
    private static final Pattern MESSAGE = Pattern.compile(Pattern.quote(INLINE) + "(?::(\\d+))?: (.*)", Pattern.DOTALL);
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build();

    /** A resolved policy and, when it came from a file, that file. */
    record Resolved(Policy policy, Optional<Path> file) {
    }

    private PolicyReader() {
    }

    static Resolved read(YamlNode node, Path scenarioDir, Path displayDir) throws ScenarioException {
        if (node.isMapping()) {
            return new Resolved(inline(node), Optional.empty());
        }
        if (!node.isText()) {
            throw node.error("must be a path to a policy file or a mapping (allow: [...], ...), got "
                    + node.describe());
        }
        Path file = HostPaths.existing(node, scenarioDir);
        if (!Files.isRegularFile(file)) {
            throw node.error("'" + node.scalar().asText() + "' is not a file");
        }
        try {
            return new Resolved(PolicyLoader.load(displayDir.resolve(node.scalar().asText()).normalize()),
                    Optional.of(file));
        } catch (PolicyException e) {
            throw node.error(e.getMessage());
        }
    }

    private static Policy inline(YamlNode node) throws ScenarioException {
        String text;
        try {
            text = YAML.writeValueAsString(node.toJson());
        } catch (JsonProcessingException e) {
            throw node.error("cannot re-read the inline policy: " + e.getOriginalMessage());
        }
        try {
            return PolicyLoader.parse(INLINE, text);
        } catch (PolicyException e) {
            Matcher m = MESSAGE.matcher(e.getMessage());
            if (!m.matches()) {
                throw node.error(e.getMessage());
            }
            YamlNode at = node;
            if (m.group(1) != null) {
                String key = topLevelKeyAt(text, Integer.parseInt(m.group(1)));
                if (key != null && node.fields().containsKey(key)) {
                    at = node.fields().get(key);
                }
            }
            throw at.error(m.group(2));
        }
    }

    /** The top-level key whose entry covers {@code line} (1-based) of the re-serialised policy. */
    private static String topLevelKeyAt(String text, int line) {
        String[] lines = text.split("\n", -1);
        for (int i = Math.min(line, lines.length) - 1; i >= 0; i--) {
            String l = lines[i];
            int colon = l.indexOf(':');
            if (colon > 0 && !Character.isWhitespace(l.charAt(0)) && !l.startsWith("-") && !l.startsWith("#")) {
                return l.substring(0, colon).trim().replace("\"", "").replace("'", "");
            }
        }
        return null;
    }
}
