package org.egressaudit.analyzers.decode;

import org.egressaudit.analyzers.content.ContentObject;

/**
 * One decoding step of the decode tree (chunked, gzip, base64 run, zip member...). Decoders are found with
 * {@link java.util.ServiceLoader} (META-INF/services/org.egressaudit.analyzers.decode.ContentDecoder), so a
 * new one can be added without touching the engine. Implementations are stateless and thread-safe.
 *
 * <p>Bad input is evidence, not an error: a decoder that meets corrupt or truncated data keeps what it decoded
 * so far as a truncated child and adds a note; it never throws for attacker-controlled input. Output sizes
 * must stay within {@link DecodeContext#remainingObjectBytes()} and the expansion ratio: past them, stop,
 * keep the output so far as truncated, and note "decode-limit: ..." (decompression bomb) on the object.
 *
 * <p>The engine tries accepting decoders in {@link #priority()} order and stops at the first one that adds a
 * child: each object is decoded one way, so bytes are not counted twice.
 */
public interface ContentDecoder {

    /** Layer name shown in decode chains, e.g. "gzip", "base64", "7z". */
    String name();

    /**
     * Order among decoders that accept the same object: lower runs first. Decoders of declared encodings
     * (HTTP Content-Encoding) use 0..99, container formats 100..199, text-embedded encodings 200..299.
     */
    default int priority() {
        return 150;
    }

    /** Cheap check on the object's sniffed type, hints and first bytes. */
    boolean accepts(ContentObject object);

    /** Adds zero or more children to {@code object} through {@link DecodeContext#child}. */
    void decode(ContentObject object, DecodeContext context);
}
