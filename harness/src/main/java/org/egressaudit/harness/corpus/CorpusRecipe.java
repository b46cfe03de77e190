package org.egressaudit.harness.corpus;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a generated corpus holds: how many files of each kind, how large, and the classification banner and subject
 * the documents carry. The bytes themselves come from the seed given to {@link CorpusGenerator}.
 *
 * @param name              the recipe's name (as scenarios and the command line spell it)
 * @param banner            classification banner written in document headers, footers and body
 * @param subject           subject line of the documents and memos
 * @param documents         number of each of docx, xlsx, pptx and pdf (0..50)
 * @param paragraphs        prose paragraphs per document (1..2000); sets the document sizes
 * @param memos             plain-text memos, each with its own canary token (0..200)
 * @param personalRecords   rows of the fake personal-data CSV (0 = no CSV; at most 100000)
 * @param sourceTree        a small source tree (C, Python, Java) plus its tar.gz and zip
 * @param maliciousSamples  PE32 and ELF64 pairs carrying the test signature (0..50)
 * @param cleanSamples      PE32 and ELF64 pairs without it (0..50)
 * @param sampleBytes       approximate size of each executable (512..16 MiB)
 * @param eicar             the EICAR antivirus test file
 * @param nestedArchives    zip, 7z and tar.gz archives mixing samples and documents, nested in each other
 */
public record CorpusRecipe(String name, String banner, String subject, int documents, int paragraphs, int memos,
                           int personalRecords, boolean sourceTree, int maliciousSamples, int cleanSamples,
                           int sampleBytes, boolean eicar, boolean nestedArchives) {

    /** The default banner: the marking the analysis recognises without configuration. */
    public static final String DEFAULT_BANNER = "TOP SECRET//SI//NOFORN";
    /** Recipe names a scenario may give in {@code corpus: - {generate: NAME}}. */
    public static final List<String> NAMES = List.of("standard");

    public CorpusRecipe {
        Objects.requireNonNull(name, "name");
        checkLine("banner", banner);
        checkLine("subject", subject);
        range("documents", documents, 0, 50);
        range("paragraphs", paragraphs, 1, 2000);
        range("memos", memos, 0, 200);
        range("personalRecords", personalRecords, 0, 100_000);
        range("maliciousSamples", maliciousSamples, 0, 50);
        range("cleanSamples", cleanSamples, 0, 50);
        range("sampleBytes", sampleBytes, 512, 16 << 20);
    }

    /** One of everything: documents of each format, memos, personal data, source, samples, EICAR, nested archives. */
    public static CorpusRecipe standard() {
        return new CorpusRecipe("standard", DEFAULT_BANNER, "Quarterly network operations review", 1, 40, 2, 50,
                true, 1, 1, 16 * 1024, true, true);
    }

    /** The recipe called {@code name}, if there is one. */
    public static Optional<CorpusRecipe> named(String name) {
        return "standard".equals(name) ? Optional.of(standard()) : Optional.empty();
    }

    public CorpusRecipe withBanner(String newBanner) {
        return new CorpusRecipe(name, newBanner, subject, documents, paragraphs, memos, personalRecords, sourceTree,
                maliciousSamples, cleanSamples, sampleBytes, eicar, nestedArchives);
    }

    public CorpusRecipe withSubject(String newSubject) {
        return new CorpusRecipe(name, banner, newSubject, documents, paragraphs, memos, personalRecords, sourceTree,
                maliciousSamples, cleanSamples, sampleBytes, eicar, nestedArchives);
    }

    public CorpusRecipe withCounts(int newDocuments, int newMemos, int newMalicious, int newClean) {
        return new CorpusRecipe(name, banner, subject, newDocuments, paragraphs, newMemos, personalRecords,
                sourceTree, newMalicious, newClean, sampleBytes, eicar, nestedArchives);
    }

    public CorpusRecipe withSizes(int newParagraphs, int newPersonalRecords, int newSampleBytes) {
        return new CorpusRecipe(name, banner, subject, documents, newParagraphs, memos, newPersonalRecords,
                sourceTree, maliciousSamples, cleanSamples, newSampleBytes, eicar, nestedArchives);
    }

    private static void checkLine(String what, String s) {
        Objects.requireNonNull(s, what);
        if (s.isBlank() || s.length() > 200) {
            throw new IllegalArgumentException(what + " must be 1..200 characters, not blank");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(what + " must be one line of printable characters");
            }
        }
    }

    private static void range(String what, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(what + " must be in " + min + ".." + max + ", got " + v);
        }
    }
}
