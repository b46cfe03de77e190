package org.egressaudit.harness.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One value of a parsed YAML document together with where it came from: its key path ({@code agent.files[1].from})
 * and the line of its key (or, for list items, of the item). Jackson's tree model drops locations, so the loader
 * keeps its own tree to be able to name the line of every mistake.
 */
final class YamlNode {
    enum Kind { MAPPING, LIST, SCALAR }

    private final String source;
    private final String path;
    private final int line;
    private final Kind kind;
    private final Map<String, YamlNode> fields;
    private final List<YamlNode> items;
    private final JsonNode scalar;
    /** A scalar exactly as written (1.10 stays '1.10' although its value is 1.1), for messages. */
    private final String raw;

    private YamlNode(String source, String path, int line, Kind kind, Map<String, YamlNode> fields,
                     List<YamlNode> items, JsonNode scalar, String raw) {
        this.source = source;
        this.path = path;
        this.line = line;
        this.kind = kind;
        this.fields = fields;
        this.items = items;
        this.scalar = scalar;
        this.raw = raw;
    }

    static YamlNode mapping(String source, String path, int line, Map<String, YamlNode> fields) {
        return new YamlNode(source, path, line, Kind.MAPPING, Collections.unmodifiableMap(new LinkedHashMap<>(fields)),
                List.of(), null, null);
    }

    static YamlNode list(String source, String path, int line, List<YamlNode> items) {
        return new YamlNode(source, path, line, Kind.LIST, Map.of(), List.copyOf(items), null, null);
    }

    static YamlNode scalar(String source, String path, int line, JsonNode value, String raw) {
        return new YamlNode(source, path, line, Kind.SCALAR, Map.of(), List.of(), value, raw);
    }

    String source() {
        return source;
    }

    /** Key path for messages; the document root is {@code (top level)}. */
    String path() {
        return path.isEmpty() ? "(top level)" : path;
    }

    int line() {
        return line;
    }

    Kind kind() {
        return kind;
    }

    boolean isMapping() {
        return kind == Kind.MAPPING;
    }

    boolean isList() {
        return kind == Kind.LIST;
    }

    boolean isNull() {
        return kind == Kind.SCALAR && scalar.isNull();
    }

    boolean isText() {
        return kind == Kind.SCALAR && scalar.isTextual();
    }

    /** Fields of a mapping, in document order. */
    Map<String, YamlNode> fields() {
        return fields;
    }

    List<YamlNode> items() {
        return items;
    }

    JsonNode scalar() {
        return scalar;
    }

    /** The scalar's text as written in the file. */
    String raw() {
        return raw;
    }

    String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    String itemPath(int index) {
        return path + "[" + index + "]";
    }

    /** A failure at this node: {@code file:line: key.path: what}. */
    ScenarioException error(String what) {
        return new ScenarioException(source + ":" + line + ": " + path() + ": " + what);
    }

    /** A short description of what this node is, for 'expected X, got Y' messages. */
    String describe() {
        switch (kind) {
            case MAPPING:
                return "a mapping";
            case LIST:
                return "a list";
            default:
                if (scalar.isNull()) {
                    return "nothing (null)";
                }
                if (scalar.isTextual()) {
                    return "'" + abbreviate(scalar.asText()) + "'";
                }
                if (scalar.isBoolean()) {
                    return "the boolean " + raw;
                }
                if (scalar.isNumber()) {
                    return "the number " + raw;
                }
                return scalar.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** This node as a plain Jackson tree (locations dropped), e.g. to hand an inline policy to its own parser. */
    JsonNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (kind) {
            case MAPPING: {
                ObjectNode o = f.objectNode();
                fields.forEach((k, v) -> o.set(k, v.toJson()));
                return o;
            }
            case LIST: {
                ArrayNode a = f.arrayNode();
                List<JsonNode> out = new ArrayList<>();
                for (YamlNode n : items) {
                    out.add(n.toJson());
                }
                a.addAll(out);
                return a;
            }
            default:
                return scalar;
        }
    }

    static String abbreviate(String s) {
        String oneLine = s.replace("\n", "\\n");
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
    }
}
