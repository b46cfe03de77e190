package org.egressaudit.benchmarks.protocol.http;

import org.egressaudit.analyzers.content.MemoryBudget;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.flow.StreamEnd;
import org.egressaudit.analyzers.flow.StreamListener;
import org.egressaudit.analyzers.flow.TcpConnectionHandler;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.Transmission;
import org.egressaudit.analyzers.protocol.TransmissionSink;
import org.egressaudit.analyzers.protocol.http.HttpProtocol;
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

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 request decoding over one keep-alive client stream of 64 uploads (bodies 1 KiB..256 KiB, random
 * bytes), delivered in MSS-sized pieces as reassembly would, through {@link HttpProtocol}'s connection
 * handler into a sink that releases each transmission's memory at once. {@code plain} bodies carry
 * Content-Length, {@code chunked} ones are cut into 1..16 KiB chunks. The "bytes" counter is stream bytes per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class HttpParsingBenchmark {

    @Param({"plain", "chunked"})
    public String framing;

    private ByteBuffer stream;
    private final FlowKey key = new FlowKey(4, 6, 0, 0x0A000001L, 40000, 0, 0xC0000201L, 80);

    @Setup
    public void setup() {
        SplittableRandom random = new SplittableRandom(3);
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 20);
        for (int i = 0; i < 64; i++) {
            byte[] body = new byte[1024 + random.nextInt(255 << 10)];
            random.nextBytes(body);
            boolean chunked = framing.equals("chunked");
            String head = "POST /api/v2/samples/" + i + " HTTP/1.1\r\nHost: upload.av-cloud.example\r\n"
                    + "User-Agent: ExampleAV-Agent/5.2.1\r\nContent-Type: application/octet-stream\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n") + "\r\n";
            out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
            if (chunked) {
                int at = 0;
                while (at < body.length) {
                    int n = Math.min(body.length - at, 1024 + random.nextInt(15 << 10));
                    out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body, at, n);
                    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                    at += n;
                }
                out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } else {
                out.writeBytes(body);
            }
        }
        stream = ByteBuffer.wrap(out.toByteArray());
    }

    /** Releases memory as soon as a transmission arrives, like an analysis that keeps up. */
    private static final class ReleasingSink implements TransmissionSink {
        final MemoryBudget budget;
        long ids;
        long contentBytes;

        ReleasingSink(MemoryBudget budget) {
            this.budget = budget;
        }

        @Override
        public void accept(Transmission t) {
            contentBytes += t.contentBytes();
            budget.release(t.reservedBytes());
        }

        @Override
        public long nextId() {
            return ids++;
        }
    }

    @Benchmark
    public long parseKeepAliveStream(ByteCounter counter) {
        MemoryBudget budget = new MemoryBudget(512L << 20);
        ReleasingSink sink = new ReleasingSink(budget);
        ProtocolContext ctx = new ProtocolContext(sink, budget, 32 << 20, 4096);
        TcpConnectionHandler handler = new HttpProtocol().create(key, true, 0, ctx);
        StreamListener c2s = handler.clientToServer();
        int len = stream.limit();
        for (int at = 0; at < len; at += 1448) {
            c2s.onData(stream, at, Math.min(1448, len - at), at, at);
        }
        c2s.onEnd(StreamEnd.FIN, len);
        handler.serverToClient().onEnd(StreamEnd.FIN, len);
        counter.bytes += len;
        return sink.contentBytes;
    }
}
