package org.egressaudit.harness.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.egressaudit.harness.corpus.CorpusGenerator;
import org.egressaudit.harness.corpus.CorpusRecipe;
import org.egressaudit.harness.corpus.GeneratedFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code egress-audit corpus generate}: writes a reproducible planted corpus from a recipe and a seed. */
@Command(name = "corpus", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Planted corpora: generate one reproducibly from a seed.",
        subcommands = {CorpusCommand.Generate.class})
public final class CorpusCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (try: corpus generate)");
    }

    @Command(name = "generate", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = {"Writes documents (docx, xlsx, pptx, pdf) with classification banners, memos with canary "
                    + "tokens, fake personal data, a source tree, PE32/ELF64 samples (flagged with "
                    + CorpusGenerator.SIGNATURE + " or clean), EICAR and nested zip/7z/tar.gz archives, with a "
                    + "corpus.yaml listing each file's category, size and SHA-256.",
                    "The same recipe and seed always give byte-identical files."})
    static final class Generate implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "Directory to write (created; must be empty if it exists).")
        Path out;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--recipe", paramLabel = "NAME", defaultValue = "standard",
                description = "Recipe (default ${DEFAULT-VALUE}; known: standard).")
        String recipe;

        @Option(names = "--banner", paramLabel = "TEXT",
                description = "Classification banner of the documents (default " + CorpusRecipe.DEFAULT_BANNER + ").")
        String banner;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            Optional<CorpusRecipe> r = CorpusRecipe.named(recipe);
            if (r.isEmpty()) {
                err.println("egress-audit corpus generate: unknown recipe '" + recipe + "' (known: "
                        + String.join(", ", CorpusRecipe.NAMES) + ")");
                return ExitCodes.BAD_INPUT;
            }
            try {
                CorpusRecipe chosen = banner == null ? r.get() : r.get().withBanner(banner);
                List<GeneratedFile> files = CorpusGenerator.generate(out, chosen, seed);
                PrintWriter o = spec.commandLine().getOut();
                for (GeneratedFile f : files) {
                    o.printf("%-12s %9d  %s  %s%n", f.category().id(), f.size(), f.sha256(), f.name());
                }
                o.println(files.size() + " files in " + out + " (recipe " + chosen.name() + ", seed " + seed + ")");
                return ExitCodes.PASS;
            } catch (IllegalArgumentException e) {
                err.println("egress-audit corpus generate: " + e.getMessage());
                return ExitCodes.BAD_INPUT;
            } catch (IOException e) {
                err.println("egress-audit corpus generate: cannot write " + out + ": " + e);
                return ExitCodes.BAD_INPUT;
            }
        }
    }
}
