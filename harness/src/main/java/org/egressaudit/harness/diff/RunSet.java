package org.egressaudit.harness.diff;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The runs on one side of a comparison, by scenario name: a single run folder, or a directory of run folders (a
 * suite's --out). When a directory holds several runs of one scenario, the latest (by run.json start) is used and
 * a note says so.
 */
public record RunSet(Path root, Map<String, RunReport> byScenario, List<String> notes) {

    public RunSet {
        byScenario = Map.copyOf(byScenario);
        notes = List.copyOf(notes);
    }

    public static RunSet load(Path root) throws BadRunInputException {
        if (!Files.isDirectory(root)) {
            throw new BadRunInputException(root + ": no such directory (expected a run folder or a directory of "
                    + "run folders)");
        }
        Map<String, RunReport> runs = new TreeMap<>();
        List<String> notes = new ArrayList<>();
        if (RunReport.isRunFolder(root)) {
            RunReport r = RunReport.read(root);
            runs.put(r.scenario(), r);
            return new RunSet(root, runs, notes);
        }
        List<Path> folders;
        try (Stream<Path> children = Files.list(root)) {
            folders = children.filter(Files::isDirectory).filter(RunReport::isRunFolder).sorted().toList();
        } catch (IOException e) {
            throw new BadRunInputException(root + ": cannot list: " + e.getMessage(), e);
        }
        if (folders.isEmpty()) {
            throw new BadRunInputException(root + ": no report.json here nor in any folder below it "
                    + "(expected a run folder or a directory of run folders)");
        }
        for (Path f : folders) {
            RunReport r = RunReport.read(f);
            RunReport earlier = runs.get(r.scenario());
            if (earlier == null) {
                runs.put(r.scenario(), r);
                continue;
            }
            RunReport later = later(earlier, r);
            RunReport older = later == r ? earlier : r;
            notes.add(root + ": several runs of " + r.scenario() + "; using " + later.folder().getFileName()
                    + ", not " + older.folder().getFileName());
            runs.put(r.scenario(), later);
        }
        return new RunSet(root, runs, notes);
    }

    private static RunReport later(RunReport a, RunReport b) {
        int byStart = a.started().compareTo(b.started());
        if (byStart != 0) {
            return byStart > 0 ? a : b;
        }
        // Run folder names start with a timestamp.
        return a.folder().getFileName().toString().compareTo(b.folder().getFileName().toString()) >= 0 ? a : b;
    }
}
