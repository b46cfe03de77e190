package org.egressaudit.harness.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.policy.Policy;

/**
 * The effective policy of a run, written into its folder as policy.yaml (the format PolicyLoader reads), so the
 * report can be regenerated from the folder alone even after the scenario's own policy file changed.
 */
public final class RunPolicy {
    public static final String FILE_NAME = "policy.yaml";

    private RunPolicy() {
    }

    public static void write(Policy p, Path out) throws IOException {
        Files.writeString(out, yaml(p), StandardCharsets.UTF_8);
    }

    static String yaml(Policy p) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
        ObjectNode n = yaml.createObjectNode();
        ArrayNode allow = n.putArray("allow");
        p.allow().stream().sorted().map(Category::id).forEach(allow::add);
        n.put("opaqueBytesBudget", p.opaqueBytesBudget());
        ArrayNode markers = n.putArray("markers");
        p.markers().forEach(markers::add);
        n.put("minFragmentBytes", p.minFragmentBytes());
        return "# The effective policy of this run (written by 'egress-audit run', read by 'egress-audit report').\n"
                + yaml.writeValueAsString(n);
    }
}
