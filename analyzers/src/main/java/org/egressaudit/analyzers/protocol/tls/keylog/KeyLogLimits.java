package org.egressaudit.analyzers.protocol.tls.keylog;

/**
 * Limits of key log parsing; a key log is user input but may also come out of a capture file (pcapng DSB).
 *
 * @param maxBytes       largest key log text accepted (default 64 MiB, about 300,000 TLS 1.3 sessions)
 * @param maxLineLength  longer lines are malformed (default 1024; the longest valid line is about 230 characters)
 * @param maxSessions    sessions kept at most (default 1,000,000); further ones are counted as dropped
 * @param maxProblems    malformed-line descriptions kept for warnings (default 20); all are counted
 */
public record KeyLogLimits(long maxBytes, int maxLineLength, int maxSessions, int maxProblems) {

    public static final KeyLogLimits DEFAULTS = new KeyLogLimits(64L << 20, 1024, 1_000_000, 20);

    public KeyLogLimits {
        if (maxBytes < 1024 || maxLineLength < 256 || maxSessions < 1 || maxProblems < 0) {
            throw new IllegalArgumentException("key log limits out of range: " + this);
        }
    }
}
