package org.egressaudit.analyzers.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.egressaudit.analyzers.capture.CaptureReader;
import org.egressaudit.analyzers.capture.CaptureReaders;
import org.egressaudit.analyzers.capture.PacketRecord;
import org.egressaudit.analyzers.capture.PcapNgReader;
import org.egressaudit.analyzers.content.MemoryBudget;
import org.egressaudit.analyzers.corpus.Corpus;
import org.egressaudit.analyzers.decode.DecoderRegistry;
import org.egressaudit.analyzers.detect.ContentScanner;
import org.egressaudit.analyzers.detect.CorpusIndex;
import org.egressaudit.analyzers.detect.DetectConfig;
import org.egressaudit.analyzers.flow.FlowTable;
import org.egressaudit.analyzers.flow.ReassemblyConfig;
import org.egressaudit.analyzers.packet.DecodedPacket;
import org.egressaudit.analyzers.packet.PacketDecoder;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.analyzers.protocol.AppLayerDispatcher;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.http.HttpProtocol;
import org.egressaudit.analyzers.protocol.http2.Http2Protocol;
import org.egressaudit.analyzers.protocol.tls.keylog.KeyLog;
import org.egressaudit.analyzers.protocol.tls.keylog.KeyLogLimits;

/**
 * The offline analysis path: capture file, planted corpus and policy in; verdict with evidence out.
 * Reading, IP/TCP reassembly and protocol framing run on the calling thread without per-packet allocation;
 * content analysis (decoding, recognition) runs on worker threads, one transmission per task.
 */
public final class AnalysisEngine {
    /** pcapng Decryption Secrets Block type of an NSS key log ("TLSK"). */
    private static final int TLS_KEY_LOG_SECRETS = 0x544c534b;
    private final AnalysisOptions options;
    private final DecoderRegistry decoders;

    public AnalysisEngine(AnalysisOptions options) {
        this(options, DecoderRegistry.load());
    }

    public AnalysisEngine(AnalysisOptions options, DecoderRegistry decoders) {
        this.options = options;
        this.decoders = decoders;
    }

    public DecoderRegistry decoders() {
        return decoders;
    }

    /**
     * Analyses a capture. Throws {@link org.egressaudit.analyzers.capture.CaptureFormatException} when the file
     * is not a capture at all; a truncated or damaged capture is analysed as far as it goes, with warnings.
     */
    public AnalysisResult analyze(Path capture, Corpus corpus, Policy policy) throws IOException {
        return analyze(capture, corpus, policy, KeyLog.empty());
    }

    /**
     * Analyses a capture, decrypting the TLS sessions whose secrets {@code tlsKeys} or the capture's own pcapng
     * Decryption Secrets Blocks hold; the plaintext is analysed like a plain TCP stream.
     */
    public AnalysisResult analyze(Path capture, Corpus corpus, Policy policy, KeyLog tlsKeys) throws IOException {
        DetectConfig detect = new DetectConfig(policy.minFragmentBytes(), 2.5, mergedMarkers(policy), true);
        CorpusIndex index = CorpusIndex.build(corpus.files(), detect);
        ContentScanner scanner = new ContentScanner(index);
        TransmissionAnalyzer analyzer = new TransmissionAnalyzer(scanner, decoders, options.decodeLimits(), policy);
        MemoryBudget budget = new MemoryBudget(options.memoryBudget());
        ExecutorService workers = Executors.newFixedThreadPool(options.threads(), daemonThreads());
        List<String> warnings = new ArrayList<>(corpus.warnings());
        try (CaptureReader reader = CaptureReaders.open(capture)) {
            AnalysisSink sink = new AnalysisSink(analyzer, workers, budget, options.maxRecords());
            // Pieces overlap by the fragment size so that no fragment is cut in two at a piece boundary.
            ProtocolContext ctx = new ProtocolContext(sink, budget, options.pieceSize(), policy.minFragmentBytes());
            AtomicReference<KeyLog> keys = new AtomicReference<>(tlsKeys == null ? KeyLog.empty() : tlsKeys);
            AppLayerDispatcher dispatcher = AppLayerDispatcher.create(ctx,
                    List.of(new HttpProtocol(), new Http2Protocol()), keys::get);
            ConnectionRecorder recorder = new ConnectionRecorder(dispatcher, sink);
            FlowTable flows = new FlowTable(recorder, ReassemblyConfig.DEFAULTS
                    .withOutOfOrderCaps(Math.min(ReassemblyConfig.DEFAULTS.maxOutOfOrderBytesPerDirection(),
                            options.reassemblyBudget()), options.reassemblyBudget())
                    // Delivered bytes kept to compare retransmissions against: part of the reassembly budget.
                    .withRetransmitCheck(64 << 10, Math.max(1 << 20, options.reassemblyBudget() / 4)));
            PacketDecoder decoder = new PacketDecoder();
            PacketRecord rec = new PacketRecord();
            DecodedPacket pkt = new DecodedPacket();
            long packets = 0;
            long ipPackets = 0;
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            int secretsSeen = 0;
            while (reader.next(rec)) {
                if (reader.decryptionSecretCount() != secretsSeen) {
                    secretsSeen = mergeSecrets(reader, secretsSeen, keys, warnings);
                }
                packets++;
                first = Math.min(first, rec.timestampNanos);
                last = Math.max(last, rec.timestampNanos);
                if (decoder.decode(rec, pkt)) {
                    ipPackets++;
                    flows.onPacket(pkt);
                }
            }
            decoder.finish();
            flows.finish(packets == 0 ? 0 : last);
            sink.awaitAll();
            warnings.addAll(reader.warnings());
            warnings.addAll(decoder.stats().warnings());
            boolean complete = reader.warnings().isEmpty();
            AnalysisResult.CaptureSummary summary = new AnalysisResult.CaptureSummary(capture.toString(),
                    reader.formatDescription(), packets, ipPackets, reader.bytesRead(), packets == 0 ? 0 : first,
                    packets == 0 ? 0 : last, complete);
            return new VerdictBuilder(policy).build(summary, corpus, sink.results(), recorder, sink.dnsQueries(),
                    warnings, budget.refusedBytes(), flows.stats().outOfOrderBytesTruncated(), sink.totals());
        } finally {
            workers.shutdownNow();
            try {
                workers.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Adds the TLS key logs of Decryption Secrets Blocks read since {@code seen} (other secret types are skipped). */
    private static int mergeSecrets(CaptureReader reader, int seen, AtomicReference<KeyLog> keys, List<String> warnings) {
        List<byte[]> all = reader.decryptionSecrets();
        List<Integer> types = reader instanceof PcapNgReader ng ? ng.decryptionSecretTypes() : null;
        for (int i = seen; i < all.size(); i++) {
            if (types != null && i < types.size() && types.get(i) != TLS_KEY_LOG_SECRETS) {
                continue;
            }
            KeyLog found = KeyLog.parse(all.get(i), KeyLogLimits.DEFAULTS);
            for (String p : found.problems()) {
                warnings.add("TLS key log in the capture's decryption secrets block " + (i + 1) + ": " + p);
            }
            keys.set(keys.get().merge(found));
        }
        return all.size();
    }

    private static List<String> mergedMarkers(Policy policy) {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(DetectConfig.DEFAULT_MARKERS);
        all.addAll(policy.markers());
        return List.copyOf(all);
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "egress-analysis-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
