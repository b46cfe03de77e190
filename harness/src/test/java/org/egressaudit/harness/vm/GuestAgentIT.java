package org.egressaudit.harness.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Boots {@link TinyGuest} under QEMU TCG and talks to the real qemu-ga and QMP. */
class GuestAgentIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void talksToARealGuestAgent() throws Exception {
        Path initrd = TinyGuest.buildInitramfs(dir.resolve("tiny.cpio.gz"));
        try (TinyGuest.Vm vm = TinyGuest.boot(dir, initrd)) {
            try {
                exercise(vm);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + vm.diagnostics(), t);
            }
        }
    }

    private static void exercise(TinyGuest.Vm vm) throws Exception {
        try (QmpClient qmp = QmpClient.connect(vm.qmpSocket, Duration.ofSeconds(20));
                GuestAgentClient qga = GuestAgentClient.connect(vm.qgaSocket, Duration.ofSeconds(90))) {
            assertTrue(qmp.running());
            qga.ping();
            assertTrue(qga.info().path("supported_commands").isArray());
            assertEquals("unknown", qga.osName()); // the initramfs has no /etc/os-release

            ExecStatus echo = qga.run(Duration.ofSeconds(30), "echo", "hello from", "the guest");
            assertTrue(echo.succeeded(), echo::toString);
            assertEquals("hello from the guest\n", echo.stdoutText());

            ExecStatus failing = qga.run(Duration.ofSeconds(30), "/bin/sh", "-c", "echo oops >&2; exit 7");
            assertTrue(failing.exited());
            assertEquals(7, failing.exitCode());
            assertEquals("oops\n", failing.stderrText());

            long pid = qga.exec("/bin/sh", List.of("-c", "echo \"$GREETING\""), List.of("GREETING=hi there"), true);
            ExecStatus withEnv = awaitExit(qga, pid);
            assertEquals("hi there\n", withEnv.stdoutText());

            byte[] data = new byte[700 * 1024 + 3]; // three write chunks
            new Random(42).nextBytes(data);
            qga.writeFile("/tmp/payload.bin", new ByteArrayInputStream(data));
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            assertEquals(data.length, qga.readFile("/tmp/payload.bin", back, data.length));
            assertArrayEquals(data, back.toByteArray());
            ExecStatus sum = qga.run(Duration.ofSeconds(30), "wc", "-c", "/tmp/payload.bin");
            assertEquals(data.length + " /tmp/payload.bin", sum.stdoutText().trim());
            GuestAgentException tooBig = assertThrows(GuestAgentException.class,
                    () -> qga.readFile("/tmp/payload.bin", new ByteArrayOutputStream(), 1000));
            assertTrue(tooBig.getMessage().contains("/tmp/payload.bin is larger than the limit of 1000 bytes"));
            GuestAgentException missing = assertThrows(GuestAgentException.class,
                    () -> qga.readFile("/tmp/absent", new ByteArrayOutputStream(), 1000));
            assertEquals("GenericError", missing.errorClass());

            qmp.powerdown(); // nothing in the tiny guest handles the ACPI button: QEMU only reports it
            assertTrue(qmp.awaitEvent("POWERDOWN", Duration.ofSeconds(10)).isPresent());
            qmp.quit();
            assertTrue(vm.process().waitFor(20, TimeUnit.SECONDS), "QEMU did not exit after quit");
            assertEquals(0, vm.process().exitValue());
            assertTrue(qmp.awaitDisconnect(Duration.ofSeconds(5)));
            assertTrue(qmp.shutdownSeen(), () -> "events: " + qmp.events());
            assertFalse(qmp.connected());
            assertThrows(GuestAgentException.class, qga::ping);
        }
    }

    private static ExecStatus awaitExit(GuestAgentClient qga, long pid) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            ExecStatus s = qga.execStatus(pid);
            if (s.exited()) {
                return s;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("guest pid " + pid + " did not exit within 30 s");
    }
}
