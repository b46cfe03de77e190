package org.egressaudit.analyzers.flow;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reassembles one direction of a TCP connection into an ordered byte stream for a {@link StreamListener}.
 *
 * <p><b>Offsets.</b> Stream offsets are 64-bit. A 32-bit sequence number is unwrapped to the offset closest
 * to the next expected one, so streams longer than 4 GiB and sequence wrap-around work. Offset 0 is the byte
 * after the SYN's ISN, or the first byte seen on a mid-stream pickup; bytes later seen below offset 0 are
 * counted and ignored. SYN and FIN each take one sequence number. Segments more than 1 GiB (the largest
 * scaled TCP window) ahead of the expected offset are implausible and ignored (counted).
 *
 * <p><b>Delivery.</b> In-order bytes are passed to the listener as the packet's own buffer range (no copy).
 * Out-of-order bytes are copied into a buffer of disjoint pieces and delivered once the hole before them is
 * filled. A copy of recently delivered bytes is kept in a bounded {@link DeliveredHistory} only to compare
 * re-sent bytes.
 *
 * <p><b>Overlap policy: FIRST COPY WINS.</b> Bytes already delivered, or already buffered out of order, are
 * kept. A later copy of the same range is compared with them: identical bytes are counted as retransmitted;
 * different bytes become an {@link OverlapConflict} (the kept and the alternate copy, bounded) so the engine can
 * analyse the bytes a receiver with another policy (or one that never saw the first copy, e.g. because it had a
 * bad checksum or a short TTL) would have read. The new, non-overlapping parts of a segment are still used.
 * A one-byte segment just below the expected offset is a keep-alive or window probe and is not compared.
 * Re-sent bytes older than the kept history cannot be compared and are counted as such.
 *
 * <p><b>Gaps are never glued.</b> When data must be delivered past a hole, {@link StreamListener#onGap} is
 * called first. This happens when an out-of-order cap is reached (the hole is skipped, the buffered data
 * delivered, and the stream continues; bytes that later arrive for the skipped range are counted as truncated),
 * when the packet before the hole was cut by the capture's snap length (the missing bytes cannot arrive), and
 * when the direction ends (FIN acknowledged by the peer, RST, idle timeout, eviction, end of capture). At the
 * end the FIN's position and the peer's highest ACK are evidence of bytes that were sent but not captured; they
 * are reported as a trailing gap (an ACK exactly one past the last byte is taken as an unseen FIN).
 *
 * <p><b>End.</b> A FIN ends the direction once every byte before it is delivered; a hole before the FIN is waited
 * for until the peer acknowledges the FIN (then it cannot be retransmitted any more) or the connection ends
 * otherwise. Bytes after the FIN or after the end are counted as truncated. {@link StreamListener#onEnd} is
 * called exactly once.
 */
final class TcpReassembler {
    private static final long SEQ_MASK = 0xFFFF_FFFFL;
    private static final long MAX_FORWARD_JUMP = 1L << 30;
    private static final int MAX_FORCED_GAPS = 16;

    private final Direction direction;
    private final StreamListener listener;
    private final ReassemblyConfig config;
    private final ReassemblyBudget bufferBudget;
    private final FlowCounters counters;
    private final OverlapSink overlaps;
    private final DeliveredHistory history;

    private boolean started;
    private boolean synSeen;
    private long baseSeq;
    private long next;
    private boolean ackSeen;
    private long peerAck;
    private boolean finSeen;
    private long finOffset;
    private boolean ended;
    /** Offset at which the last delivered packet was cut by the snap length, or -1. */
    private long snapCutAt = -1;

    private TreeMap<Long, Piece> buffered;
    private long bufferedCost;
    /** Ranges skipped because of a cap, as [start, end) pairs; late bytes in them are truncation. */
    private long[] forcedGaps;
    private int forcedGapCount;

    long packets;
    long deliveredBytes;
    long missingBytes;
    long truncatedBytes;
    long retransmittedBytes;

    TcpReassembler(Direction direction, StreamListener listener, ReassemblyConfig config,
                   ReassemblyBudget bufferBudget, ReassemblyBudget historyBudget, FlowCounters counters,
                   OverlapSink overlaps) {
        this.direction = direction;
        this.listener = listener;
        this.config = config;
        this.bufferBudget = bufferBudget;
        this.counters = counters;
        this.overlaps = overlaps;
        this.history = new DeliveredHistory(config.retransmitCheckBytesPerDirection(), historyBudget);
    }

    boolean started() {
        return started;
    }

    boolean ended() {
        return ended;
    }

    boolean synSeen() {
        return synSeen;
    }

    /** Next offset to deliver. */
    long nextOffset() {
        return next;
    }

    /** Starts the stream so that {@code seq} is offset 0 (first data byte). */
    void startAt(long seq) {
        if (!started) {
            started = true;
            baseSeq = seq & SEQ_MASK;
            next = 0;
            history.restartAt(0);
        }
    }

    /** A SYN with initial sequence number {@code isn}. Returns false when it does not fit this stream. */
    boolean onSyn(long isn) {
        long first = (isn + 1) & SEQ_MASK;
        if (!started) {
            startAt(first);
            synSeen = true;
            return true;
        }
        return synSeen && first == baseSeq;
    }

    /** Unwraps a 32-bit sequence number to the 64-bit offset nearest the next expected one. */
    long unwrap(long seq) {
        long expected = (baseSeq + next) & SEQ_MASK;
        return next + (int) ((seq - expected) & SEQ_MASK);
    }

    /** The peer acknowledged everything below {@code ack}. */
    void onPeerAck(long ack, long ts) {
        if (!started || ended) {
            return;
        }
        long a = unwrap(ack);
        if (a > next + MAX_FORWARD_JUMP) {
            return;
        }
        if (!ackSeen || a > peerAck) {
            ackSeen = true;
            peerAck = a;
        }
        if (finSeen && peerAck > finOffset) {
            // The peer has the FIN, so it had every byte: holes will not be retransmitted.
            finish(StreamEnd.FIN, ts);
        }
    }

    /**
     * One segment: {@code len} bytes of {@code buf} at {@code off} starting at sequence number {@code seq}
     * (already past the SYN), then a FIN if {@code fin}.
     */
    void onSegment(ByteBuffer buf, int off, int len, long seq, boolean fin, boolean snapCut, long ts,
                   long packetIndex) {
        if (!started) {
            startAt(seq);
        }
        long s = unwrap(seq);
        if (ended) {
            long endOffset = finSeen ? finOffset : next;
            long after = Math.max(0, s + len - Math.max(s, endOffset));
            truncate(after);
            return;
        }
        if (s > next + MAX_FORWARD_JUMP) {
            counters.segmentsOutOfWindow++;
            return;
        }
        if (len > 0) {
            onData(buf, off, len, s, snapCut, ts, packetIndex);
        }
        if (fin && !ended) {
            onFin(s + len, ts);
        }
        endIfFinReached(ts);
    }

    private void onData(ByteBuffer buf, int off, int len, long s, boolean snapCut, long ts, long packetIndex) {
        long e = s + len;
        if (s < 0) {
            long before = Math.min(e, 0) - s;
            counters.bytesBeforeStreamStart += before;
            if (e <= 0) {
                return;
            }
            off += (int) before;
            s = 0;
        }
        if (finSeen && e > finOffset) {
            long after = e - Math.max(s, finOffset);
            truncate(after);
            e = finOffset;
            snapCut = false;
            if (s >= e) {
                return;
            }
        }
        if (e - s == 1 && s == next - 1) {
            counters.keepAliveSegments++;
            return;
        }
        processRange(buf, off, s, e, snapCut, ts, packetIndex);
    }

    private void processRange(ByteBuffer buf, int off, long s, long e, boolean snapCut, long ts, long packetIndex) {
        // Each pass either returns or moves next forward, so this ends.
        while (true) {
            if (s < next) {
                long upTo = Math.min(e, next);
                compareDelivered(buf, off, s, upTo, ts, packetIndex);
                off += (int) (upTo - s);
                s = upTo;
                if (s >= e) {
                    return;
                }
            }
            if (s == next) {
                deliverFromPacket(buf, off, s, e, snapCut, ts, packetIndex);
                return;
            }
            boolean bufferEmpty = buffered == null || buffered.isEmpty();
            if (snapCutAt == next) {
                // The hole's bytes were on the wire but cut by the capture's snap length: they cannot arrive.
                long to = bufferEmpty ? s : Math.min(s, buffered.firstKey());
                gap(next, to - next, ts);
                drainContiguous();
                continue;
            }
            if (tryBuffer(buf, off, s, e, snapCut, ts, packetIndex)) {
                return;
            }
            // A cap is reached: skip the first hole and deliver what follows it, then try again.
            forcedGap(bufferEmpty ? s : buffered.firstKey(), ts);
            drainContiguous();
        }
    }

    /** Delivers {@code [s, e)} from the packet (s == next), letting earlier buffered copies win where they overlap. */
    private void deliverFromPacket(ByteBuffer buf, int off, long s, long e, boolean snapCut, long ts,
                                   long packetIndex) {
        while (s < e) {
            Map.Entry<Long, Piece> first = buffered == null ? null : buffered.firstEntry();
            if (first == null || first.getKey() >= e) {
                deliver(buf, off, (int) (e - s), ts);
                snapCutAt = snapCut ? e : -1;
                break;
            }
            Piece piece = first.getValue();
            if (piece.start > s) {
                int n = (int) (piece.start - s);
                deliver(buf, off, n, ts);
                off += n;
                s += n;
            }
            long overlapEnd = Math.min(e, piece.end);
            compare(piece.bytes, 0, buf, off, (int) (overlapEnd - s), s, ts, packetIndex);
            off += (int) (overlapEnd - s);
            s = overlapEnd;
            deliverPiece(buffered.pollFirstEntry().getValue());
        }
        drainContiguous();
    }

    private void drainContiguous() {
        while (buffered != null && !buffered.isEmpty() && buffered.firstKey() == next) {
            deliverPiece(buffered.pollFirstEntry().getValue());
        }
    }

    private void deliverPiece(Piece piece) {
        release(piece);
        deliver(ByteBuffer.wrap(piece.bytes), 0, piece.bytes.length, piece.timestampNanos);
        snapCutAt = piece.snapCut ? next : -1;
    }

    private void deliver(ByteBuffer buf, int off, int len, long ts) {
        long at = next;
        listener.onData(buf, off, len, at, ts);
        history.record(buf, off, len);
        next = at + len;
        deliveredBytes += len;
    }

    private void gap(long start, long length, long ts) {
        listener.onGap(start, length, ts);
        missingBytes += length;
        next = start + length;
        history.restartAt(next);
        snapCutAt = -1;
    }

    /** A cap forces skipping the hole {@code [next, to)}: remember it so late bytes count as truncated. */
    private void forcedGap(long to, long ts) {
        counters.forcedGaps++;
        if (forcedGaps == null) {
            forcedGaps = new long[2 * MAX_FORCED_GAPS];
        }
        if (forcedGapCount == MAX_FORCED_GAPS) {
            System.arraycopy(forcedGaps, 2, forcedGaps, 0, forcedGaps.length - 2);
            forcedGapCount--;
        }
        forcedGaps[2 * forcedGapCount] = next;
        forcedGaps[2 * forcedGapCount + 1] = to;
        forcedGapCount++;
        gap(next, to - next, ts);
    }

    /** Bytes {@code [s, e)} below {@code next}: compare with the kept history, or account for them. */
    private void compareDelivered(ByteBuffer buf, int off, long s, long e, long ts, long packetIndex) {
        long historyStart = Math.max(s, history.start());
        if (historyStart < e) {
            int len = (int) (e - historyStart);
            int at = off + (int) (historyStart - s);
            int mismatch = history.mismatch(historyStart, buf, at, len);
            if (mismatch < 0) {
                retransmitted(len);
            } else {
                retransmitted(mismatch);
                int n = Math.min(len - mismatch, config.maxOverlapConflictBytes());
                byte[] alternate = new byte[n];
                buf.get(at + mismatch, alternate, 0, n);
                conflict(historyStart + mismatch, ts, packetIndex, history.copy(historyStart + mismatch, n), alternate);
            }
            e = historyStart;
        }
        if (s >= e) {
            return;
        }
        long late = lateInForcedGaps(s, e);
        truncate(late);
        missingBytes -= late;
        counters.overlapBytesNotCompared += (e - s) - late;
    }

    /** Counts and removes the parts of forced-gap ranges covered by {@code [s, e)}. */
    private long lateInForcedGaps(long s, long e) {
        long total = 0;
        for (int i = 0; i < forcedGapCount; i++) {
            long gs = forcedGaps[2 * i];
            long ge = forcedGaps[2 * i + 1];
            long from = Math.max(s, gs);
            long to = Math.min(e, ge);
            if (from >= to) {
                continue;
            }
            total += to - from;
            // Keep the larger uncovered side; the other (if any) is forgotten, which only under-counts.
            if (from - gs >= ge - to) {
                forcedGaps[2 * i + 1] = from;
            } else {
                forcedGaps[2 * i] = to;
            }
        }
        return total;
    }

    /** Compares a later copy ({@code buf}) with kept bytes ({@code kept}); first copy wins. */
    private void compare(byte[] kept, int keptOff, ByteBuffer buf, int off, int len, long streamOffset, long ts,
                         long packetIndex) {
        for (int i = 0; i < len; i++) {
            if (kept[keptOff + i] != buf.get(off + i)) {
                retransmitted(i);
                int n = Math.min(len - i, config.maxOverlapConflictBytes());
                byte[] keptCopy = new byte[n];
                System.arraycopy(kept, keptOff + i, keptCopy, 0, n);
                byte[] alternate = new byte[n];
                buf.get(off + i, alternate, 0, n);
                conflict(streamOffset + i, ts, packetIndex, keptCopy, alternate);
                return;
            }
        }
        retransmitted(len);
    }

    private void retransmitted(long n) {
        retransmittedBytes += n;
        counters.retransmittedBytes += n;
    }

    private void conflict(long streamOffset, long ts, long packetIndex, byte[] kept, byte[] alternate) {
        overlaps.onConflict(direction, streamOffset, ts, packetIndex, kept, alternate);
    }

    private void truncate(long n) {
        truncatedBytes += n;
        counters.outOfOrderBytesTruncated += n;
    }

    /**
     * Buffers the new parts of {@code [s, e)} (s > next) and compares the parts already buffered.
     * Returns false, changing nothing, when the new parts do not fit the caps.
     */
    private boolean tryBuffer(ByteBuffer buf, int off, long s, long e, boolean snapCut, long ts, long packetIndex) {
        if (buffered == null) {
            buffered = new TreeMap<>();
        }
        Long from = buffered.floorKey(s);
        Iterable<Piece> overlapping = buffered.subMap(from == null ? s : from, true, e, false).values();
        long cost = 0;
        long cur = s;
        for (Piece p : overlapping) {
            if (p.start > cur) {
                cost += p.start - cur + ReassemblyConfig.SEGMENT_OVERHEAD_BYTES;
            }
            cur = Math.max(cur, p.end);
        }
        if (cur < e) {
            cost += e - cur + ReassemblyConfig.SEGMENT_OVERHEAD_BYTES;
        }
        if (cost > 0) {
            if (bufferedCost + cost > config.maxOutOfOrderBytesPerDirection() || !bufferBudget.tryReserve(cost)) {
                return false;
            }
            bufferedCost += cost;
        }
        List<Piece> added = new ArrayList<>(2);
        cur = s;
        for (Iterator<Piece> it = overlapping.iterator(); it.hasNext(); ) {
            Piece p = it.next();
            if (p.start > cur) {
                added.add(copyPiece(buf, off + (int) (cur - s), cur, p.start, false, ts));
            }
            long overlapStart = Math.max(cur, p.start);
            long overlapEnd = Math.min(e, p.end);
            if (overlapStart < overlapEnd) {
                compare(p.bytes, (int) (overlapStart - p.start), buf, off + (int) (overlapStart - s),
                        (int) (overlapEnd - overlapStart), overlapStart, ts, packetIndex);
            }
            cur = Math.max(cur, p.end);
        }
        if (cur < e) {
            added.add(copyPiece(buf, off + (int) (cur - s), cur, e, snapCut, ts));
        }
        for (Piece p : added) {
            buffered.put(p.start, p);
        }
        return true;
    }

    private static Piece copyPiece(ByteBuffer buf, int off, long start, long end, boolean snapCut, long ts) {
        byte[] bytes = new byte[(int) (end - start)];
        buf.get(off, bytes, 0, bytes.length);
        return new Piece(start, end, bytes, snapCut, ts);
    }

    private void release(Piece piece) {
        long cost = piece.bytes.length + (long) ReassemblyConfig.SEGMENT_OVERHEAD_BYTES;
        bufferedCost -= cost;
        bufferBudget.release(cost);
    }

    private void onFin(long at, long ts) {
        if (finSeen || at < next) {
            return;
        }
        finSeen = true;
        finOffset = at;
        // Buffered bytes after the FIN cannot belong to this stream.
        while (buffered != null && !buffered.isEmpty() && buffered.lastEntry().getValue().end > finOffset) {
            Piece last = buffered.pollLastEntry().getValue();
            release(last);
            long keep = Math.max(0, finOffset - last.start);
            truncate(last.bytes.length - keep);
            if (keep > 0) {
                byte[] head = new byte[(int) keep];
                System.arraycopy(last.bytes, 0, head, 0, head.length);
                Piece trimmed = new Piece(last.start, finOffset, head, false, last.timestampNanos);
                long cost = keep + ReassemblyConfig.SEGMENT_OVERHEAD_BYTES;
                bufferBudget.tryReserve(cost); // cannot fail: less than what was just released
                bufferedCost += cost;
                buffered.put(trimmed.start, trimmed);
            }
        }
        if (ackSeen && peerAck > finOffset) {
            finish(StreamEnd.FIN, ts);
        }
    }

    private void endIfFinReached(long ts) {
        if (finSeen && !ended && next == finOffset) {
            end(StreamEnd.FIN, ts);
        }
    }

    /**
     * Ends this direction now: delivers everything buffered with gaps for the holes, reports bytes the FIN or the
     * peer's ACK prove were sent but not captured as a trailing gap, then calls {@link StreamListener#onEnd}.
     * A direction whose FIN was seen ends with {@link StreamEnd#FIN} unless it is reset.
     */
    void finish(StreamEnd reason, long ts) {
        if (ended) {
            return;
        }
        if (started) {
            while (buffered != null && !buffered.isEmpty()) {
                long start = buffered.firstKey();
                if (start > next) {
                    gap(next, start - next, ts);
                }
                drainContiguous();
            }
            long evidenceEnd = next;
            if (finSeen) {
                evidenceEnd = finOffset;
            } else if (ackSeen && peerAck > next + 1) {
                evidenceEnd = peerAck; // an ACK of next + 1 is taken as an unseen FIN, not a missing byte
            }
            if (evidenceEnd > next) {
                gap(next, evidenceEnd - next, ts);
            }
        }
        end(finSeen && reason != StreamEnd.RST ? StreamEnd.FIN : reason, ts);
    }

    private void end(StreamEnd reason, long ts) {
        ended = true;
        history.release();
        listener.onEnd(reason, ts);
    }

    /** Stream offset of a sequence number, for deciding whether a late segment repeats old data. */
    boolean isBelowEnd(long seq, int len) {
        if (!started) {
            return false;
        }
        long endOffset = finSeen ? finOffset + 1 : next;
        return unwrap(seq) + len <= endOffset;
    }

    /** Distance of a sequence number from the next expected one, in bytes (absolute). */
    long distanceFromNext(long seq) {
        return Math.abs(unwrap(seq) - next);
    }

    private record Piece(long start, long end, byte[] bytes, boolean snapCut, long timestampNanos) {
    }
}
