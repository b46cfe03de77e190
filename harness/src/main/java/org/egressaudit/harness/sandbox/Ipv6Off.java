package org.egressaudit.harness.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns IPv6 off on a host-side interface of a run (the bridge, a container's veth). The sandbox is IPv4 only and
 * ip6tables drops whatever IPv6 it sends; without this the host's own side still emits MLD reports and router
 * solicitations, which end up in the capture as flows no sandbox process made.
 */
public final class Ipv6Off {
    private Ipv6Off() {
    }

    /** Best effort: a host without IPv6 has nothing to turn off. */
    public static void on(String hostInterface) {
        if (!hostInterface.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new IllegalArgumentException("bad interface name '" + hostInterface + "'");
        }
        Path knob = Path.of("/proc/sys/net/ipv6/conf", hostInterface, "disable_ipv6");
        if (Files.isWritable(knob)) {
            try {
                Files.writeString(knob, "1\n");
            } catch (IOException e) {
                // the capture then shows the host's MLD noise; nothing else depends on it
            }
        }
    }
}
