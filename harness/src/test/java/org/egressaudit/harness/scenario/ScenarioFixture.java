package org.egressaudit.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A scenario directory in a temp dir with the host files scenarios refer to. */
final class ScenarioFixture {
    final Path dir;

    ScenarioFixture(Path dir) throws IOException {
        this.dir = dir;
        write("agents/honest.py", "print('hello')\n");
        write("corpora/basic/corpus.yaml", "files:\n  Documents/memo.txt: document\n");
        write("corpora/basic/Documents/memo.txt", "TOP SECRET memo\n");
        write("extra/new.docx", "new file\n");
        write("responses/verdict.json", "{\"verdict\":\"send-sample\"}");
        write("policies/default.yaml", "allow: [executable, metadata]\nopaqueBytesBudget: 4096\nmarkers: [\"CANARY-\"]\n");
    }

    Path write(String relative, String text) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    Scenario load(String relative, String yaml) throws IOException, ScenarioException {
        return ScenarioLoader.load(write(relative, yaml));
    }

    /** Loading {@code yaml} as x.yaml fails with exactly "{file}{suffix}", suffix starting at ':line: key'. */
    void rejects(String yaml, String suffix) throws IOException {
        Path file = write("x.yaml", yaml);
        ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioLoader.load(file));
        assertEquals(file + suffix, e.getMessage());
    }
}
