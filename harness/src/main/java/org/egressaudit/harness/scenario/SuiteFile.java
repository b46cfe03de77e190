package org.egressaudit.harness.scenario;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code suite.yaml}: an explicit, ordered list of scenario files, paths relative to the suite file.
 * <pre>
 * description: "reference scenarios"   # optional
 * scenarios: [honest.yaml, ../shared/archiver.yaml]
 * </pre>
 */
final class SuiteFile {
    private static final List<String> KEYS = List.of("description", "scenarios");

    private SuiteFile() {
    }

    /** Whether a parsed YAML file is a suite file rather than a scenario. */
    static boolean isSuite(YamlNode root) {
        return root.isMapping() && root.fields().containsKey("scenarios");
    }

    /** The scenario files a suite file lists, each checked to exist; listing one twice is an error. */
    static List<Path> read(Path suiteFile, YamlNode root) throws ScenarioException {
        if (root.isNull()) {
            throw new ScenarioException(suiteFile + ": the suite file is empty (expected scenarios: [a.yaml, ...])");
        }
        Fields f = Fields.of(root, KEYS);
        if (f.has("description")) {
            Values.text(f.optional("description").orElseThrow());
        }
        YamlNode list = f.required("scenarios", "scenarios: [a.yaml, ../b.yaml], paths relative to the suite file");
        Path dir = suiteFile.toAbsolutePath().normalize().getParent();
        Path displayDir = suiteFile.getParent() == null ? Path.of("") : suiteFile.getParent();
        List<Path> out = new ArrayList<>();
        List<Path> seen = new ArrayList<>();
        for (YamlNode item : Values.list(list, ScenarioLoader.MAX_SUITE)) {
            Path abs = HostPaths.existing(item, dir);
            if (!Files.isRegularFile(abs)) {
                throw item.error("'" + item.scalar().asText() + "' is not a file");
            }
            if (seen.contains(abs)) {
                throw item.error("'" + item.scalar().asText() + "' is listed twice");
            }
            seen.add(abs);
            out.add(displayDir.resolve(item.scalar().asText()).normalize());
        }
        if (out.isEmpty()) {
            throw list.error("lists no scenarios");
        }
        return out;
    }
}
