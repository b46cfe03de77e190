package org.egressaudit.analyzers.corpus;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.egressaudit.analyzers.content.Category;

/**
 * {@code corpus.yaml}: {@code files: {name: category}}. Names are paths relative to the corpus directory; a
 * member of a planted archive may be named {@code archive.zip!/member}. Unknown keys and categories are errors.
 */
public record CorpusManifest(Map<String, Category> categories) {

    public static final String FILE_NAME = "corpus.yaml";

    /**
     * A single planted file's category from the closest manifest above it: null when that manifest does not list
     * it, or there is none (its content then decides).
     */
    public static org.egressaudit.analyzers.content.Category listedAbove(Path file) throws CorpusException {
        Path abs = file.toAbsolutePath().normalize();
        for (Path dir = abs.getParent(); dir != null; dir = dir.getParent()) {
            Path m = dir.resolve(FILE_NAME);
            if (java.nio.file.Files.isRegularFile(m)) {
                return load(m).categories().get(dir.relativize(abs).toString().replace('\\', '/'));
            }
        }
        return null;
    }

    public static CorpusManifest none() {
        return new CorpusManifest(Map.of());
    }

    public static CorpusManifest load(Path file) throws CorpusException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new CorpusException(file + ": cannot read corpus manifest: " + e.getMessage(), e);
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            throw new CorpusException(file + (l != null ? ":" + l.getLineNr() : "") + ": not valid YAML: "
                    + e.getOriginalMessage(), e);
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return none();
        }
        if (!root.isObject()) {
            throw new CorpusException(file + ":1: expected 'files: {name: category}'");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("files")) {
                throw new CorpusException(file + ":" + lineOf(text, k) + ": unknown key '" + k + "' (known keys: files)");
            }
        }
        JsonNode files = root.get("files");
        Map<String, Category> out = new LinkedHashMap<>();
        if (files == null || files.isNull()) {
            return new CorpusManifest(out);
        }
        if (!files.isObject()) {
            throw new CorpusException(file + ":" + lineOf(text, "files") + ": key 'files' must map file names to categories");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new CorpusException(file + ":" + lineOf(text, e.getKey()) + ": file '" + e.getKey()
                        + "': category must be a string");
            }
            try {
                out.put(e.getKey(), Category.fromId(e.getValue().asText()));
            } catch (IllegalArgumentException ex) {
                throw new CorpusException(file + ":" + lineOf(text, e.getKey()) + ": file '" + e.getKey() + "': "
                        + ex.getMessage());
            }
        }
        return new CorpusManifest(out);
    }

    private static int lineOf(String text, String key) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].trim().replace("\"", "").replace("'", "");
            if (l.startsWith(key + ":")) {
                return i + 1;
            }
        }
        return 1;
    }
}
