package org.egressaudit.harness.scenario;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads scenarios and suites of scenarios from YAML. Strict: an unknown key, a value of the wrong type, a file
 * that does not exist is an error naming the file, the line and the key, because a typo in a scenario must not
 * quietly change what is audited.
 *
 * <p>A suite is a scenario file (a suite of one) or a directory. A directory holding a {@code suite.yaml}
 * ({@code scenarios: [a.yaml, ../shared/b.yaml]}, paths relative to it) is exactly those scenarios, in that order;
 * otherwise it is every {@code *.yaml}/{@code *.yml} below it (recursively, sorted by path, hidden directories
 * skipped) whose top level has a scenario-only key ({@link ScenarioReader#SCENARIO_ONLY_KEYS}), so policy files
 * and corpus manifests living alongside are not mistaken for scenarios. Names must be unique within a suite.
 */
public final class ScenarioLoader {
    /** File name that turns a directory into an explicit, ordered suite. */
    public static final String SUITE_FILE = "suite.yaml";
    static final int MAX_SUITE = 10_000;
    private static final int MAX_DEPTH = 16;

    private ScenarioLoader() {
    }

    /** Loads one scenario file. */
    public static Scenario load(Path file) throws ScenarioException {
        return read(file, parse(file));
    }

    /** Loads a scenario file or a suite directory; see the class comment. */
    public static List<Scenario> loadSuite(Path path) throws ScenarioException {
        if (Files.isDirectory(path)) {
            Path suiteFile = path.resolve(SUITE_FILE);
            List<Path> files = Files.isRegularFile(suiteFile) ? SuiteFile.read(suiteFile, parse(suiteFile))
                    : scan(path);
            List<Parsed> parsed = new ArrayList<>();
            for (Path f : files) {
                parsed.add(new Parsed(f, parse(f)));
            }
            if (parsed.isEmpty()) {
                throw new ScenarioException(path + ": no scenarios found (no *.yaml file with scenario keys such as "
                        + "'agent:' or 'sandbox:', and no " + SUITE_FILE + ")");
            }
            return unique(parsed);
        }
        if (!Files.exists(path)) {
            throw new ScenarioException(path + ": no such file or directory");
        }
        YamlNode root = parse(path);
        if (SuiteFile.isSuite(root)) {
            List<Parsed> parsed = new ArrayList<>();
            for (Path f : SuiteFile.read(path, root)) {
                parsed.add(new Parsed(f, parse(f)));
            }
            return unique(parsed);
        }
        return List.of(read(path, root));
    }

    private record Parsed(Path file, YamlNode root) {
    }

    private static List<Scenario> unique(List<Parsed> parsed) throws ScenarioException {
        List<Scenario> out = new ArrayList<>();
        Map<String, Path> byName = new HashMap<>();
        for (Parsed p : parsed) {
            Scenario s = read(p.file(), p.root());
            Path other = byName.putIfAbsent(s.name(), p.file());
            if (other != null) {
                YamlNode nameNode = p.root().fields().get("name");
                throw nameNode.error("'" + s.name() + "' is already the name of the scenario in " + other
                        + " (names must be unique in a suite)");
            }
            out.add(s);
        }
        return out;
    }

    private static Scenario read(Path file, YamlNode root) throws ScenarioException {
        return new ScenarioReader(root, file).read();
    }

    /** Every YAML file below {@code dir} that looks like a scenario, sorted by path. */
    private static List<Path> scan(Path dir) throws ScenarioException {
        List<Path> candidates;
        try (Stream<Path> walk = Files.walk(dir, MAX_DEPTH)) {
            candidates = walk.filter(p -> !hiddenBelow(dir, p))
                    .filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.equals(SUITE_FILE);
                    })
                    .sorted()
                    .limit(MAX_SUITE + 1L)
                    .toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ScenarioException(dir + ": cannot list the directory: " + e.getMessage(), e);
        }
        if (candidates.size() > MAX_SUITE) {
            throw new ScenarioException(dir + ": more than " + MAX_SUITE + " YAML files; point at a smaller directory");
        }
        List<Path> out = new ArrayList<>();
        for (Path p : candidates) {
            YamlNode root = parse(p);
            if (root.isMapping() && ScenarioReader.SCENARIO_ONLY_KEYS.stream().anyMatch(root.fields()::containsKey)) {
                out.add(p);
            }
        }
        return out;
    }

    private static boolean hiddenBelow(Path dir, Path p) {
        for (Path part : dir.relativize(p)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** Reads and parses one YAML file (strict UTF-8, size-limited). */
    static YamlNode parse(Path file) throws ScenarioException {
        String text;
        try {
            if (!Files.isRegularFile(file)) {
                throw new ScenarioException(file + (Files.exists(file) ? ": not a file" : ": no such file"));
            }
            if (Files.size(file) > YamlTree.MAX_CHARS) {
                throw new ScenarioException(file + ": file is larger than " + YamlTree.MAX_CHARS + " bytes");
            }
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            throw new ScenarioException(file + ": no such file", e);
        } catch (CharacterCodingException e) {
            throw new ScenarioException(file + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new ScenarioException(file + ": cannot read: " + e.getMessage(), e);
        }
        return YamlTree.parse(file.toString(), text);
    }
}
