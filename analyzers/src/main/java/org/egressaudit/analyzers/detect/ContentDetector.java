package org.egressaudit.analyzers.detect;

import java.util.List;

/**
 * A researcher's own recogniser of sensitive content (PII patterns, customer ids, key material...), run on every
 * object of the decode tree after the {@link ContentScanner}, so it sees the bytes at every layer: the raw body,
 * the gunzipped body, the base64-decoded header value, the zip member.
 *
 * <p>Detectors are found with {@link java.util.ServiceLoader}: list the implementation class in
 * {@code META-INF/services/org.egressaudit.analyzers.detect.ContentDetector} on the class path and the engine
 * uses it; nothing in the engine changes. Implementations need a public no-argument constructor and must be
 * stateless and thread-safe (transmissions are analysed in parallel).
 *
 * <p>What they return becomes findings exactly like policy markers: each distinct {@link Match#marker()} of an
 * object is one FAIL finding of kind MARKER, with the decode chain, the destination and an excerpt of the bytes.
 * Name markers so a reader knows the detector, e.g. {@code "pii:ssn"}.
 *
 * <p>The bytes are attacker-controlled. The engine protects itself (it catches exceptions and records them as a
 * note, drops matches outside the object, and keeps at most {@link ContentDetectors#MAX_MATCHES} per detector and
 * object), but a detector should still be linear in {@code len}: avoid backtracking regular expressions.
 */
public interface ContentDetector {

    /** Short name for notes and error messages, e.g. "ssn". */
    String name();

    /**
     * Recognitions in {@code data[off, off+len)}. Each must be {@link #marker(String, long, long)}-shaped: kind
     * MARKER, a non-blank marker text, {@code objectOffset} relative to {@code off} (0 is the object's first byte),
     * {@code length > 0}. Return an empty list (not null) when nothing is found. Never modify {@code data}.
     */
    List<Match> detect(byte[] data, int off, int len, DetectContext ctx);

    /** A MARKER match: {@code marker} found at {@code objectOffset} (relative to the object), {@code length} bytes. */
    static Match marker(String marker, long objectOffset, long length) {
        return new Match(MatchKind.MARKER, null, marker, objectOffset, length, -1);
    }
}
