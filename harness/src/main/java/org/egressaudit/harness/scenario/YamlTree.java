package org.egressaudit.harness.scenario;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Parses one YAML document into {@link YamlNode}s, recording the line of every key and list item from the
 * parser's token locations. Rejects what would make a file mean something other than it seems: duplicate keys
 * (the last would silently win), anchors/aliases (Jackson does not expand them), several documents in one file.
 */
final class YamlTree {
    /** Scenario files are hand-written; anything this large is a mistake (or not a scenario). */
    static final int MAX_CHARS = 1 << 20;
    private static final int MAX_DEPTH = 32;

    private static final YAMLFactory FACTORY = YAMLFactory.builder().loaderOptions(loaderOptions()).build();

    private YamlTree() {
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions o = new LoaderOptions();
        o.setCodePointLimit(MAX_CHARS + 1);
        o.setMaxAliasesForCollections(0);
        return o;
    }

    /** Parses {@code text}; {@code source} names it in messages. An empty document yields a null scalar. */
    static YamlNode parse(String source, String text) throws ScenarioException {
        if (text.length() > MAX_CHARS) {
            throw new ScenarioException(source + ": file is larger than " + MAX_CHARS + " characters");
        }
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return YamlNode.scalar(source, "", 1, JsonNodeFactory.instance.nullNode(), "");
            }
            YamlNode root = read(source, (YAMLParser) p, "", line(p), 0);
            JsonToken extra = p.nextToken();
            if (extra != null) {
                throw new ScenarioException(source + ":" + line(p)
                        + ": more than one YAML document in the file (one scenario per file)");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            throw new ScenarioException(source + (l != null && l.getLineNr() > 0 ? ":" + l.getLineNr() : "")
                    + ": not valid YAML: " + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new ScenarioException(source + ": cannot parse: " + e.getMessage(), e);
        }
    }

    /** Reads the value at the parser's current token; {@code line} is where its key (or list item) starts. */
    private static YamlNode read(String source, YAMLParser p, String path, int line, int depth)
            throws IOException, ScenarioException {
        if (depth > MAX_DEPTH) {
            throw new ScenarioException(source + ":" + line + ": " + path + ": nested deeper than " + MAX_DEPTH
                    + " levels");
        }
        if (p.isCurrentAlias()) {
            throw new ScenarioException(source + ":" + line(p) + ": " + (path.isEmpty() ? "(top level)" : path)
                    + ": YAML aliases (*" + p.getText() + ") are not supported; write the value out");
        }
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, YamlNode> fields = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    int keyLine = line(p);
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    if (fields.containsKey(key)) {
                        throw new ScenarioException(source + ":" + keyLine + ": " + childPath
                                + ": duplicate key (already given on line " + fields.get(key).line() + ")");
                    }
                    p.nextToken();
                    fields.put(key, read(source, p, childPath, keyLine, depth + 1));
                }
                return YamlNode.mapping(source, path, line, fields);
            }
            case START_ARRAY: {
                List<YamlNode> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(source, p, path + "[" + items.size() + "]", line(p), depth + 1));
                }
                return YamlNode.list(source, path, line, items);
            }
            default:
                return YamlNode.scalar(source, path, line, scalar(source, p, path), p.getText());
        }
    }

    private static JsonNode scalar(String source, YAMLParser p, String path) throws IOException, ScenarioException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (p.currentToken()) {
            case VALUE_STRING:
                return f.textNode(p.getText());
            case VALUE_NUMBER_INT:
                return f.numberNode(p.getBigIntegerValue());
            case VALUE_NUMBER_FLOAT:
                return f.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return f.booleanNode(true);
            case VALUE_FALSE:
                return f.booleanNode(false);
            case VALUE_NULL:
                return f.nullNode();
            default:
                throw new ScenarioException(source + ":" + line(p) + ": " + path + ": unsupported YAML value ("
                        + p.currentToken() + ")");
        }
    }

    private static int line(JsonParser p) {
        return Math.max(1, p.currentTokenLocation().getLineNr());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "syntax error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
