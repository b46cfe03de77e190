package org.egressaudit.harness.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.sandbox.ImageBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds the real guest (Docker, debootstrap the first time, then cached in the default cache folder) and boots
 * overlays of it under TCG without a network card: the init must run, qemu-ga must answer, and both qemu-ga's
 * guest-shutdown and the ACPI power button (QMP system_powerdown) must power the guest off.
 */
class GuestImageBuilderIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration BOOT_LIMIT = Duration.ofSeconds(120);
    private static GuestImage image;

    @BeforeAll
    static void buildImage() {
        PrintWriter log = new PrintWriter(System.err, true);
        GuestImageBuilder builder = new GuestImageBuilder(new ImageBuilder().log(System.err).tagLatest(false),
                GuestImageBuilder.defaultCacheDir());
        image = builder.build(List.of(), log);
        GuestImage again = builder.build(List.of(), log);
        assertTrue(again.cached(), "a second build reuses the first");
        assertEquals(image.disk(), again.disk());
        assertEquals(GuestImage.APPEND, again.append());
        System.err.println("guest image " + image.disk() + " (" + (image.cached() ? "cached" : "built in "
                + image.elapsed().toSeconds() + " s") + ")");
    }

    @Test
    void bootsRunsTheInitAnswersGuestSyncAndPowersOffOnGuestShutdown(@TempDir Path dir) throws Exception {
        try (Guest guest = Guest.boot(image, dir, "none")) {
            guest.awaitConsole(GuestScripts.LOG_PREFIX + " starting qemu-ga on /dev/vport");
            String console = guest.console();
            for (String step : List.of("file systems mounted", "modules loaded", "no network card: network left down",
                    "acpid started", "ready")) {
                assertTrue(console.contains(GuestScripts.LOG_PREFIX + " " + step), step + " missing in:\n" + console);
            }
            assertTrue(!console.contains("modprobe virtio_console failed"), console);
            guest.guestSync(4242);
            guest.agentCommand("{\"execute\":\"guest-shutdown\"}\n");
            guest.awaitExit(Duration.ofSeconds(60));
            assertTrue(guest.console().contains(GuestScripts.LOG_PREFIX + " shutdown: poweroff"), guest.console());
        }
    }

    /**
     * QEMU's user-mode network, restricted (no connection leaves it) and on a documentation prefix, stands in for
     * the harness's DHCP server on the tap: its built-in DHCP answers inside QEMU.
     */
    @Test
    void configuresEth0ByDhcpAndPowersOffOnTheAcpiPowerButton(@TempDir Path dir) throws Exception {
        String nic = "user,model=virtio-net-pci,restrict=on,net=192.0.2.0/24,host=192.0.2.2,dhcpstart=192.0.2.15,"
                + "dns=192.0.2.3";
        try (Guest guest = Guest.boot(image, dir, nic)) {
            guest.awaitConsole(GuestScripts.LOG_PREFIX + " ready");
            String console = guest.console();
            // restricted user-mode networking offers no router and no DNS server (GuestImageDhcpScriptTest has them)
            assertTrue(console.contains(GuestScripts.LOG_PREFIX
                    + " dhcp: bound eth0 192.0.2.15/24 router none dns none"), console);
            assertTrue(console.contains(GuestScripts.LOG_PREFIX + " network up: eth0"), console);
            guest.guestSync(7); // acpid was started before qemu-ga: once the agent answers, acpid listens
            guest.qmp("{\"execute\":\"system_powerdown\"}\n");
            guest.awaitExit(Duration.ofSeconds(60));
            assertTrue(guest.console().contains(GuestScripts.LOG_PREFIX + " shutdown: poweroff"), guest.console());
        }
    }

    /** One QEMU process on an overlay of the image, killed on close. */
    private static final class Guest implements AutoCloseable {
        private final Process qemu;
        private final Path consoleLog;
        private final Path qgaSocket;
        private final Path qmpSocket;

        private Guest(Process qemu, Path dir) {
            this.qemu = qemu;
            this.consoleLog = dir.resolve("console.log");
            this.qgaSocket = dir.resolve("qga.sock");
            this.qmpSocket = dir.resolve("qmp.sock");
        }

        static Guest boot(GuestImage image, Path dir, String nic) throws IOException {
            Path overlay = dir.resolve("overlay.qcow2");
            HostCommand.of("qemu-img", "create", "-f", "qcow2", "-b", image.disk().toString(), "-F", "qcow2",
                    overlay.toString()).runChecked();
            Process p = new ProcessBuilder("qemu-system-x86_64", "-accel", "tcg", "-m", "512", "-smp", "1",
                    "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                    "-kernel", image.kernel().toString(), "-initrd", image.initrd().toString(),
                    "-append", image.append(),
                    "-drive", "file=" + overlay + ",if=virtio,format=qcow2",
                    "-nic", nic,
                    "-serial", "file:" + dir.resolve("console.log"),
                    "-chardev", "socket,id=qga,path=" + dir.resolve("qga.sock") + ",server=on,wait=off",
                    "-device", "virtio-serial-pci",
                    "-device", "virtserialport,chardev=qga,name=org.qemu.guest_agent.0",
                    "-qmp", "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.out").toFile()).start();
            return new Guest(p, dir);
        }

        String console() throws IOException {
            return Files.exists(consoleLog) ? Files.readString(consoleLog, StandardCharsets.ISO_8859_1) : "";
        }

        void awaitConsole(String text) throws Exception {
            long deadline = System.nanoTime() + BOOT_LIMIT.toNanos();
            while (System.nanoTime() < deadline) {
                if (console().contains(text)) {
                    return;
                }
                if (!qemu.isAlive()) {
                    fail("QEMU exited (" + qemu.exitValue() + ") before '" + text + "':\n" + console());
                }
                Thread.sleep(250);
            }
            fail("no '" + text + "' on the console within " + BOOT_LIMIT + ":\n" + console());
        }

        /** guest-sync until the agent answers with {@code id} (it may not be listening yet right after start). */
        void guestSync(int id) throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String last = "";
            while (System.nanoTime() < deadline) {
                try (SocketChannel ch = connect(qgaSocket)) {
                    send(ch, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":" + id + "}}\n");
                    for (String line = readLine(ch, 10_000); line != null; line = readLine(ch, 10_000)) {
                        last = line;
                        JsonNode reply = JSON.readTree(line);
                        if (reply.path("return").asInt(-1) == id) {
                            return;
                        }
                    }
                } catch (IOException e) {
                    last = e.toString();
                }
                Thread.sleep(500);
            }
            fail("qemu-ga did not answer guest-sync " + id + " (last: " + last + "):\n" + console());
        }

        /** Sends one command to qemu-ga without waiting for an answer (guest-shutdown has none). */
        void agentCommand(String json) throws IOException {
            try (SocketChannel ch = connect(qgaSocket)) {
                send(ch, json);
            }
        }

        void qmp(String json) throws IOException {
            try (SocketChannel ch = connect(qmpSocket)) {
                String greeting = readLine(ch, 10_000);
                assertTrue(greeting != null && greeting.contains("QMP"), "QMP greeting: " + greeting);
                send(ch, "{\"execute\":\"qmp_capabilities\"}\n");
                assertTrue(String.valueOf(readLine(ch, 10_000)).contains("return"));
                send(ch, json);
                String reply = readLine(ch, 10_000);
                while (reply != null && reply.contains("\"event\"")) { // events may come before the answer
                    reply = readLine(ch, 10_000);
                }
                assertTrue(reply != null && reply.contains("return"), "QMP reply: " + reply);
            }
        }

        void awaitExit(Duration limit) throws Exception {
            if (!qemu.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("the guest did not power off within " + limit + ":\n" + console());
            }
        }

        private static SocketChannel connect(Path socket) throws IOException {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                return ch;
            } catch (IOException e) {
                ch.close();
                throw e;
            }
        }

        private static void send(SocketChannel ch, String text) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }

        /** One line, or null at end of stream; gives up (IOException) after {@code millis}. */
        private static String readLine(SocketChannel ch, long millis) throws IOException {
            // blocking reads with a deadline checked by a watchdog thread would be overkill: poll non-blocking
            ch.configureBlocking(false);
            try {
                StringBuilder sb = new StringBuilder();
                ByteBuffer one = ByteBuffer.allocate(1);
                long deadline = System.nanoTime() + millis * 1_000_000;
                while (sb.length() < 65_536) {
                    one.clear();
                    int n = ch.read(one);
                    if (n < 0) {
                        return sb.isEmpty() ? null : sb.toString();
                    }
                    if (n == 0) {
                        if (System.nanoTime() > deadline) {
                            throw new IOException("no complete line within " + millis + " ms: " + sb);
                        }
                        Thread.sleep(20);
                        continue;
                    }
                    char c = (char) (one.get(0) & 0xff);
                    if (c == '\n') {
                        return sb.toString();
                    }
                    sb.append(c);
                }
                throw new IOException("line longer than 64 KiB");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } finally {
                ch.configureBlocking(true);
            }
        }

        @Override
        public void close() throws Exception {
            if (qemu.isAlive()) {
                qemu.destroyForcibly();
                qemu.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
