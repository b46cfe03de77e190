package org.egressaudit.benchmarks.engine;

import org.egressaudit.analyzers.corpus.Corpus;
import org.egressaudit.analyzers.engine.AnalysisEngine;
import org.egressaudit.analyzers.engine.AnalysisOptions;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.analyzers.policy.PolicyLoader;
import org.egressaudit.benchmarks.support.BenchCorpus;
import org.egressaudit.benchmarks.support.BenchData;
import org.egressaudit.benchmarks.support.ByteCounter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The whole offline path, {@link AnalysisEngine#analyze}: read, decode, reassemble, HTTP, decode bodies,
 * recognise planted files, verdict, over a generated 256 MiB upload capture and the ~20 MB benchmark corpus,
 * with 1 and 2 analysis threads (reading and reassembly always use the calling thread). The corpus index is
 * built inside analyze and so is part of each operation. The "bytes" counter is capture bytes per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
public class AnalysisEngineBenchmark {

    @Param({"1", "2"})
    public int threads;

    @Param({"256"})
    public int captureMb;

    private Path capture;
    private Corpus corpus;
    private Policy policy;
    private AnalysisEngine engine;

    @Setup
    public void setup() throws Exception {
        capture = BenchData.capture(captureMb);
        corpus = BenchCorpus.load();
        policy = PolicyLoader.parse("benchmark-policy", String.join("\n",
                "allow: [executable, metadata]",
                "opaqueBytesBudget: 4096",
                "markers: [\"CANARY-\"]"));
        engine = new AnalysisEngine(AnalysisOptions.defaults().withThreads(threads));
    }

    @Benchmark
    public AnalysisResult analyze(ByteCounter counter) throws IOException {
        AnalysisResult r = engine.analyze(capture, corpus, policy);
        counter.bytes += r.capture().bytes();
        return r;
    }
}
