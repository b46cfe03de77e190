package org.egressaudit.analyzers.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.egressaudit.analyzers.content.Category;

/**
 * Reads a policy from YAML (or JSON). Strict: an unknown key or a bad value is an error naming the file, the
 * line and the key, because a typo in a policy ('alow:') must not silently widen what may leave.
 */
public final class PolicyLoader {
    private static final List<String> KEYS = List.of("allow", "opaqueBytesBudget", "markers", "minFragmentBytes");

    private PolicyLoader() {
    }

    public static Policy load(Path file) throws PolicyException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new PolicyException(file + ": policy file not found");
        } catch (IOException e) {
            throw new PolicyException(file + ": cannot read policy: " + e.getMessage(), e);
        }
        return parse(file.toString(), text);
    }

    /** Parses policy text; {@code source} names it in error messages. */
    public static Policy parse(String source, String text) throws PolicyException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        yaml.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
        JsonNode root;
        Map<String, JsonLocation> locations = new java.util.HashMap<>();
        try (YAMLParser p = (YAMLParser) yaml.getFactory().createParser(text)) {
            root = yaml.readTree(p);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            throw new PolicyException(source + (l != null ? ":" + l.getLineNr() : "") + ": not valid YAML: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new PolicyException(source + ": cannot parse: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new PolicyException(source + ": policy is empty (expected at least 'allow: [...]')");
        }
        if (!(root instanceof ObjectNode obj)) {
            throw new PolicyException(source + ":1: policy must be a mapping of keys (allow, opaqueBytesBudget, markers)");
        }
        recordLines(text, locations);
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new PolicyException(at(source, locations, key) + ": unknown key '" + key + "' (known keys: "
                        + String.join(", ", KEYS) + ")");
            }
        }
        JsonNode allowNode = obj.get("allow");
        if (allowNode == null) {
            throw new PolicyException(source + ": missing key 'allow' (list the categories that may leave, e.g. "
                    + "allow: [executable, metadata]; use allow: [] to allow nothing)");
        }
        Set<Category> allow = EnumSet.noneOf(Category.class);
        for (String s : stringList(source, locations, "allow", allowNode)) {
            try {
                allow.add(Category.fromId(s));
            } catch (IllegalArgumentException e) {
                throw new PolicyException(at(source, locations, "allow") + ": key 'allow': " + e.getMessage());
            }
        }
        long budget = Policy.DEFAULT_OPAQUE_BUDGET;
        JsonNode b = obj.get("opaqueBytesBudget");
        if (b != null) {
            if (!b.isIntegralNumber() || b.asLong() < 0) {
                throw new PolicyException(at(source, locations, "opaqueBytesBudget")
                        + ": key 'opaqueBytesBudget' must be a whole number of bytes >= 0, got '" + b.asText() + "'");
            }
            budget = b.asLong();
        }
        List<String> markers = List.of();
        JsonNode m = obj.get("markers");
        if (m != null) {
            markers = stringList(source, locations, "markers", m);
            for (String s : markers) {
                if (s.length() < 4) {
                    throw new PolicyException(at(source, locations, "markers") + ": key 'markers': marker '" + s
                            + "' is shorter than 4 characters and would match almost anything");
                }
            }
        }
        int minFragment = Policy.DEFAULT_MIN_FRAGMENT;
        JsonNode f = obj.get("minFragmentBytes");
        if (f != null) {
            if (!f.isIntegralNumber() || f.asInt() < 64 || f.asLong() > (1 << 26)) {
                throw new PolicyException(at(source, locations, "minFragmentBytes")
                        + ": key 'minFragmentBytes' must be a whole number from 64 to 67108864, got '" + f.asText() + "'");
            }
            minFragment = f.asInt();
        }
        return new Policy(allow, budget, markers, minFragment);
    }

    private static List<String> stringList(String source, Map<String, JsonLocation> loc, String key, JsonNode n)
            throws PolicyException {
        if (!n.isArray()) {
            throw new PolicyException(at(source, loc, key) + ": key '" + key + "' must be a list, e.g. " + key
                    + ": [a, b]");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw new PolicyException(at(source, loc, key) + ": key '" + key + "' must list strings, got '"
                        + e + "'");
            }
            out.add(e.asText());
        }
        return out;
    }

    /** Finds the line of each top-level key so messages can name it. */
    private static void recordLines(String text, Map<String, JsonLocation> locations) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            int colon = l.indexOf(':');
            if (colon > 0 && !Character.isWhitespace(l.charAt(0)) && !l.startsWith("#") && !l.startsWith("-")) {
                String key = l.substring(0, colon).trim().replace("\"", "").replace("'", "");
                locations.putIfAbsent(key, new JsonLocation(null, -1, i + 1, 1));
            }
        }
    }

    private static String at(String source, Map<String, JsonLocation> loc, String key) {
        JsonLocation l = loc.get(key);
        return l == null ? source : source + ":" + l.getLineNr();
    }
}
