package org.egressaudit.harness.capture;

/**
 * Counters of a finished live capture. {@code received}/{@code dropped}/{@code droppedByInterface} come from
 * libpcap ({@code pcap_stats}): dropped = no room in the kernel buffer, droppedByInterface = dropped by the
 * driver. {@code fileLimitReached} means the capture stopped early because the file hit its size limit.
 */
public record CaptureStats(long received, long dropped, long droppedByInterface, long fileBytes,
                           boolean fileLimitReached) {

    /** True when every packet seen by the kernel reached the file. */
    public boolean complete() {
        return dropped == 0 && droppedByInterface == 0 && !fileLimitReached;
    }
}
