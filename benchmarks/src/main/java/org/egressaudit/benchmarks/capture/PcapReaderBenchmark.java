package org.egressaudit.benchmarks.capture;

import org.egressaudit.analyzers.capture.CaptureReader;
import org.egressaudit.analyzers.capture.CaptureReaders;
import org.egressaudit.analyzers.capture.PacketRecord;
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
 * Reading every record of a generated upload capture with the memory-mapped reader (page cache warm, so this is
 * the reader's CPU cost). The "bytes" counter is capture bytes per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class PcapReaderBenchmark {

    @Param({"256"})
    public int captureMb;

    private Path capture;

    @Setup
    public void setup() {
        capture = BenchData.capture(captureMb);
    }

    @Benchmark
    public long readAllRecords(ByteCounter counter) throws IOException {
        long sum = 0;
        try (CaptureReader reader = CaptureReaders.open(capture)) {
            PacketRecord r = new PacketRecord();
            while (reader.next(r)) {
                // Touch the first and last byte of each frame so the mapping is really read.
                sum += r.capturedLength + r.buffer.get(r.offset) + r.buffer.get(r.offset + r.capturedLength - 1);
            }
            counter.bytes += reader.bytesRead();
        }
        return sum;
    }
}
