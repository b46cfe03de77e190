package org.egressaudit.benchmarks.support;

import org.egressaudit.analyzers.corpus.Corpus;
import org.egressaudit.analyzers.corpus.CorpusException;
import org.egressaudit.analyzers.corpus.CorpusLoader;
import org.egressaudit.analyzers.decode.DecoderRegistry;

/** The benchmark corpus ({@link BenchData#corpus()}) loaded the way the engine loads it. */
public final class BenchCorpus {
    private BenchCorpus() {
    }

    public static Corpus load() {
        try {
            return new CorpusLoader(DecoderRegistry.load()).load(BenchData.corpus());
        } catch (CorpusException e) {
            throw new IllegalStateException(e);
        }
    }
}
