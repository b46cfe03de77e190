package org.egressaudit.benchmarks.flow;

import org.egressaudit.analyzers.capture.PacketRecord;
import org.egressaudit.analyzers.flow.FlowTable;
import org.egressaudit.analyzers.flow.ReassemblyConfig;
import org.egressaudit.analyzers.packet.DecodedPacket;
import org.egressaudit.analyzers.packet.PacketDecoder;
import org.egressaudit.benchmarks.support.BenchData;
import org.egressaudit.benchmarks.support.ByteCounter;
import org.egressaudit.benchmarks.support.CountingFlows;
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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * TCP reassembly ({@link FlowTable}) over packets decoded in setup, with handlers that only count: in capture
 * order, and with 30% of client data segments swapped with the next segment of their stream (each swap makes
 * the reassembler buffer one segment out of order). The "bytes" counter is frame bytes per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class FlowTableBenchmark {

    @Param({"in-order", "out-of-order"})
    public String order;

    private DecodedPacket[] packets;
    private long frameBytes;
    private long lastTs;

    @Setup
    public void setup() {
        BenchData.Frames frames = BenchData.loadFrames(BenchData.capture(64));
        PacketDecoder decoder = new PacketDecoder();
        PacketRecord r = new PacketRecord();
        List<DecodedPacket> list = new ArrayList<>(frames.count());
        for (int i = 0; i < frames.count(); i++) {
            frames.fill(r, i);
            DecodedPacket p = new DecodedPacket();
            if (decoder.decode(r, p)) {
                list.add(p);
            }
        }
        frameBytes = frames.totalBytes();
        lastTs = frames.timestamps()[frames.count() - 1];
        packets = (order.equals("in-order") ? list : reorder(list)).toArray(new DecodedPacket[0]);
    }

    private static List<DecodedPacket> reorder(List<DecodedPacket> in) {
        SplittableRandom random = new SplittableRandom(7);
        Map<String, DecodedPacket> held = new HashMap<>();
        List<DecodedPacket> out = new ArrayList<>(in.size());
        for (DecodedPacket p : in) {
            if (!p.isTcp()) {
                out.add(p);
                continue;
            }
            String dir = p.srcLo + ":" + p.srcPort + ">" + p.dstLo + ":" + p.dstPort;
            DecodedPacket h = held.remove(dir);
            boolean data = p.payloadLength > 0;
            if (h != null) {
                if (data) {
                    out.add(p);
                    out.add(h);
                } else {
                    out.add(h);
                    out.add(p);
                }
            } else if (data && random.nextInt(10) < 3) {
                held.put(dir, p);
            } else {
                out.add(p);
            }
        }
        out.addAll(held.values());
        return out;
    }

    @Benchmark
    public long reassemble(ByteCounter counter) {
        CountingFlows flows = new CountingFlows();
        FlowTable table = new FlowTable(flows, ReassemblyConfig.DEFAULTS);
        for (DecodedPacket p : packets) {
            table.onPacket(p);
        }
        table.finish(lastTs);
        counter.bytes += frameBytes;
        return flows.streamBytes + flows.gapBytes;
    }
}
