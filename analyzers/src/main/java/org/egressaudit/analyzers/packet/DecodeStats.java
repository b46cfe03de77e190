package org.egressaudit.analyzers.packet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Counters of {@link PacketDecoder}: packets decoded, packets not delivered by reason, anomalies that were
 * tolerated, and the first warning texts. Counting allocates nothing; only the first {@link #maxWarnings}
 * warnings build a string.
 */
public final class DecodeStats {

    /** Why {@link PacketDecoder#decode} returned false. */
    public enum Reason {
        /** The capture's link type is not one the decoder understands. */
        UNSUPPORTED_LINK_TYPE,
        /** The frame is shorter than its link-layer header (including VLAN tags). */
        LINK_HEADER_TRUNCATED,
        /** A non-IP frame (ARP, LLDP, 802.3 LLC, unknown loopback family...). Normal traffic, no warning. */
        NOT_IP,
        /** More stacked VLAN tags than the decoder accepts. */
        TOO_MANY_VLAN_TAGS,
        /** IP version nibble does not match the link layer's claim. */
        BAD_IP_VERSION,
        IPV4_HEADER_TRUNCATED,
        /** IHL below 5 or total length below the header length. */
        BAD_IPV4_HEADER,
        IPV6_HEADER_TRUNCATED,
        EXTENSION_HEADER_TRUNCATED,
        TOO_MANY_EXTENSION_HEADERS,
        /** A fragment header inside an already reassembled IPv6 datagram. */
        NESTED_FRAGMENT,
        TRANSPORT_HEADER_TRUNCATED,
        BAD_TCP_DATA_OFFSET,
        BAD_UDP_LENGTH,
        /** Not an error: the fragment was stored until its datagram is complete. */
        FRAGMENT_HELD,
        /** The defragmenter refused the fragment (limits, oversized datagram). */
        FRAGMENT_REJECTED
    }

    /** Tolerated oddities: the packet was still decoded. */
    public enum Anomaly {
        /** IPv4 total length / IPv6 payload length claims more bytes than the (un-snapped) frame holds. */
        IP_LENGTH_EXCEEDS_FRAME,
        /** IPv4 total length 0 (TCP segmentation offload on the capturing host): the captured length is used. */
        IP_LENGTH_ZERO,
        /** UDP length field larger than the IP payload. */
        UDP_LENGTH_EXCEEDS_IP,
        /** Opaque transport: ESP, no-next-header or an IP protocol other than TCP/UDP/ICMP. */
        OPAQUE_TRANSPORT
    }

    private final int maxWarnings;
    private final long[] failures = new long[Reason.values().length];
    private final long[] anomalies = new long[Anomaly.values().length];
    private final List<String> warnings = new ArrayList<>();
    private long decoded;
    private long reassembled;
    private long truncatedPayloads;

    public DecodeStats(int maxWarnings) {
        this.maxWarnings = maxWarnings;
    }

    void decoded(boolean wasReassembled, boolean truncated) {
        decoded++;
        if (wasReassembled) {
            reassembled++;
        }
        if (truncated) {
            truncatedPayloads++;
        }
    }

    void fail(Reason reason) {
        failures[reason.ordinal()]++;
    }

    void anomaly(Anomaly a) {
        anomalies[a.ordinal()]++;
    }

    boolean wantsWarning() {
        return warnings.size() < maxWarnings;
    }

    void warn(String text) {
        if (warnings.size() < maxWarnings) {
            warnings.add(text);
        }
    }

    /** Packets for which decode returned true (including reassembled datagrams). */
    public long decoded() {
        return decoded;
    }

    public long reassembled() {
        return reassembled;
    }

    /** Decoded packets whose transport payload was cut by the snap length or missing bytes. */
    public long truncatedPayloads() {
        return truncatedPayloads;
    }

    public long failures(Reason reason) {
        return failures[reason.ordinal()];
    }

    public long anomalies(Anomaly anomaly) {
        return anomalies[anomaly.ordinal()];
    }

    /** Packets not delivered for any reason, fragments held for reassembly included. */
    public long notDelivered() {
        long n = 0;
        for (long f : failures) {
            n += f;
        }
        return n;
    }

    /** Non-zero failure counters, for reports. */
    public Map<Reason, Long> failureCounts() {
        Map<Reason, Long> m = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            if (failures[r.ordinal()] > 0) {
                m.put(r, failures[r.ordinal()]);
            }
        }
        return m;
    }

    public Map<Anomaly, Long> anomalyCounts() {
        Map<Anomaly, Long> m = new EnumMap<>(Anomaly.class);
        for (Anomaly a : Anomaly.values()) {
            if (anomalies[a.ordinal()] > 0) {
                m.put(a, anomalies[a.ordinal()]);
            }
        }
        return m;
    }

    /** The first warnings, each naming the packet index and file offset. */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    @Override
    public String toString() {
        return "DecodeStats{decoded=" + decoded + ", reassembled=" + reassembled + ", failures=" + failureCounts()
                + ", anomalies=" + anomalyCounts() + "}";
    }
}
