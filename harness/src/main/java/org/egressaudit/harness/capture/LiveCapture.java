package org.egressaudit.harness.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;

/**
 * Records every frame on one interface (the run's bridge) into a pcap file, from {@link #start} until
 * {@link #close()}. libpcap writes the file itself ({@code pcap_loop} with {@code pcap_dump}), so there is no Java
 * work per packet; a large kernel buffer and immediate mode keep drops at zero under bursts. The file is bounded:
 * past {@code maxFileBytes} the capture stops and {@link CaptureStats#fileLimitReached()} says so, since the agent
 * in the sandbox controls how much traffic there is.
 */
public final class LiveCapture implements AutoCloseable {
    public static final int SNAPLEN = 262_144;
    /** Kernel ring for bursts: a 512 MiB burst under a loaded CPU dropped packets with 64 MiB. */
    public static final int BUFFER_BYTES = 256 << 20;
    public static final long DEFAULT_MAX_FILE_BYTES = 8L << 30;
    private static final int READ_TIMEOUT_MILLIS = 100;
    /** Time for frames already in flight to reach the buffer before the loop is stopped. */
    private static final long SETTLE_MILLIS = 200;
    private static final long SIZE_CHECK_MILLIS = 250;

    private final String device;
    private final Path file;
    private final long maxFileBytes;
    private final PcapHandle handle;
    private final PcapDumper dumper;
    private final Thread loopThread;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean limitReached = new AtomicBoolean();
    private final AtomicReference<Throwable> loopFailure = new AtomicReference<>();
    private final CountDownLatch loopDone = new CountDownLatch(1);
    private CaptureStats stats;

    private LiveCapture(String device, Path file, long maxFileBytes, PcapHandle handle, PcapDumper dumper) {
        this.device = device;
        this.file = file;
        this.maxFileBytes = maxFileBytes;
        this.handle = handle;
        this.dumper = dumper;
        this.loopThread = new Thread(this::loop, "capture-" + device);
        this.loopThread.setDaemon(true);
    }

    public static LiveCapture start(String device, Path file) {
        return start(device, file, DEFAULT_MAX_FILE_BYTES);
    }

