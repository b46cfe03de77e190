package org.egressaudit.harness.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Virtual machines of runs whose harness died without stopping them (SIGKILL, crash): QEMU processes named
 * {@code egress-audit-<runId>} whose parent is gone, so they were re-parented to init. A VM of a live harness (its
 * parent still runs) is never touched.
 */
public final class VmLeftovers {
    static final String NAME_PREFIX = "egress-audit-";

    private VmLeftovers() {
    }

    /** Kills orphaned sandbox VMs; returns their pids. */
    public static List<Long> killOrphans() {
        List<Long> killed = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            if (isSandboxQemu(p.info().command(), p.info().arguments()) && orphaned(p)) {
                p.destroyForcibly();
                killed.add(p.pid());
            }
        });
        return killed;
    }

    static boolean isSandboxQemu(Optional<String> command, Optional<String[]> arguments) {
        if (command.isEmpty() || !command.get().endsWith("qemu-system-x86_64") || arguments.isEmpty()) {
            return false;
        }
        String[] a = arguments.get();
        for (int i = 0; i + 1 < a.length; i++) {
            if (a[i].equals("-name") && a[i + 1].startsWith(NAME_PREFIX)) {
                return true;
            }
        }
        return false;
    }

    private static boolean orphaned(ProcessHandle p) {
        return p.parent().map(parent -> parent.pid() == 1 || !parent.isAlive()).orElse(true);
    }
}
