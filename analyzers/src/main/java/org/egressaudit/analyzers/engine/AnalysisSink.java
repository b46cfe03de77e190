package org.egressaudit.analyzers.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.egressaudit.analyzers.content.MemoryBudget;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.protocol.Transmission;
import org.egressaudit.analyzers.protocol.TransmissionSink;

/**
 * Receives transmissions from the protocol layer (reader thread) and analyses them on worker threads. The reader
 * waits while analysis lags by more than half the memory budget, so a slow analysis slows reading down instead of
 * exhausting the budget and truncating objects.
 */
final class AnalysisSink implements TransmissionSink {
    private final TransmissionAnalyzer analyzer;
    private final ExecutorService workers;
    private final MemoryBudget budget;
    private final long maxPendingBytes;
    private final AtomicLong ids = new AtomicLong();
    private final Object lock = new Object();
    private long pendingBytes;
    private int pendingCount;
    private final ConcurrentLinkedQueue<AnalyzedTransmission> done = new ConcurrentLinkedQueue<>();
    private final int maxRecords;
    private final java.util.concurrent.atomic.AtomicInteger kept = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong omitted = new AtomicLong();
    private final AtomicLong outCount = new AtomicLong();
    private final AtomicLong outBytes = new AtomicLong();
    private final AtomicLong inCount = new AtomicLong();
    private final AtomicLong inBytes = new AtomicLong();
    private final AtomicLong dnsOmitted = new AtomicLong();
    private final List<AnalysisResult.DnsQueryRecord> dns = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    AnalysisSink(TransmissionAnalyzer analyzer, ExecutorService workers, MemoryBudget budget, int maxRecords) {
        this.maxRecords = maxRecords;
        this.analyzer = analyzer;
        this.workers = workers;
        this.budget = budget;
        this.maxPendingBytes = budget.capacity() / 2;
    }

    @Override
    public long nextId() {
        return ids.incrementAndGet();
    }

    @Override
    public void accept(Transmission t) {
        long size = Math.max(t.reservedBytes(), t.contentBytes());
        synchronized (lock) {
            while (pendingCount > 0 && pendingBytes + size > maxPendingBytes && failure.get() == null) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for analysis", e);
                }
            }
            pendingBytes += size;
            pendingCount++;
        }
        workers.execute(() -> {
            try {
                keep(analyzer.analyze(t));
            } catch (Throwable e) {
                failure.compareAndSet(null, new IllegalStateException("analysis of transmission " + t.id() + " ("
                        + t.summary() + ") failed: " + e, e));
            } finally {
                budget.release(t.reservedBytes());
                synchronized (lock) {
                    pendingBytes -= size;
                    pendingCount--;
                    lock.notifyAll();
                }
            }
        });
    }

    /**
     * Keeps the record of an analysed transmission for the report. Past {@code maxRecords}, transmissions with no
     * finding and no opaque bytes are only counted: a long capture must not grow the heap without bound.
     */
    private void keep(AnalyzedTransmission at) {
        if (at.transmission().outbound()) {
            outCount.incrementAndGet();
            outBytes.addAndGet(at.contentBytes());
        } else {
            inCount.incrementAndGet();
            inBytes.addAndGet(at.contentBytes());
        }
        boolean evidence = !at.findings().isEmpty() || at.opaqueBytes() > 0;
        if (evidence || kept.incrementAndGet() <= maxRecords) {
            done.add(at);
        } else {
            omitted.incrementAndGet();
        }
    }

    AnalysisResult.Totals totals() {
        return new AnalysisResult.Totals(outCount.get(), outBytes.get(), inCount.get(), inBytes.get(), omitted.get(),
                dnsOmitted.get());
    }

    @Override
    public void dnsQuery(FlowKey flow, Direction direction, String name, int qtype, long timestampNanos) {
        if (direction == Direction.CLIENT_TO_SERVER) {
            if (dns.size() >= maxRecords) {
                dnsOmitted.incrementAndGet();
                return;
            }
            dns.add(new AnalysisResult.DnsQueryRecord(timestampNanos, flow.toString(), name, DnsTypes.name(qtype)));
        }
    }

    /** Waits for every submitted analysis; rethrows an engine bug in a worker as such. */
    void awaitAll() {
        synchronized (lock) {
            while (pendingCount > 0) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for analysis", e);
                }
            }
        }
        Throwable f = failure.get();
        if (f != null) {
            throw (RuntimeException) f;
        }
    }

    List<AnalyzedTransmission> results() {
        List<AnalyzedTransmission> out = new ArrayList<>(done);
        out.sort((a, b) -> Long.compare(a.transmission().id(), b.transmission().id()));
        return out;
    }

    List<AnalysisResult.DnsQueryRecord> dnsQueries() {
        List<AnalysisResult.DnsQueryRecord> out = new ArrayList<>(dns);
        out.sort((a, b) -> Long.compare(a.timestampNanos(), b.timestampNanos()));
        return out;
    }
}
