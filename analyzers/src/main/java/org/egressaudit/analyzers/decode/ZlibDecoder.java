package org.egressaudit.analyzers.decode;

/** zlib (RFC 1950) recognised by a 0x78 header byte whose check bits are valid. */
public final class ZlibDecoder extends CompressionDecoder {
    @Override
    public String name() {
        return "zlib";
    }

    @Override
    public int priority() {
        return 111;
    }

    @Override
    boolean matches(byte[] d, int off, int len) {
        // Header, at least an empty block, and the Adler-32.
        return len >= 8 && d[off] == 0x78 && Decompressors.isZlib(d, off, len);
    }

    @Override
    String run(byte[] d, int off, int len, BoundedSink sink, DecodeContext ctx) {
        Decompressors.zlib(d, off, len, sink);
        return null;
    }

    @Override
    boolean weakMagic() {
        return true;
    }
}