    /**
     * Opens {@code device} and starts writing {@code file} (pcap, microsecond timestamps). Frames arriving after
     * this method returns are captured.
     *
     * @throws CaptureException naming the cause: libpcap missing, no permission, no such device, unwritable file
     */
    public static LiveCapture start(String device, Path file, long maxFileBytes) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(file, "file");
        if (maxFileBytes < 4096) {
            throw new IllegalArgumentException("maxFileBytes too small: " + maxFileBytes);
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new CaptureException("cannot write capture " + file + ": folder " + parent + " does not exist", null);
        }
        PcapHandle handle = open(device);
        PcapDumper dumper;
        try {
            dumper = handle.dumpOpen(file.toString());
        } catch (PcapNativeException | NotOpenException e) {
            handle.close();
            throw new CaptureException("cannot write capture file " + file + ": " + e.getMessage(), e);
        }
        LiveCapture c = new LiveCapture(device, file, maxFileBytes, handle, dumper);
        c.loopThread.start();
        return c;
    }

    private static PcapHandle open(String device) {
        try {
            PcapNetworkInterface nif = Pcaps.getDevByName(device);
            if (nif == null) {
                throw new CaptureException("no such network interface: " + device, null);
            }
            PcapHandle.Builder b = new PcapHandle.Builder(device)
                    .snaplen(SNAPLEN)
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.PROMISCUOUS)
                    .timeoutMillis(READ_TIMEOUT_MILLIS)
                    .bufferSize(BUFFER_BYTES)
                    .immediateMode(true);
            return b.build();
        } catch (PcapNativeException e) {
            throw new CaptureException(describe(device, e.getMessage()), e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new CaptureException("cannot load libpcap (install it: apt-get install -y libpcap0.8): "
                    + e.getMessage(), e);
        }
    }

    static String describe(String device, String pcapMessage) {
        String m = String.valueOf(pcapMessage);
        String lower = m.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("permission") || lower.contains("operation not permitted")) {
            return "no permission to capture on " + device + " (run as root or grant CAP_NET_RAW): " + m;
        }
        if (lower.contains("no such device") || lower.contains("doesn't exist")) {
            return "no such network interface: " + device + " (" + m + ")";
        }
        return "cannot capture on " + device + ": " + m;
    }

    private void loop() {
        try {
            Thread watch = new Thread(this::watchSize, "capture-size-" + device);
            watch.setDaemon(true);
            watch.start();
            try {
                handle.loop(-1, dumper);
            } catch (InterruptedException expected) {
                // breakLoop()
            }
            if (!limitReached.get()) {
                drain();
            }
            dumper.flush();
        } catch (Throwable t) {
            loopFailure.set(t);
        } finally {
            loopDone.countDown();
        }
    }

    /** Frames still queued in the kernel when the loop was stopped; rare, so per-packet work is fine here. */
    private void drain() throws PcapNativeException, NotOpenException {
        handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
        for (int i = 0; i < 1_000_000; i++) {
            byte[] frame = handle.getNextRawPacket();
            if (frame == null) {
                return;
            }
            Timestamp ts = handle.getTimestamp();
            dumper.dumpRaw(frame, ts);
        }
    }

    private void watchSize() {
        while (loopDone.getCount() > 0 && !stopping.get()) {
            try {
                if (Files.exists(file) && Files.size(file) >= maxFileBytes) {
                    limitReached.set(true);
                    handle.breakLoop();
                    return;
                }
                Thread.sleep(SIZE_CHECK_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | NotOpenException e) {
                return;
            }
        }
    }

    public Path file() {
        return file;
    }

    public String device() {
        return device;
    }

    /** Whether the loop is still recording (false after the size limit or a failure). */
    public boolean isRecording() {
        return loopDone.getCount() > 0;
    }

    /**
     * Stops the capture, flushes and closes the file. Idempotent.
     *
     * @throws CaptureException when the capture loop failed while running, e.g. the interface vanished (the file
     *                          holds what came before; {@link #stats()} is still available)
     */
    @Override
    public synchronized void close() {
        if (stats != null) {
            return;
        }
        stopping.set(true);
        try {
            if (loopDone.getCount() > 0) {
                Thread.sleep(SETTLE_MILLIS);
            }
            while (loopDone.getCount() > 0) {
                handle.breakLoop();
                // breakLoop is seen at the next read timeout; repeat in case it raced with the loop's start
                loopDone.await(READ_TIMEOUT_MILLIS * 5L, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (NotOpenException e) {
            // closed underneath us: nothing left to stop
        }
        long received = -1;
        long dropped = -1;
        long droppedIf = -1;
        try {
            PcapStat s = handle.getStats();
            received = s.getNumPacketsReceived();
            dropped = s.getNumPacketsDropped();
            droppedIf = s.getNumPacketsDroppedByIf();
        } catch (PcapNativeException | NotOpenException e) {
            loopFailure.compareAndSet(null, e);
        } finally {
            dumper.close();
            handle.close();
        }
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (IOException e) {
            bytes = -1;
        }
        stats = new CaptureStats(received, dropped, droppedIf, bytes, limitReached.get());
        Throwable t = loopFailure.get();
        if (t != null) {
            if (String.valueOf(t.getMessage()).contains("disappeared")) {
                throw new CaptureException("interface " + device + " disappeared while capturing (close the capture"
                        + " before removing the container or network); " + file + " holds the frames until then", t);
            }
            throw new CaptureException("capture on " + device + " failed: " + t, t);
        }
    }

    /** Counters; available after {@link #close()}. */
    public CaptureStats stats() {
        if (stats == null) {
            throw new IllegalStateException("capture on " + device + " is still running; close it first");
        }
        return stats;
    }
}
