package org.egressaudit.analyzers.protocol.http2;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds HTTP/2 frames and HPACK header blocks by hand for tests. */
final class H2Wire {

    static final byte[] PREFACE = Http2FrameReader.PREFACE.clone();

    static byte[] frame(int type, int flags, int stream, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    static byte[] settings(int... idValue) {
        byte[] p = new byte[idValue.length / 2 * 6];
        for (int i = 0; i < idValue.length; i += 2) {
            int o = i / 2 * 6;
            p[o] = (byte) (idValue[i] >>> 8);
            p[o + 1] = (byte) idValue[i];
            putInt(p, o + 2, idValue[i + 1]);
        }
        return frame(Http2FrameReader.SETTINGS, 0, 0, p);
    }

    static byte[] settingsAck() {
        return frame(Http2FrameReader.SETTINGS, 1, 0, new byte[0]);
    }

    static byte[] windowUpdate(int stream, int increment) {
        byte[] p = new byte[4];
        putInt(p, 0, increment);
        return frame(Http2FrameReader.WINDOW_UPDATE, 0, stream, p);
    }

    static byte[] ping(long data) {
        byte[] p = new byte[8];
        putInt(p, 0, (int) (data >>> 32));
        putInt(p, 4, (int) data);
        return frame(Http2FrameReader.PING, 0, 0, p);
    }

    static byte[] headers(int stream, boolean endStream, byte[] block) {
        return frame(Http2FrameReader.HEADERS, 0x4 | (endStream ? 1 : 0), stream, block);
    }

    /** HEADERS without END_HEADERS: CONTINUATION frames follow. */
    static byte[] headersStart(int stream, boolean endStream, byte[] fragment) {
        return frame(Http2FrameReader.HEADERS, endStream ? 1 : 0, stream, fragment);
    }

    /** HEADERS with PADDED and PRIORITY flags. */
    static byte[] headersPaddedPriority(int stream, boolean endStream, byte[] block, int pad) {
        byte[] p = new byte[1 + 5 + block.length + pad];
        p[0] = (byte) pad;
        putInt(p, 1, 0x80000000 | 3);
        p[5] = (byte) 200;
        System.arraycopy(block, 0, p, 6, block.length);
        return frame(Http2FrameReader.HEADERS, 0x4 | 0x8 | 0x20 | (endStream ? 1 : 0), stream, p);
    }

    static byte[] continuation(int stream, boolean endHeaders, byte[] fragment) {
        return frame(Http2FrameReader.CONTINUATION, endHeaders ? 0x4 : 0, stream, fragment);
    }

    static byte[] data(int stream, boolean endStream, byte[] data) {
        return frame(Http2FrameReader.DATA, endStream ? 1 : 0, stream, data);
    }

    static byte[] data(int stream, boolean endStream, String s) {
        return data(stream, endStream, bytes(s));
    }

    static byte[] paddedData(int stream, boolean endStream, byte[] data, int pad, byte padByte) {
        byte[] p = new byte[1 + data.length + pad];
        p[0] = (byte) pad;
        System.arraycopy(data, 0, p, 1, data.length);
        for (int i = 0; i < pad; i++) {
            p[1 + data.length + i] = padByte;
        }
        return frame(Http2FrameReader.DATA, 0x8 | (endStream ? 1 : 0), stream, p);
    }

    static byte[] rst(int stream, int code) {
        byte[] p = new byte[4];
        putInt(p, 0, code);
        return frame(Http2FrameReader.RST_STREAM, 0, stream, p);
    }

    static byte[] goaway(int lastStream, int code, String debug) {
        byte[] d = bytes(debug);
        byte[] p = new byte[8 + d.length];
        putInt(p, 0, lastStream);
        putInt(p, 4, code);
        System.arraycopy(d, 0, p, 8, d.length);
        return frame(Http2FrameReader.GOAWAY, 0, 0, p);
    }

    static byte[] pushPromise(int stream, int promised, byte[] block) {
        byte[] p = new byte[4 + block.length];
        putInt(p, 0, promised);
        System.arraycopy(block, 0, p, 4, block.length);
        return frame(Http2FrameReader.PUSH_PROMISE, 0x4, stream, p);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    private static void putInt(byte[] p, int at, int v) {
        p[at] = (byte) (v >>> 24);
        p[at + 1] = (byte) (v >>> 16);
        p[at + 2] = (byte) (v >>> 8);
        p[at + 3] = (byte) v;
    }

    /** A minimal HPACK encoder: the representations a test chooses, nothing automatic. */
    static final class Block {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /** Indexed field (static 1-61 or dynamic 62+). */
        Block indexed(int index) {
            integer(0x80, 7, index);
            return this;
        }

        /** Literal without indexing, new name. */
        Block literal(String name, String value) {
            integer(0x00, 4, 0);
            string(name, false);
            string(value, false);
            return this;
        }

        /** Literal without indexing, new name, Huffman-coded strings. */
        Block literalHuffman(String name, String value) {
            integer(0x00, 4, 0);
            string(name, true);
            string(value, true);
            return this;
        }

        /** Literal without indexing, name from the table. */
        Block literalIndexedName(int nameIndex, String value) {
            integer(0x00, 4, nameIndex);
            string(value, false);
            return this;
        }

        /** Literal with incremental indexing, new name: adds it to the dynamic table. */
        Block literalIndexing(String name, String value) {
            integer(0x40, 6, 0);
            string(name, false);
            string(value, false);
            return this;
        }

        /** Literal with incremental indexing, name from the table. */
        Block literalIndexingIndexedName(int nameIndex, String value, boolean huffman) {
            integer(0x40, 6, nameIndex);
            string(value, huffman);
            return this;
        }

        Block sizeUpdate(int size) {
            integer(0x20, 5, size);
            return this;
        }

        Block raw(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void string(String s, boolean huffman) {
            byte[] b = H2Wire.bytes(s);
            if (huffman) {
                b = HpackHuffman.encode(b);
            }
            integer(huffman ? 0x80 : 0x00, 7, b.length);
            out.write(b, 0, b.length);
        }

        private void integer(int firstBits, int prefix, int value) {
            int max = (1 << prefix) - 1;
            if (value < max) {
                out.write(firstBits | value);
                return;
            }
            out.write(firstBits | max);
            value -= max;
            while (value >= 128) {
                out.write((value & 0x7f) | 0x80);
                value >>>= 7;
            }
            out.write(value);
        }
    }

    static Block block() {
        return new Block();
    }

    private H2Wire() {
    }
}
