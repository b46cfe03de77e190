package org.egressaudit.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code corpus: - {generate: RECIPE, seed: N, to: PATH}}: accepted next to 'from' entries, strictly checked. */
class GeneratedCorpusEntryTest {
    static final String BASE = ScenarioRejectionTest.BASE;

    @TempDir
    Path tmp;
    ScenarioFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new ScenarioFixture(tmp);
    }

    @Test
    void generateEntriesLoadWithTheirSeedDefaultingToZero() throws Exception {
        Scenario s = fx.load("s.yaml", BASE + """
                corpus:
                  - {generate: standard, seed: 42, to: /home/user/Documents}
                  - {generate: standard, to: /home/user/Other}
                  - {from: corpora/basic, to: /home/user/Copied}
                  - {generate: standard, seed: -9000000000, to: /home/user/Big}
                """);
        assertEquals(List.of(CorpusEntry.generated("standard", 42, "/home/user/Documents"),
                CorpusEntry.generated("standard", 0, "/home/user/Other"),
                new CorpusEntry(tmp.resolve("corpora/basic"), "/home/user/Copied"),
                CorpusEntry.generated("standard", -9_000_000_000L, "/home/user/Big")), s.corpus());
        assertTrue(s.corpus().get(0).isGenerated());
        assertFalse(s.corpus().get(2).isGenerated());
    }

    @Test
    void unknownRecipeNamesTheLineAndKey() throws Exception {
        fx.rejects(BASE + "corpus:\n  - {generate: huge, to: /home/user}\n",
                ":6: corpus[0].generate: unknown corpus recipe 'huge' (known: standard)");
    }

    @Test
    void exactlyOneOfFromAndGenerate() throws Exception {
        fx.rejects(BASE + "corpus:\n  - {from: corpora/basic, generate: standard, to: /home/user}\n",
                ":6: corpus[0]: give exactly one of 'from' (a host file or directory) and 'generate' (a corpus "
                        + "recipe: standard), not both");
        fx.rejects(BASE + "corpus:\n  - {seed: 1, to: /home/user}\n",
                ":6: corpus[0]: give exactly one of 'from' (a host file or directory) and 'generate' (a corpus "
                        + "recipe: standard), none was given");
    }

    @Test
    void seedOnlyWithGenerateAndOnlyWholeNumbers() throws Exception {
        fx.rejects(BASE + "corpus:\n  - {from: corpora/basic, seed: 3, to: /home/user}\n",
                ":6: corpus[0].seed: 'seed' applies to generated corpora only");
        fx.rejects(BASE + "corpus:\n  - {generate: standard, seed: \"42\", to: /home/user}\n",
                ":6: corpus[0].seed: must be a whole number (a 64-bit seed), got '42'");
        fx.rejects(BASE + "corpus:\n  - {generate: standard, seed: 1.5, to: /home/user}\n",
                ":6: corpus[0].seed: must be a whole number (a 64-bit seed), got the number 1.5");
        fx.rejects(BASE + "corpus:\n  - {generate: standard, seed: 99999999999999999999, to: /home/user}\n",
                ":6: corpus[0].seed: must be a whole number (a 64-bit seed), got the number 99999999999999999999");
    }

    @Test
    void generateNeedsATargetAndNoStrayKeys() throws Exception {
        fx.rejects(BASE + "corpus:\n  - {generate: standard}\n", ":6: corpus[0].to: missing required key (an absolute path inside the sandbox)");
        fx.rejects(BASE + "corpus:\n  - {generate: standard, to: /home/user, size: 3}\n",
                ":6: corpus[0].size: unknown key 'size' (known keys here: from, generate, seed, to)");
    }

    @Test
    void entryRecordInsistsOnExactlyOneSource() {
        assertThrows(IllegalArgumentException.class, () -> new CorpusEntry(null, "/x", Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new CorpusEntry(Path.of("/a"), "/x",
                Optional.of(new CorpusEntry.Generated("standard", 1))));
        assertThrows(IllegalArgumentException.class, () -> CorpusEntry.generated("nope", 1, "/x"));
    }
}
