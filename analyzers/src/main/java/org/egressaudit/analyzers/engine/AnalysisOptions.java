package org.egressaudit.analyzers.engine;

import org.egressaudit.analyzers.decode.DecodeLimits;

/**
 * Engine settings. Heap use is bounded by roughly {@code memoryBudget + reassemblyBudget
 * + threads * decodeLimits.maxTotalBytes()}, whatever the capture size.
 *
 * @param threads          analysis worker threads (reading and reassembly run on the calling thread)
 * @param memoryBudget     bytes buffered for objects awaiting analysis, all flows together
 * @param reassemblyBudget bytes of out-of-order TCP segments buffered, all flows together
 * @param pieceSize        objects larger than this are analysed in overlapping pieces
 * @param decodeLimits     nested decoding limits
 * @param maxRecords       transmission and DNS records kept for the report beyond those with findings
 */
public record AnalysisOptions(int threads, long memoryBudget, long reassemblyBudget, int pieceSize,
                             DecodeLimits decodeLimits, int maxRecords) {

    public AnalysisOptions {
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("threads must be 1..256, got " + threads);
        }
        if (maxRecords < 0) {
            throw new IllegalArgumentException("maxRecords must be >= 0, got " + maxRecords);
        }
        if (memoryBudget < (16 << 20) || reassemblyBudget < (1 << 20) || pieceSize < (64 << 10)) {
            throw new IllegalArgumentException("memory settings too small: " + this);
        }
    }

    public static AnalysisOptions defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new AnalysisOptions(Math.max(1, cores), 512L << 20, 256L << 20, 32 << 20,
                new DecodeLimits(12, 64 << 20, 256L << 20, 1000, 10_000, 24), 100_000);
    }

    public AnalysisOptions withThreads(int n) {
        return new AnalysisOptions(n, memoryBudget, reassemblyBudget, pieceSize, decodeLimits, maxRecords);
    }
}
