package org.egressaudit.analyzers.packet;

import org.egressaudit.analyzers.flow.FlowKey;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reassembles IPv4 and IPv6 fragments in capture time. IPv4 datagrams are keyed by (src, dst, id, protocol),
 * IPv6 by (src, dst, id) as RFC 8200 defines; the IPv6 transport protocol is taken from the first fragment.
 * <p>
 * Overlap policy: the first copy of a byte wins. An overlap whose bytes agree is counted as consistent; one
 * whose bytes differ is counted and reported as a conflict, since different end hosts resolve overlaps
 * differently and an attacker can use that to show the monitor other bytes than the receiver sees.
 * Fragments cut by the snap length still count as covering their declared range (the missing bytes stay
 * zero) and mark the datagram truncated. Limits come from {@link DefragConfig}; incomplete datagrams are
 * dropped on timeout, on eviction and at {@link #finish()}, each counted.
 */
public final class IpDefragmenter {

    /** Outcome of {@link #offer}. */
    public enum Offer {
        /** Stored; the datagram is not complete yet. */
        HELD,
        /** The datagram is complete: see {@link #reassembled()}. */
        COMPLETE,
        /** Dropped by a limit (oversized datagram, too many fragments, empty fragment). */
        REJECTED
    }

    /** A reassembled datagram's transport part: header and payload of {@code protocol} in data[0, length). */
    public record Reassembled(byte[] data, int length, int protocol, boolean truncated) {
        public ByteBuffer buffer() {
            return ByteBuffer.wrap(data, 0, length);
        }
    }

    private record Key(int version, long srcHi, long srcLo, long dstHi, long dstLo, long id, int protocol) {
    }

    private static final class Datagram {
        final long firstSeen;
        byte[] data = new byte[0];
        int totalLength = -1;
        int protocol = -1;
        int fragments;
        boolean truncated;
        // Covered byte ranges, sorted and merged.
        int[] starts = new int[4];
        int[] ends = new int[4];
        int ranges;

        Datagram(long firstSeen) {
            this.firstSeen = firstSeen;
        }

        int maxCovered() {
            return ranges == 0 ? 0 : ends[ranges - 1];
        }

        boolean complete() {
            return totalLength >= 0 && ranges == 1 && starts[0] == 0 && ends[0] == totalLength;
        }
    }

    private final DefragConfig config;
    private final DefragStats stats;
    private final LinkedHashMap<Key, Datagram> pending = new LinkedHashMap<>();
    private long pendingBytes;
    private long now = Long.MIN_VALUE;
    private Reassembled last;

    public IpDefragmenter() {
        this(DefragConfig.defaults());
    }

    public IpDefragmenter(DefragConfig config) {
        this.config = config;
        this.stats = new DefragStats(config.maxWarnings());
    }

    /**
     * Offers one fragment.
     *
     * @param protocol    IPv4 protocol field, or the IPv6 fragment header's next header
     * @param offsetBytes fragment offset in bytes
     * @param more        the more-fragments flag
     * @param off         index in {@code buf} of the fragment's data (after the IP / fragment header)
     * @param len         bytes of fragment data present in {@code buf}
     * @param declaredLen bytes of fragment data the IP header declares (more than {@code len} when snapped)
     */
    public Offer offer(int ipVersion, long srcHi, long srcLo, long dstHi, long dstLo, long id, int protocol,
                       int offsetBytes, boolean more, ByteBuffer buf, int off, int len, int declaredLen,
                       long tsNanos, long packetIndex) {
        stats.fragments++;
        if (tsNanos > now) {
            now = tsNanos;
        }
        expire(now);
        Key key = new Key(ipVersion, srcHi, srcLo, dstHi, dstLo, id, ipVersion == 6 ? 0 : protocol);
        int start = offsetBytes;
        int end = offsetBytes + declaredLen;
        if (declaredLen <= 0 && more) {
            warn(packetIndex, key, "empty non-final fragment at offset " + offsetBytes + "; dropped");
            return Offer.REJECTED;
        }
        Datagram d = pending.get(key);
        if (end > config.maxDatagramBytes()) {
            stats.oversized++;
            warn(packetIndex, key, "fragment at offset " + offsetBytes + " reaches byte " + end + ", beyond the "
                    + config.maxDatagramBytes() + "-byte limit; datagram dropped");
            if (d != null) {
                remove(key, d);
            }
            return Offer.REJECTED;
        }
        if (d == null) {
            makeRoom();
            d = new Datagram(tsNanos);
            pending.put(key, d);
        }
        if (++d.fragments > config.maxFragmentsPerDatagram()) {
            stats.tooManyFragments++;
            warn(packetIndex, key, "more than " + config.maxFragmentsPerDatagram() + " fragments; datagram dropped");
            remove(key, d);
            return Offer.REJECTED;
        }
        if (offsetBytes == 0) {
            d.protocol = protocol;
        }
        if (len < declaredLen) {
            d.truncated = true;
            stats.truncatedFragments++;
        }
        if (!more) {
            if (d.totalLength < 0) {
                if (d.maxCovered() > end) {
                    stats.inconsistentLength++;
                    warn(packetIndex, key, "last fragment ends at " + end + " but earlier fragments reach "
                            + d.maxCovered() + "; bytes past the end discarded");
                    clip(d, end);
                }
                d.totalLength = end;
            } else if (d.totalLength != end) {
                stats.inconsistentLength++;
                warn(packetIndex, key, "second last fragment ends at " + end + ", first said " + d.totalLength
                        + "; first kept");
                end = Math.min(end, d.totalLength);
            }
        }
        if (d.totalLength >= 0 && end > d.totalLength) {
            stats.inconsistentLength++;
            warn(packetIndex, key, "fragment at offset " + offsetBytes + " extends past the datagram end "
                    + d.totalLength + "; excess discarded");
            end = d.totalLength;
        }
        if (start < end) {
            ensureCapacity(d, end);
            merge(d, start, end, buf, off, len, packetIndex, key);
        }
        if (!d.complete()) {
            return Offer.HELD;
        }
        remove(key, d);
        stats.reassembled++;
        int proto = d.protocol >= 0 ? d.protocol : protocol;
        last = new Reassembled(d.data, d.totalLength, proto, d.truncated);
        return Offer.COMPLETE;
    }

    /** The datagram completed by the last {@link #offer} that returned {@link Offer#COMPLETE}. */
    public Reassembled reassembled() {
        return last;
    }

    /** Drops datagrams whose first fragment is older than the timeout at capture time {@code nowNanos}. */
    public void expire(long nowNanos) {
        Iterator<Map.Entry<Key, Datagram>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Datagram> e = it.next();
            if (nowNanos - e.getValue().firstSeen <= config.timeoutNanos()) {
                break; // insertion order is first-seen order
            }
            stats.timedOut++;
            warn(-1, e.getKey(), "incomplete datagram timed out");
            pendingBytes -= e.getValue().data.length;
            it.remove();
        }
    }

    /** End of capture: counts and drops every incomplete datagram. */
    public void finish() {
        for (Map.Entry<Key, Datagram> e : pending.entrySet()) {
            stats.incompleteAtEnd++;
            warn(-1, e.getKey(), "incomplete datagram at end of capture");
        }
        pending.clear();
        pendingBytes = 0;
    }

    public int pendingDatagrams() {
        return pending.size();
    }

    public DefragStats stats() {
        return stats;
    }

    private void merge(Datagram d, int start, int end, ByteBuffer buf, int off, int len, long packetIndex, Key key) {
        boolean conflict = false;
        boolean overlap = false;
        // Copy the uncovered gaps; compare the covered parts (first copy wins).
        int cursor = start;
        for (int i = 0; i < d.ranges && cursor < end; i++) {
            int rs = d.starts[i];
            int re = d.ends[i];
            if (re <= cursor) {
                continue;
            }
            if (rs >= end) {
                break;
            }
            if (rs > cursor) {
                copy(d, cursor, rs, start, buf, off, len);
            }
            int os = Math.max(rs, cursor);
            int oe = Math.min(re, end);
            overlap = true;
            for (int p = os; p < oe && !conflict; p++) {
                int srcIdx = p - start;
                if (srcIdx < len && buf.get(off + srcIdx) != d.data[p]) {
                    conflict = true;
                }
            }
            cursor = oe;
        }
        if (cursor < end) {
            copy(d, cursor, end, start, buf, off, len);
        }
        if (conflict) {
            stats.overlapsConflicting++;
            warn(packetIndex, key, "overlapping fragment at " + start + ".." + end
                    + " carries different bytes than an earlier fragment; first copy kept (possible evasion)");
        } else if (overlap) {
            stats.overlapsConsistent++;
        }
        addRange(d, start, end);
    }

    /** Copies fragment bytes for datagram range [from, to); bytes missing from the capture stay zero. */
    private static void copy(Datagram d, int from, int to, int fragStart, ByteBuffer buf, int off, int len) {
        int srcFrom = from - fragStart;
        int n = Math.min(to - from, len - srcFrom);
        if (n > 0) {
            buf.get(off + srcFrom, d.data, from, n);
        }
    }

    private static void addRange(Datagram d, int start, int end) {
        int n = d.ranges;
        int[] s = new int[n + 1];
        int[] e = new int[n + 1];
        int m = 0;
        boolean placed = false;
        for (int i = 0; i <= n; i++) {
            int rs;
            int re;
            if (!placed && (i == n || d.starts[i] > start)) {
                rs = start;
                re = end;
                placed = true;
                i--;
            } else if (i < n) {
                rs = d.starts[i];
                re = d.ends[i];
            } else {
                break;
            }
            if (m > 0 && rs <= e[m - 1]) {
                e[m - 1] = Math.max(e[m - 1], re);
            } else {
                s[m] = rs;
                e[m] = re;
                m++;
            }
        }
        d.starts = s;
        d.ends = e;
        d.ranges = m;
    }

    private static void clip(Datagram d, int end) {
        int m = 0;
        for (int i = 0; i < d.ranges; i++) {
            if (d.starts[i] < end) {
                d.starts[m] = d.starts[i];
                d.ends[m] = Math.min(d.ends[i], end);
                m++;
            }
        }
        d.ranges = m;
    }

    private void ensureCapacity(Datagram d, int end) {
        if (d.data.length >= end) {
            return;
        }
        int n = Math.min(config.maxDatagramBytes(), Math.max(end, Math.max(1500, d.data.length * 2)));
        pendingBytes += n - d.data.length;
        d.data = Arrays.copyOf(d.data, n);
        while (pendingBytes > config.maxTotalBytes() && pending.size() > 1) {
            evictOldestExcept(d);
        }
    }

    private void makeRoom() {
        while (pending.size() >= config.maxDatagrams()) {
            evictOldestExcept(null);
        }
    }

    private void evictOldestExcept(Datagram keep) {
        Iterator<Map.Entry<Key, Datagram>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Datagram> e = it.next();
            if (e.getValue() != keep) {
                stats.evicted++;
                warn(-1, e.getKey(), "incomplete datagram evicted to respect the reassembly limits");
                pendingBytes -= e.getValue().data.length;
                it.remove();
                return;
            }
        }
    }

    private void remove(Key key, Datagram d) {
        pending.remove(key);
        pendingBytes -= d.data.length;
    }

    private void warn(long packetIndex, Key key, String text) {
        if (!stats.wantsWarning()) {
            return;
        }
        String who = "IPv" + key.version() + " " + FlowKey.formatAddress(key.version(), key.srcHi(), key.srcLo())
                + " -> " + FlowKey.formatAddress(key.version(), key.dstHi(), key.dstLo()) + " id " + key.id();
        stats.warn((packetIndex >= 0 ? "packet " + packetIndex + ": " : "") + who + ": " + text);
    }
}
