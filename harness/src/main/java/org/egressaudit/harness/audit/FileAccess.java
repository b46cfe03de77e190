package org.egressaudit.harness.audit;

/**
 * One file the agent opened successfully.
 *
 * @param timestampNanos when, nanoseconds since the epoch (strace -ttt)
 * @param pid            process that opened it
 * @param path           the path as passed to open/openat (absolute for the corpus paths we report)
 * @param write          opened for writing (O_WRONLY/O_RDWR/O_CREAT)
 */
public record FileAccess(long timestampNanos, int pid, String path, boolean write) {
}
