package org.egressaudit.benchmarks.packet;

import org.egressaudit.analyzers.capture.PacketRecord;
import org.egressaudit.analyzers.packet.DecodedPacket;
import org.egressaudit.analyzers.packet.PacketDecoder;
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

import java.util.concurrent.TimeUnit;

/**
 * Ethernet/IPv4/TCP+UDP decoding of every frame of an upload capture held in memory (no I/O). The "bytes"
 * counter is frame bytes per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class PacketDecoderBenchmark {

    @Param({"64"})
    public int captureMb;

    private BenchData.Frames frames;
    private final PacketRecord record = new PacketRecord();
    private final DecodedPacket packet = new DecodedPacket();

    @Setup
    public void setup() {
        frames = BenchData.loadFrames(BenchData.capture(captureMb));
    }

    @Benchmark
    public long decodeAll(ByteCounter counter) {
        PacketDecoder decoder = new PacketDecoder();
        long payload = 0;
        for (int i = 0; i < frames.count(); i++) {
            frames.fill(record, i);
            if (decoder.decode(record, packet)) {
                payload += packet.payloadLength;
            }
        }
        counter.bytes += frames.totalBytes();
        return payload;
    }
}
