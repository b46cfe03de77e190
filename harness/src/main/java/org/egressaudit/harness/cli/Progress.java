package org.egressaudit.harness.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.egressaudit.harness.report.ConsoleSummary;

/**
 * The "still working" line of `run` on a terminal: every couple of seconds, which scenarios are running, for how
 * long, and how much their capture holds so far (the size of capture.pcap, polled). Only used when stdout is a
 * terminal; logs get the runner's step lines instead.
 */
final class Progress implements AutoCloseable {
    static final Duration PERIOD = Duration.ofSeconds(2);

    private final PrintWriter out;
    private final int total;
    private final LongSupplier nanoClock;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private ScheduledExecutorService ticker;

    private static final class Running {
        final int number;
        final long startNanos;
        volatile Path capture;

        Running(int number, long startNanos) {
            this.number = number;
            this.startNanos = startNanos;
        }
    }

    Progress(PrintWriter out, int total, LongSupplier nanoClock) {
        this.out = out;
        this.total = total;
        this.nanoClock = nanoClock;
    }

    /** True when stdout is an interactive terminal (not a pipe, file or CI log). */
    static boolean interactive() {
        return System.console() != null;
    }

    /** Starts printing {@link #line()} every {@link #PERIOD}. */
    Progress start() {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "egress-audit-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::tick, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Scenario {@code number} (1-based) of the total began. */
    synchronized void started(int number, String scenario) {
        running.put(scenario, new Running(number, nanoClock.getAsLong()));
    }

    /** Its capture file (it may not exist yet). */
    synchronized void capture(String scenario, Path captureFile) {
        Running r = running.get(scenario);
        if (r != null) {
            r.capture = captureFile;
        }
    }

    synchronized void finished(String scenario) {
        running.remove(scenario);
    }

    /** "scenario 2 of 5: https-upload (0:12, 34.1 KiB captured)", one part per running scenario; null when idle. */
    synchronized String line() {
        if (running.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        long now = nanoClock.getAsLong();
        for (Map.Entry<String, Running> e : running.entrySet()) {
            Running r = e.getValue();
            long secs = Math.max(0, (now - r.startNanos) / 1_000_000_000L);
            parts.add(String.format(Locale.ROOT, "scenario %d of %d: %s (%d:%02d, %s captured)", r.number, total,
                    e.getKey(), secs / 60, secs % 60, ConsoleSummary.human(size(r.capture))));
        }
        return String.join(" | ", parts);
    }

    private void tick() {
        String l = line();
        if (l != null) {
            synchronized (out) {
                out.println(l);
                out.flush();
            }
        }
    }

    private static long size(Path p) {
        try {
            return p == null ? 0 : Files.size(p);
        } catch (java.io.IOException e) {
            return 0; // not created yet, or already moved
        }
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }
}
