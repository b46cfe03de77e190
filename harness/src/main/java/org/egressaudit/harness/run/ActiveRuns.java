package org.egressaudit.harness.run;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resources of runs in progress (containers, networks, iptables rules, listeners, captures), torn down in reverse
 * order by a JVM shutdown hook when the harness is interrupted (Ctrl-C, SIGTERM): with Ryuk disabled nothing else
 * would remove them.
 */
final class ActiveRuns {
    private static final Set<Deque<AutoCloseable>> RUNS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ActiveRuns::closeAll, "egress-audit-cleanup"));
    }

    private ActiveRuns() {
    }

    /** A stack of one run's resources; close it with {@link #release}. */
    static Deque<AutoCloseable> register() {
        Deque<AutoCloseable> stack = new ArrayDeque<>();
        RUNS.add(stack);
        return stack;
    }

    /** Closes one run's resources, last acquired first; returns the failures as text. */
    static java.util.List<String> release(Deque<AutoCloseable> stack) {
        java.util.List<String> failures = new java.util.ArrayList<>();
        synchronized (stack) {
            while (!stack.isEmpty()) {
                AutoCloseable c = stack.pop();
                try {
                    c.close();
                } catch (Exception e) {
                    failures.add(c + ": " + e.getMessage());
                }
            }
        }
        RUNS.remove(stack);
        return failures;
    }

    private static void closeAll() {
        for (Deque<AutoCloseable> stack : RUNS) {
            release(stack);
        }
    }
}
