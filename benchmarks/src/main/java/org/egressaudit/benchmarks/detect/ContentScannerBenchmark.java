package org.egressaudit.benchmarks.detect;

import org.egressaudit.analyzers.detect.ContentScanner;
import org.egressaudit.analyzers.detect.CorpusIndex;
import org.egressaudit.analyzers.detect.DetectConfig;
import org.egressaudit.analyzers.detect.ScanResult;
import org.egressaudit.benchmarks.support.BenchCorpus;
import org.egressaudit.benchmarks.support.ByteCounter;
import org.egressaudit.benchmarks.tools.SyntheticText;
import org.egressaudit.analyzers.detect.PlantedFile;
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

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@link ContentScanner#scan} (whole-file hashes, fragment fingerprints, markers, entropy) over buffers that do
 * not come from the corpus ({@code random}, {@code text}) and over text with a planted fragment every 256 KiB
 * ({@code planted}), against the ~20 MB benchmark corpus. The "bytes" counter is scanned bytes per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class ContentScannerBenchmark {

    @Param({"1", "16"})
    public int sizeMib;

    @Param({"random", "text", "planted"})
    public String content;

    private ContentScanner scanner;
    private byte[] data;

    @Setup
    public void setup() {
        List<PlantedFile> files = BenchCorpus.load().files();
        scanner = new ContentScanner(CorpusIndex.build(files, DetectConfig.defaults(List.of("CANARY-"))));
        int size = sizeMib << 20;
        SplittableRandom random = new SplittableRandom(11);
        if (content.equals("random")) {
            data = new byte[size];
            random.nextBytes(data);
        } else {
            data = new SyntheticText(99).prose(size);
            if (content.equals("planted")) {
                for (int at = 0; at + (16 << 10) <= size; at += 256 << 10) {
                    PlantedFile f = files.get(random.nextInt(files.size()));
                    int len = (int) Math.min(f.size(), 16 << 10);
                    int from = random.nextInt((int) f.size() - len + 1);
                    f.content().duplicate().position(from).get(data, at, len);
                }
            }
        }
    }

    @Benchmark
    public ScanResult scan(ByteCounter counter) {
        counter.bytes += data.length;
        return scanner.scan(data, 0, data.length);
    }
}
