package org.egressaudit.analyzers.engine;

/** What a finding says; the JSON name is {@link #id()}. */
public enum FindingKind {
    /** A planted file left the machine byte for byte. */
    WHOLE("whole"),
    /** A contiguous range of a planted file left the machine. */
    FRAGMENT("fragment"),
    /** A canary token or classification marking left the machine. */
    MARKER("marker"),
    /** More undecodable bytes went to one destination than the policy tolerates. */
    OPAQUE("opaque"),
    /** TCP segments disagreed about the bytes they carried: what the receiver read is uncertain (evasion). */
    AMBIGUOUS_OVERLAP("ambiguous-overlap"),
    /** Decoding stopped at a limit (decompression bomb, depth, budget): the rest was not inspected. */
    DECODE_LIMIT("decode-limit"),
    /** A transmission without planted content, where the policy does not allow metadata to leave. */
    METADATA("metadata");

    private final String id;

    FindingKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }
}
