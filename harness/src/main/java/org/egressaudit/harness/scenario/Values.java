package org.egressaudit.harness.scenario;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Typed reading of YAML values; a value of the wrong type is an error, never coerced (1.10 is not "1.10"). */
final class Values {
    /** Commands and free text; generous, but bounded. */
    static final int MAX_TEXT = 64 * 1024;

    private Values() {
    }

    static String text(YamlNode n) throws ScenarioException {
        if (!n.isText()) {
            String hint = n.kind() == YamlNode.Kind.SCALAR && !n.isNull() ? " (quote it: \"" + n.raw() + "\")" : "";
            throw n.error("must be a string, got " + n.describe() + hint);
        }
        String s = n.scalar().asText();
        if (s.length() > MAX_TEXT) {
            throw n.error("is longer than " + MAX_TEXT + " characters");
        }
        return s;
    }

    static String nonBlank(YamlNode n) throws ScenarioException {
        String s = text(n);
        if (s.isBlank()) {
            throw n.error("must not be empty");
        }
        return s;
    }

    static String matching(YamlNode n, Pattern p, String what) throws ScenarioException {
        String s = text(n);
        if (!p.matcher(s).matches()) {
            throw n.error("'" + YamlNode.abbreviate(s) + "' is not " + what);
        }
        return s;
    }

    static Duration duration(YamlNode n) throws ScenarioException {
        if (!n.isText()) {
            throw n.error("must be a duration string such as '5s', '500ms' or '1m30s', got " + n.describe());
        }
        try {
            return Durations.parse(n.scalar().asText());
        } catch (IllegalArgumentException e) {
            throw n.error(e.getMessage());
        }
    }

    static boolean bool(YamlNode n) throws ScenarioException {
        if (n.kind() != YamlNode.Kind.SCALAR || !n.scalar().isBoolean()) {
            throw n.error("must be true or false, got " + n.describe());
        }
        return n.scalar().booleanValue();
    }

    static int integer(YamlNode n, int min, int max) throws ScenarioException {
        if (n.kind() != YamlNode.Kind.SCALAR || !n.scalar().isIntegralNumber()) {
            throw n.error("must be a whole number from " + min + " to " + max + ", got " + n.describe());
        }
        if (!n.scalar().canConvertToInt() || n.scalar().intValue() < min || n.scalar().intValue() > max) {
            throw n.error("must be from " + min + " to " + max + ", got " + n.scalar().asText());
        }
        return n.scalar().intValue();
    }

    static List<YamlNode> list(YamlNode n, int max) throws ScenarioException {
        if (!n.isList()) {
            throw n.error("must be a list ([a, b] or '- item' lines), got " + n.describe());
        }
        if (n.items().size() > max) {
            throw n.error("has " + n.items().size() + " entries, more than the limit of " + max);
        }
        return n.items();
    }

    /** A mapping of string keys matching {@code keyPattern} to string values, in document order. */
    static Map<String, String> stringMap(YamlNode n, Pattern keyPattern, String keyWhat, int max)
            throws ScenarioException {
        if (!n.isMapping()) {
            throw n.error("must be a mapping (KEY: value), got " + n.describe());
        }
        if (n.fields().size() > max) {
            throw n.error("has " + n.fields().size() + " entries, more than the limit of " + max);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> e : n.fields().entrySet()) {
            if (!keyPattern.matcher(e.getKey()).matches()) {
                throw e.getValue().error("'" + YamlNode.abbreviate(e.getKey()) + "' is not " + keyWhat);
            }
            out.put(e.getKey(), text(e.getValue()));
        }
        return out;
    }

    /** Runs a record's own validation and reports its complaint at {@code n}. */
    static <T> T checked(YamlNode n, Check<T> check) throws ScenarioException {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            throw n.error(e.getMessage());
        }
    }

    @FunctionalInterface
    interface Check<T> {
        T get() throws ScenarioException;
    }
}
