package org.egressaudit.analyzers.protocol.dns;

/**
 * Limits on DNS parsing and label assembly: everything here is attacker-controlled.
 *
 * @param maxPointerHops         compression pointers followed while reading one name (default 64); more is a loop
 * @param maxQuestions           questions parsed per message (default 32)
 * @param maxRecords             resource records parsed per message (default 256)
 * @param maxLabelGroups         parent domains tracked by the label assembler (default 4096)
 * @param maxBytesPerGroup       name bytes kept per parent domain (default 16 MiB)
 * @param maxLabelBytesTotal     name bytes kept by the assembler over all groups (default 64 MiB)
 * @param minAssembledChars      shortest label concatenation emitted as a transmission (default 16)
 * @param retransmitWindowNanos  a name repeated within this time is a retransmission (default 5 s)
 * @param maxCounterLabelChars   longest label taken for a sequence counter (default 8)
 */
public record DnsLimits(int maxPointerHops, int maxQuestions, int maxRecords, int maxLabelGroups,
                        long maxBytesPerGroup, long maxLabelBytesTotal, int minAssembledChars,
                        long retransmitWindowNanos, int maxCounterLabelChars) {

    public static final DnsLimits DEFAULTS = new DnsLimits(64, 32, 256, 4096, 16L << 20, 64L << 20, 16,
            5_000_000_000L, 8);

    public DnsLimits {
        if (maxPointerHops < 1 || maxQuestions < 1 || maxRecords < 0 || maxLabelGroups < 1 || maxBytesPerGroup < 256
                || maxLabelBytesTotal < maxBytesPerGroup || minAssembledChars < 1 || retransmitWindowNanos < 0
                || maxCounterLabelChars < 1 || maxCounterLabelChars > 15) {
            throw new IllegalArgumentException("DNS limits out of range: " + this);
        }
    }
}
