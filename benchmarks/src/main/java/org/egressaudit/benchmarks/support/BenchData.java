package org.egressaudit.benchmarks.support;

import org.egressaudit.analyzers.capture.CaptureReader;
import org.egressaudit.analyzers.capture.CaptureReaders;
import org.egressaudit.analyzers.capture.PacketRecord;
import org.egressaudit.benchmarks.tools.SyntheticCorpus;
import org.egressaudit.benchmarks.tools.UploadCaptureGenerator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Inputs shared by the benchmarks, generated once per machine into {@code java.io.tmpdir/egress-bench} (or
 * {@code -Degress.bench.dir}) and reused by later forks: the generator is deterministic, so a file with the
 * expected name is the expected content.
 */
public final class BenchData {
    public static final long SEED = 42;

    private BenchData() {
    }

    public static Path dir() {
        Path d = Path.of(System.getProperty("egress.bench.dir",
                Path.of(System.getProperty("java.io.tmpdir"), "egress-bench").toString()));
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return d;
    }

    /** Corpus directory: scenarios/corpora/basic (when found) plus about 20 MB of generated files. */
    public static synchronized Path corpus() {
        Path c = dir().resolve("corpus-" + SEED);
        if (!Files.isRegularFile(c.resolve("corpus.yaml"))) {
            try {
                Path tmp = dir().resolve("corpus-" + SEED + ".tmp-" + ProcessHandle.current().pid());
                SyntheticCorpus.write(tmp, basicCorpus(), 20L << 20, SEED);
                try {
                    Files.move(tmp, c);
                } catch (IOException raced) {
                    // another fork finished first; its copy is identical
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return c;
    }

    /** The repository's basic corpus, looked up from the working directory upwards; null if not found. */
    public static Path basicCorpus() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            Path c = p.resolve("scenarios/corpora/basic");
            if (Files.isDirectory(c)) {
                return c;
            }
            p = p.getParent();
        }
        return null;
    }

    /** An upload capture of about {@code megabytes} MiB built over {@link #corpus()}. */
    public static synchronized Path capture(int megabytes) {
        Path f = dir().resolve("uploads-" + megabytes + "m-" + SEED + ".pcap");
        if (!Files.isRegularFile(f)) {
            try {
                Path tmp = dir().resolve(f.getFileName() + ".tmp-" + ProcessHandle.current().pid());
                UploadCaptureGenerator.generate(tmp, (long) megabytes << 20, SEED, SyntheticCorpus.read(corpus()), 48);
                Files.move(tmp, f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return f;
    }

    /** All frames of a capture copied into one heap buffer, with per-frame offsets, for CPU-only benchmarks. */
    public record Frames(ByteBuffer buffer, int[] offsets, int[] lengths, long[] timestamps, int linkType,
                         long totalBytes) {
        public int count() {
            return offsets.length;
        }

        /** Points {@code r} at frame {@code i}. */
        public void fill(PacketRecord r, int i) {
            r.buffer = buffer;
            r.offset = offsets[i];
            r.capturedLength = lengths[i];
            r.originalLength = lengths[i];
            r.timestampNanos = timestamps[i];
            r.linkType = linkType;
            r.interfaceId = 0;
            r.index = i;
            r.fileOffset = offsets[i];
        }
    }

    public static Frames loadFrames(Path capture) {
        try (CaptureReader reader = CaptureReaders.open(capture)) {
            long size = Files.size(capture);
            if (size > Integer.MAX_VALUE - 64) {
                throw new IllegalArgumentException("capture too large to hold in one buffer: " + capture);
            }
            byte[] all = new byte[(int) size];
            int n = 0;
            int[] offsets = new int[1 << 16];
            int[] lengths = new int[1 << 16];
            long[] ts = new long[1 << 16];
            int at = 0;
            int link = 1;
            PacketRecord r = new PacketRecord();
            while (reader.next(r)) {
                if (n == offsets.length) {
                    offsets = java.util.Arrays.copyOf(offsets, n * 2);
                    lengths = java.util.Arrays.copyOf(lengths, n * 2);
                    ts = java.util.Arrays.copyOf(ts, n * 2);
                }
                r.buffer.get(r.offset, all, at, r.capturedLength);
                offsets[n] = at;
                lengths[n] = r.capturedLength;
                ts[n] = r.timestampNanos;
                link = r.linkType;
                at += r.capturedLength;
                n++;
            }
            return new Frames(ByteBuffer.wrap(all, 0, at).slice(), java.util.Arrays.copyOf(offsets, n),
                    java.util.Arrays.copyOf(lengths, n), java.util.Arrays.copyOf(ts, n), link, at);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<SyntheticCorpus.File> corpusFiles() {
        return SyntheticCorpus.read(corpus());
    }
}
