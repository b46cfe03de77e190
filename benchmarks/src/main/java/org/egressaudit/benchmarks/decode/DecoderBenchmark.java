package org.egressaudit.benchmarks.decode;

import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.content.FileTypeSniffer;
import org.egressaudit.analyzers.decode.DecodeContext;
import org.egressaudit.analyzers.decode.DecodeLimits;
import org.egressaudit.analyzers.decode.DecoderRegistry;
import org.egressaudit.benchmarks.support.ByteCounter;
import org.egressaudit.benchmarks.tools.SyntheticText;
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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * One decoding step through {@link DecoderRegistry#decodeOne} (the engine's path: sniff, first accepting
 * decoder): {@code gzip} of 4 MiB of log text; {@code base64-json}, a 4 MiB JSON document whose fields hold
 * base64 of random bytes (run extraction and decoding); {@code zip} of 8 members (text and random, 4 MiB).
 * The "bytes" counter is input (encoded) bytes per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class DecoderBenchmark {

    @Param({"gzip", "base64-json", "zip"})
    public String encoding;

    private byte[] input;
    private DecoderRegistry registry;

    @Setup
    public void setup() throws IOException {
        registry = DecoderRegistry.load();
        SplittableRandom random = new SplittableRandom(5);
        SyntheticText text = new SyntheticText(17);
        switch (encoding) {
            case "gzip" -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                    gz.write(text.log(4 << 20));
                }
                input = out.toByteArray();
            }
            case "base64-json" -> {
                StringBuilder sb = new StringBuilder("{\"agent\":\"ExampleAV\",\"events\":[");
                int i = 0;
                while (sb.length() < (4 << 20)) {
                    byte[] blob = new byte[512 + random.nextInt(64 << 10)];
                    random.nextBytes(blob);
                    sb.append(i == 0 ? "" : ",").append("{\"id\":").append(i++).append(",\"path\":\"C:\\\\ProgramData\\\\x.dat\",")
                            .append("\"blob\":\"").append(Base64.getEncoder().encodeToString(blob)).append("\"}");
                }
                input = sb.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
            }
            case "zip" -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (ZipOutputStream zip = new ZipOutputStream(out)) {
                    zip.setLevel(Deflater.DEFAULT_COMPRESSION);
                    for (int i = 0; i < 8; i++) {
                        zip.putNextEntry(new ZipEntry("member-" + i + (i % 2 == 0 ? ".txt" : ".bin")));
                        byte[] m;
                        if (i % 2 == 0) {
                            m = text.prose(512 << 10);
                        } else {
                            m = new byte[512 << 10];
                            random.nextBytes(m);
                        }
                        zip.write(m);
                        zip.closeEntry();
                    }
                }
                input = out.toByteArray();
            }
            default -> throw new IllegalArgumentException(encoding);
        }
    }

    @Benchmark
    public long decodeOne(ByteCounter counter) {
        ContentObject root = ContentObject.root("http-body", "body", input, null);
        root.setType(FileTypeSniffer.sniff(input, 0, input.length, "body"));
        DecodeContext ctx = new DecodeContext(DecodeLimits.DEFAULTS);
        if (!registry.decodeOne(root, ctx)) {
            throw new IllegalStateException("no decoder accepted the " + encoding + " input");
        }
        counter.bytes += input.length;
        long out = 0;
        for (ContentObject c : root.children()) {
            out += c.length();
        }
        return out;
    }
}
