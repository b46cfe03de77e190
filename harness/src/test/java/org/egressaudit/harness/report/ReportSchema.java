package org.egressaudit.harness.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** docs/report.schema.json, loaded for tests: the whole report, or the run section alone (run.json). */
public final class ReportSchema {
    public static final Path FILE = Path.of("../docs/report.schema.json").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final JsonSchema REPORT;
    private static final JsonSchema RUN;

    static {
        try {
            JsonNode schema = JSON.readTree(FILE.toFile());
            JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
            REPORT = factory.getSchema(schema);
            // run.json is the report's run section: the same $defs, rooted at #/$defs/run.
            ObjectNode run = JSON.createObjectNode();
            run.put("$schema", schema.get("$schema").asText());
            run.set("$defs", schema.get("$defs"));
            run.put("$ref", "#/$defs/run");
            RUN = factory.getSchema(run);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ReportSchema() {
    }

    /** Problems of a report (empty when valid), as "path: message" lines. */
    public static List<String> problems(JsonNode report) {
        return lines(REPORT.validate(report));
    }

    /** Problems of a run.json. */
    public static List<String> runProblems(JsonNode run) {
        return lines(RUN.validate(run));
    }

    public static JsonNode read(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    private static List<String> lines(Set<ValidationMessage> messages) {
        return messages.stream().map(ValidationMessage::toString).sorted().toList();
    }
}
