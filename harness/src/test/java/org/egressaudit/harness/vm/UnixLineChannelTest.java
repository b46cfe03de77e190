package org.egressaudit.harness.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class UnixLineChannelTest {
    @TempDir
    Path dir;

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static Instant soon() {
        return Instant.now().plusSeconds(5);
    }

    @Test
    void splitsLinesStripsCrlfAndReportsEndOfStream() throws Exception {
        Path sock = dir.resolve("s.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, peer -> {
            peer.sendRaw("one\r\ntw".getBytes(StandardCharsets.UTF_8));
            Thread.sleep(100); // a line split across reads
            peer.sendRaw("o\n\nthree-without-end".getBytes(StandardCharsets.UTF_8));
            peer.close();
        });
                UnixLineChannel ch = UnixLineChannel.connect(sock, Duration.ofSeconds(5), 100, false)) {
            assertEquals("one", text(ch.readLine(soon())));
            assertEquals("two", text(ch.readLine(soon())));
            assertEquals("", text(ch.readLine(soon())));
            assertNull(ch.readLine(soon()), "a partial last line is dropped at end of stream");
        }
    }

    @Test
    void oversizeLineIsSkippedAndTheNextOneReadable() throws Exception {
        Path sock = dir.resolve("s.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, peer -> {
            peer.send("x".repeat(250));
            peer.send("ok");
            peer.sendRaw("y".repeat(300).getBytes(StandardCharsets.UTF_8));
            peer.sendRaw(new byte[] {(byte) 0xFF});
            peer.send("after sentinel");
            peer.readLine();
        });
                UnixLineChannel ch = UnixLineChannel.connect(sock, Duration.ofSeconds(5), 100, true)) {
            UnixLineChannel.LineTooLongException e = assertThrows(UnixLineChannel.LineTooLongException.class,
                    () -> ch.readLine(soon()));
            assertEquals("message from " + sock + " longer than 100 bytes", e.getMessage());
            assertEquals("ok", text(ch.readLine(soon())));
            assertThrows(UnixLineChannel.LineTooLongException.class, () -> ch.readLine(soon()));
            assertEquals("after sentinel", text(ch.readLine(soon())), "0xFF ends the skipping of an oversize line");
        }
    }

    @Test
    void sentinelDropsThePartialLineAndSkipToSentinelDropsEverythingBefore() throws Exception {
        Path sock = dir.resolve("s.sock");
        CountDownLatch skipping = new CountDownLatch(1);
        try (FakeUnixServer server = FakeUnixServer.start(sock, peer -> {
            peer.sendRaw("stale-partial".getBytes(StandardCharsets.UTF_8));
            peer.sendRaw(new byte[] {(byte) 0xFF});
            peer.send("fresh");
            assertTrue(skipping.await(5, TimeUnit.SECONDS));
            peer.send("complete but stale");
            peer.sendRaw(new byte[] {(byte) 0xFF});
            peer.send("wanted");
            peer.readLine();
        });
                UnixLineChannel ch = UnixLineChannel.connect(sock, Duration.ofSeconds(5), 100, true)) {
            assertEquals("fresh", text(ch.readLine(soon())));
            ch.skipToSentinel();
            skipping.countDown();
            assertEquals("wanted", text(ch.readLine(soon())));
        }
    }

    @Test
    void readTimesOutAndKeepsThePartialLine() throws Exception {
        Path sock = dir.resolve("s.sock");
        CountDownLatch timedOut = new CountDownLatch(1);
        try (FakeUnixServer server = FakeUnixServer.start(sock, peer -> {
            peer.sendRaw("hel".getBytes(StandardCharsets.UTF_8));
            assertTrue(timedOut.await(5, TimeUnit.SECONDS));
            peer.send("lo");
            peer.readLine();
        });
                UnixLineChannel ch = UnixLineChannel.connect(sock, Duration.ofSeconds(5), 100, false)) {
            long start = System.nanoTime();
            assertThrows(UnixLineChannel.LineTimeoutException.class,
                    () -> ch.readLine(Instant.now().plusMillis(200)));
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofMillis(190)) > 0);
            timedOut.countDown();
            assertEquals("hello", text(ch.readLine(soon())));
        }
    }

    @Test
    void closeFromAnotherThreadWakesABlockedReader() throws Exception {
        Path sock = dir.resolve("s.sock");
        try (FakeUnixServer server = FakeUnixServer.start(sock, peer -> peer.readLine());
                UnixLineChannel ch = UnixLineChannel.connect(sock, Duration.ofSeconds(5), 100, false)) {
            Thread closer = new Thread(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ignored) {
                    // closes at once then
                }
                ch.close();
            });
            closer.start();
            assertThrows(java.io.IOException.class, () -> ch.readLine(null));
            closer.join();
            ch.close(); // idempotent
        }
    }

    @Test
    void tooLongSocketPathIsRejectedClearly() {
        Path sock = dir.resolve("d".repeat(120) + ".sock");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UnixLineChannel.connect(sock, Duration.ofSeconds(1), 100, false));
        assertTrue(e.getMessage().startsWith("UNIX socket path longer than 107 bytes"), e.getMessage());
    }
}
