package org.egressaudit.harness.vm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.egressaudit.harness.scenario.VmSpec;

/**
 * The {@code qemu-system-x86_64} argument list of one sandbox VM. Nothing from QEMU's defaults is taken on
 * trust: no default devices ({@code -nodefaults}), no user config files, no display, one NIC on the run's tap and
 * nothing else that could reach a network (no user-mode networking, which would route out), the guest agent and
 * QMP on UNIX sockets, the serial console in a file, seccomp on.
 */
public final class QemuCommandLine {
    private QemuCommandLine() {
    }

    /**
     * @param overlay   the run's copy-on-write overlay (the only disk written)
     * @param tap       the run's tap interface
     * @param mac       the guest NIC's MAC address
     * @param qmpSocket QMP control socket path
     * @param qgaSocket guest agent socket path
     * @param console   serial console log
     */
    public static List<String> build(String qemu, String name, VmConfig c, Acceleration accel, Path overlay,
                                     String tap, String mac, Path qmpSocket, Path qgaSocket, Path console) {
        return build(qemu, name, c, accel, overlay, tap, mac, qmpSocket, java.util.Optional.of(qgaSocket), console,
                List.of(), "");
    }

    /**
     * @param qgaSocket  guest agent socket; empty for a guest driven by a boot script (no agent channel)
     * @param extra      further arguments (a data disk)
     * @param appendMore words added to the kernel command line of a direct kernel boot
     */
    public static List<String> build(String qemu, String name, VmConfig c, Acceleration accel, Path overlay,
                                     String tap, String mac, Path qmpSocket, java.util.Optional<Path> qgaSocket,
                                     Path console, List<String> extra, String appendMore) {
        List<String> a = new ArrayList<>(List.of(qemu, "-name", name, "-nodefaults", "-no-user-config",
                "-display", "none", "-monitor", "none",
                "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"));
        a.addAll(accel.qemuArguments());
        a.addAll(List.of("-m", Long.toString(c.memoryBytes() >> 20), "-smp", Integer.toString(c.cpus())));
        c.kernel().ifPresent(k -> {
            a.addAll(List.of("-kernel", k.toString()));
            c.initrd().ifPresent(i -> a.addAll(List.of("-initrd", i.toString())));
            String line = (c.append().orElse("") + " " + appendMore).strip();
            if (!line.isEmpty()) {
                a.addAll(List.of("-append", line));
            }
        });
        // cache=unsafe: the overlay is thrown away after the run, so flushes buy nothing and cost a lot under TCG
        a.addAll(List.of("-drive", "file=" + commaSafe(overlay) + ",if=virtio,format=qcow2,cache=unsafe"));
        a.addAll(List.of("-netdev", "tap,id=net0,ifname=" + tap + ",script=no,downscript=no",
                "-device", (c.nic() == VmSpec.Nic.E1000 ? "e1000" : "virtio-net-pci") + ",netdev=net0,mac=" + mac));
        qgaSocket.ifPresent(q -> a.addAll(List.of("-chardev", "socket,id=qga0,path=" + commaSafe(q)
                        + ",server=on,wait=off",
                "-device", "virtio-serial-pci,id=vser0",
                "-device", "virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0")));
        a.addAll(extra);
        a.addAll(List.of("-qmp", "unix:" + commaSafe(qmpSocket) + ",server=on,wait=off"));
        a.addAll(List.of("-serial", "file:" + commaSafe(console)));
        a.addAll(List.of("-rtc", "base=utc", "-device", "virtio-rng-pci"));
        return a;
    }

    /** QEMU option values are comma-separated: a comma in a path would start a new option. */
    private static String commaSafe(Path p) {
        String s = p.toString();
        if (s.contains(",")) {
            throw new IllegalArgumentException("path contains a comma, which QEMU options cannot carry: " + s);
        }
        return s;
    }
}
