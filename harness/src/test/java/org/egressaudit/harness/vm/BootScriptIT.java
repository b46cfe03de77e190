package org.egressaudit.harness.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.sandbox.ImageBuilder;
import org.egressaudit.harness.tls.RunCertificateAuthority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest-agent-less path end to end: the built-in guest (built or reused as in {@link GuestImageBuilderIT})
 * boots under TCG with no network card and no guest agent channel, with an ext4 data disk holding a
 * {@link BootScript}; its init runs the script because of {@link BootScript#KERNEL_FLAG}; the script plants the
 * corpus, installs an agent file and the run CA, runs the agent and a trigger, and powers the guest off. Everything
 * is then read back from the data disk on the host.
 */
class BootScriptIT {
    private static final Duration QEMU_LIMIT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    void aGuestWithoutAgentRunsThePlanFromItsDataDiskAndPowersOff() throws Exception {
        GuestImage image = new GuestImageBuilder(new ImageBuilder().log(System.err).tagLatest(false),
                GuestImageBuilder.defaultCacheDir()).build(List.of(), new PrintWriter(System.err, true));

        Path planted = Files.writeString(dir.resolve("x.txt"), "planted-secret-4711\n");
        Path hello = Files.writeString(dir.resolve("hello.sh"), "#!/bin/sh\necho hello from the agent file\n");
        RunCertificateAuthority ca = RunCertificateAuthority.create("bootscript-it", dir.resolve("ca"));
        // the agent leaves a child behind holding agent.log open: the duration stop must kill its whole group,
        // or the data disk stays busy
        String agent = "sh -c 'cat /home/user/Documents/x.txt > /tmp/seen; echo AGENT-OK; id; /opt/agent/hello.sh;"
                + " sleep 600 &'";
        BootScript.Plan plan = new BootScript.Plan(
                List.of(new BootScript.Copy(hello, "/opt/agent/hello.sh", Optional.of("0755"))),
                List.of("test -x /opt/agent/hello.sh && echo installed"),
                Optional.of(ca.certificateFile()), List.of("/opt/agent/ca bundle.pem"),
                List.of(new BootScript.Copy(planted, "/home/user/Documents/x.txt")),
                agent,
                List.of(BootScript.Trigger.exec("late writer", Duration.ofSeconds(1),
                        "echo triggered > /tmp/triggered && cat /tmp/seen /tmp/triggered"
                                + " && grep -c BEGIN '/opt/agent/ca bundle.pem'")),
                Duration.ofSeconds(6), false, Optional.empty());
        Path root = dir.resolve("data");
        new BootScript(plan).writeTo(root);
        Path img = dir.resolve("data.img");
        DataDisk disk = DataDisk.create(root, img, DataDisk.Format.EXT4);

        Path overlay = dir.resolve("overlay.qcow2");
        HostCommand.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", image.disk().toString(), "-F", "qcow2",
                overlay.toString()).runChecked();
        Path console = dir.resolve("console.log");
        List<String> argv = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg", "-m", "512", "-smp", "1",
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-kernel", image.kernel().toString(), "-initrd", image.initrd().toString(),
                "-append", image.append() + " " + BootScript.KERNEL_FLAG,
                "-drive", "file=" + overlay + ",if=virtio,format=qcow2,cache=unsafe"));
        argv.addAll(disk.qemuArguments());
        argv.addAll(List.of("-nic", "none", "-serial", "file:" + console));
        Process qemu = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qemu.out").toFile()).start();
        try {
            if (!qemu.waitFor(QEMU_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                fail("the guest did not power off within " + QEMU_LIMIT + ":\n" + read(console));
            }
            assertEquals(0, qemu.exitValue(), read(dir.resolve("qemu.out")));
        } finally {
            if (qemu.isAlive()) {
                qemu.destroyForcibly();
                qemu.waitFor(10, TimeUnit.SECONDS);
            }
        }
        String consoleText = read(console);
        assertTrue(consoleText.contains(GuestScripts.LOG_PREFIX + " running the boot script from /dev/vdb"),
                consoleText);
        assertFalse(consoleText.contains("starting qemu-ga"), consoleText);
        assertTrue(consoleText.contains(BootScript.CONSOLE_PREFIX + " data disk unmounted"), consoleText);

        String steps = text(disk, BootScript.STEPS_LOG);
        System.err.println("steps.log of the guest:\n" + steps);
        String status = text(disk, BootScript.STATUS);
        assertEquals("duration-reached 6\n", status, steps + consoleText);
        assertEquals("0\n", text(disk, BootScript.EXIT_CODE), steps);
        String agentLog = text(disk, BootScript.AGENT_LOG);
        assertTrue(agentLog.contains("AGENT-OK"), agentLog);
        assertTrue(agentLog.contains("uid=0(root)"), agentLog);
        assertTrue(agentLog.contains("hello from the agent file"), agentLog);
        String commands = text(disk, BootScript.COMMANDS_LOG);
        assertTrue(commands.contains("installed\n  -> exit 0"), commands);
        // the trigger saw what the agent read from the planted file, and the run CA in the scenario's bundle
        assertTrue(commands.contains("planted-secret-4711\ntriggered\n1\n  -> exit 0"), commands);

        List<String> order = List.of("data disk /dev/vdb mounted", "copy files/0 to /opt/agent/hello.sh",
                "install 1: exit 0", "trust system trust store: exit 0", "copy corpus/0 to /home/user/Documents/x.txt",
                "agent started", "agent exited with code 0", "trigger late writer: exit 0",
                "duration of 6 s reached", "finished: duration-reached 6", "powering off");
        int at = -1;
        for (String step : order) {
            int next = steps.indexOf(step, Math.max(at, 0));
            assertTrue(next > at, "'" + step + "' missing or out of order in:\n" + steps);
            at = next;
        }
        assertTrue(steps.lines().allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\d+\\.\\d+s .+")),
                steps);
        List<DataDisk.Entry> out = disk.list(BootScript.OUT);
        assertTrue(out.stream().anyMatch(e -> e.name().equals("started")), out::toString);
    }

    private static String text(DataDisk disk, String path) {
        return new String(disk.read(path, 1 << 20), StandardCharsets.UTF_8);
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
    }
}
