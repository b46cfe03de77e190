/**
 * Per-process attribution: which process in the sandbox made each connection and DNS query.
 *
 * <p>Two sources, both read from the host. {@link org.egressaudit.harness.attribution.StraceNetworkParser} reads
 * the file-activity audit's strace log (scenarios with {@code agent.auditFiles}); it is exact for the agent's start
 * command and everything it forks, because strace records the call itself. It needs strace run with
 * {@code -yy -e trace=open,openat,openat2,execve,connect,sendto,sendmsg,sendmmsg}; adding
 * {@code clone,clone3,fork,vfork} lets a thread's or a forked child's calls be named after its process even when
 * sampling never saw it. strace shortens strings to 32 characters unless given {@code -s}, so argument lists from
 * strace may be cut (flagged), and sampling's full command line is used when it saw the same process.
 *
 * <p>{@link org.egressaudit.harness.attribution.ProcSocketSampler} samples every few tens of milliseconds which
 * process holds which socket. It covers processes strace does not follow (daemons started by the image) and costs
 * the agent nothing, but it misses sockets that open and close between two samples: a single DNS query or a
 * short HTTP request often does. Such connections are reported unattributed, with that reason.
 *
 * <p>VM guests' processes are not visible from the host: their connections are reported unattributed.
 */
package org.egressaudit.harness.attribution;
