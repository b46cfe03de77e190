package org.egressaudit.analyzers.packet;

/**
 * Limits of {@link IpDefragmenter}; every dimension an attacker controls is bounded.
 *
 * @param maxDatagrams             datagrams being reassembled at once (default 4096); the oldest is evicted
 * @param maxDatagramBytes         largest reassembled payload (default 65535); a fragment beyond it drops
 *                                 the datagram (ping-of-death style oversize)
 * @param maxTotalBytes            memory of all pending datagrams together (default 64 MiB); oldest evicted
 * @param timeoutNanos             capture time a datagram may wait for missing fragments (default 60 s)
 * @param maxFragmentsPerDatagram  fragments accepted for one datagram (default 1024)
 * @param maxWarnings              warning texts kept (default 20)
 */
public record DefragConfig(int maxDatagrams, int maxDatagramBytes, long maxTotalBytes, long timeoutNanos,
                           int maxFragmentsPerDatagram, int maxWarnings) {

    public DefragConfig {
        if (maxDatagrams < 1 || maxDatagramBytes < 8 || maxTotalBytes < maxDatagramBytes || timeoutNanos <= 0
                || maxFragmentsPerDatagram < 2 || maxWarnings < 0) {
            throw new IllegalArgumentException("invalid defragmentation limits: datagrams " + maxDatagrams
                    + ", datagram bytes " + maxDatagramBytes + ", total bytes " + maxTotalBytes + ", timeout ns "
                    + timeoutNanos + ", fragments " + maxFragmentsPerDatagram + ", warnings " + maxWarnings);
        }
    }

    public static DefragConfig defaults() {
        return new DefragConfig(4096, 65535, 64L << 20, 60_000_000_000L, 1024, 20);
    }
}
