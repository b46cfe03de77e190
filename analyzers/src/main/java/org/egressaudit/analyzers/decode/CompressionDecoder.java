package org.egressaudit.analyzers.decode;

import org.egressaudit.analyzers.content.ContentObject;

/**
 * A compressed stream recognised by its magic number (gzip, zlib, zstd, bzip2, xz), decoded into one child
 * named after the format. Raw deflate and brotli have no magic and are only decoded when declared
 * ({@link ContentEncodingDecoder}).
 */
abstract class CompressionDecoder implements ContentDecoder {

    @Override
    public boolean accepts(ContentObject o) {
        return matches(o.data(), o.offset(), o.length());
    }

    @Override
    public void decode(ContentObject o, DecodeContext ctx) {
        BoundedSink sink = new BoundedSink(ctx, o.length());
        String name = run(o.data(), o.offset(), o.length(), sink, ctx);
        if (sink.size() == 0 && weakMagic()) {
            return; // two bytes that merely looked like a header: not worth a note
        }
        sink.emit(o, name(), name, sink.size(), null);
    }

    /** True when the bytes start with this format's magic. */
    abstract boolean matches(byte[] d, int off, int len);

    /** Decodes into the sink; returns the original file name when the format records one. */
    abstract String run(byte[] d, int off, int len, BoundedSink sink, DecodeContext ctx);

    /** Formats whose magic is short enough to appear by chance stay silent when nothing decodes. */
    boolean weakMagic() {
        return false;
    }
}
