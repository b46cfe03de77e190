package org.egressaudit.harness.network;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The record of everything the sink services saw, shared by all of them and safe to call from any thread.
 *
 * <p>Memory keeps the FIRST {@code maxInMemory} events: an agent that floods later cannot push earlier evidence
 * out; later events are counted in {@link #droppedFromMemory()}. The optional JSON-lines file gets every event
 * until it reaches {@code maxFileBytes}; it is written by one background thread so event loops never block on
 * the disk (if that thread falls more than {@value #FILE_QUEUE} events behind, the excess is counted in
 * {@link #droppedFromFile()} rather than stalling the services).
 */
public final class ServiceEventLog implements AutoCloseable {
    /** Default number of events kept in memory. */
    public static final int DEFAULT_MAX_IN_MEMORY = 100_000;
    /** Default size limit of services.jsonl (1 GiB). */
    public static final long DEFAULT_MAX_FILE_BYTES = 1L << 30;
    /** The conventional file name in a run directory. */
    public static final String FILE_NAME = "services.jsonl";

    static final int FILE_QUEUE = 65_536;
    private static final ServiceEvent END = new ServiceEvent(java.time.Instant.EPOCH, ServiceEvent.Service.TCP,
            null, null, ServiceEvent.Kind.ERROR, "end of log", null);

    private final int maxInMemory;
    private final List<ServiceEvent> events = new ArrayList<>();
    private final AtomicLong droppedFromMemory = new AtomicLong();
    private final AtomicLong droppedFromFile = new AtomicLong();
    private final Path file;
    private final BlockingQueue<ServiceEvent> fileQueue;
    private final Thread writer;
    private volatile IOException fileError;
    private volatile boolean closed;

    /** A log kept in memory only. */
    public ServiceEventLog(int maxInMemory) {
        if (maxInMemory < 1) {
            throw new IllegalArgumentException("maxInMemory must be at least 1, was " + maxInMemory);
        }
        this.maxInMemory = maxInMemory;
        this.file = null;
        this.fileQueue = null;
        this.writer = null;
    }

    private ServiceEventLog(int maxInMemory, Path file, long maxFileBytes) throws IOException {
        if (maxInMemory < 1) {
            throw new IllegalArgumentException("maxInMemory must be at least 1, was " + maxInMemory);
        }
        if (maxFileBytes < 1) {
            throw new IllegalArgumentException("maxFileBytes must be at least 1, was " + maxFileBytes);
        }
        this.maxInMemory = maxInMemory;
        this.file = file;
        this.fileQueue = new ArrayBlockingQueue<>(FILE_QUEUE);
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        this.writer = new Thread(() -> writeLoop(out, maxFileBytes), "service-event-log-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** A log kept in memory and streamed as JSON lines to {@code file} (created or truncated). */
    public static ServiceEventLog streamingTo(Path file, int maxInMemory, long maxFileBytes) throws IOException {
        return new ServiceEventLog(maxInMemory, file, maxFileBytes);
    }

    /** Records one event. Never throws and never blocks on the disk. */
    public void record(ServiceEvent event) {
        synchronized (events) {
            if (events.size() < maxInMemory) {
                events.add(event);
            } else {
                droppedFromMemory.incrementAndGet();
            }
            events.notifyAll();
        }
        if (fileQueue != null) {
            if (closed || !fileQueue.offer(event)) {
                droppedFromFile.incrementAndGet();
            }
        }
    }

    /** A copy of the events kept in memory, in the order they were recorded. */
    public List<ServiceEvent> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Waits up to {@code timeout} for a kept event matching {@code test}; the first match, or empty. */
    public Optional<ServiceEvent> await(Predicate<ServiceEvent> test, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (events) {
            int checked = 0;
            while (true) {
                for (; checked < events.size(); checked++) {
                    if (test.test(events.get(checked))) {
                        return Optional.of(events.get(checked));
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                events.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    public long droppedFromMemory() {
        return droppedFromMemory.get();
    }

    /** Events not written to the file: over its size limit, behind the writer, or after close. */
    public long droppedFromFile() {
        return droppedFromFile.get();
    }

    /** The file being written, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The error that stopped file writing, if one did. */
    public Optional<IOException> fileError() {
        return Optional.ofNullable(fileError);
    }

    /** Stops accepting file writes, writes what is queued and closes the file. Memory stays readable. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (writer != null) {
            boolean interrupted = false;
            while (true) {
                try {
                    // the writer may have died (disk error): then nobody takes from the queue
                    while (writer.isAlive() && !fileQueue.offer(END, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        // queue full: the writer is draining it
                    }
                    writer.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void writeLoop(BufferedWriter out, long maxFileBytes) {
        ObjectMapper json = new ObjectMapper();
        long written = 0;
        boolean full = false;
        try (out) {
            while (true) {
                ServiceEvent e = fileQueue.take();
                if (e == END) {
                    break;
                }
                if (full || fileError != null) {
                    droppedFromFile.incrementAndGet();
                    continue;
                }
                try {
                    String line = json.writeValueAsString(toJson(e)) + "\n";
                    long size = line.getBytes(StandardCharsets.UTF_8).length;
                    if (written + size > maxFileBytes) {
                        full = true;
                        droppedFromFile.incrementAndGet();
                        continue;
                    }
                    out.write(line);
                    written += size;
                    if (fileQueue.isEmpty()) {
                        out.flush(); // flush when idle, so a crash loses little
                    }
                } catch (IOException ioe) {
                    fileError = ioe; // keep draining (and counting) so record() and close() never stall
                    droppedFromFile.incrementAndGet();
                }
            }
        } catch (IOException e) {
            fileError = e;
        } catch (InterruptedException e) {
            fileError = new IOException("event log writer interrupted", e);
        }
    }

    /** The JSON-lines shape of one event. */
    static Map<String, Object> toJson(ServiceEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timestamp", e.timestamp().toString());
        m.put("service", e.service().name().toLowerCase(java.util.Locale.ROOT));
        m.put("client", ServiceEvent.text(e.client()));
        m.put("originalDestination", ServiceEvent.text(e.originalDestination()));
        m.put("kind", e.kind().name().toLowerCase(java.util.Locale.ROOT));
        m.put("detail", e.detail());
        m.put("attributes", e.attributes());
        return m;
    }
}
