package org.egressaudit.analyzers.protocol.http2;

import java.util.ArrayList;
import java.util.List;

/**
 * HPACK (RFC 7541) decoder of one direction of a connection: the static table, a dynamic table with size updates
 * and eviction, integer and string literals, Huffman strings. It is fed whole header blocks in wire order and keeps
 * its table across them, as the receiving peer did.
 *
 * <p>Policy: what would only be a protocol violation for a real peer but decodes unambiguously (a table size update
 * above the size the peer announced, or after the first field) is a note; what leaves the table state unknown or
 * passes a {@link Http2Limits} limit is an {@link HpackException}, after which this decoder must not be used again.
 */
final class HpackDecoder {

    static final int DEFAULT_TABLE_SIZE = 4096;

    /** Dynamic table as a ring, newest entry at {@code (head + count - 1)}; capacity fits the hard size limit. */
    private final HeaderField[] ring;
    private int head;
    private int count;
    private final int hardMaxTableSize;
    private final int maxHeaderListSize;
    private long tableSize;
    private long maxTableSize = DEFAULT_TABLE_SIZE;
    private long announcedMaxTableSize = DEFAULT_TABLE_SIZE;

    HpackDecoder(int hardMaxTableSize, int maxHeaderListSize) {
        this(hardMaxTableSize, maxHeaderListSize, DEFAULT_TABLE_SIZE);
    }

    /** {@code initialTableSize}: the table size in force before any update (RFC 7541 C.5 starts at 256). */
    HpackDecoder(int hardMaxTableSize, int maxHeaderListSize, int initialTableSize) {
        this.maxTableSize = initialTableSize;
        this.announcedMaxTableSize = initialTableSize;
        this.hardMaxTableSize = hardMaxTableSize;
        this.maxHeaderListSize = maxHeaderListSize;
        // Every entry takes at least 32 bytes of table size.
        this.ring = new HeaderField[Math.max(hardMaxTableSize, DEFAULT_TABLE_SIZE) / 32 + 1];
    }

    /**
     * SETTINGS_HEADER_TABLE_SIZE announced by the peer that decodes this direction. It only bounds later size
     * updates: the size in force changes when the encoder signals it in a header block (RFC 7541 4.2).
     */
    void setAnnouncedMaxTableSize(long size) {
        announcedMaxTableSize = size;
    }

    /** Current dynamic table size in RFC 7541 units (entry bytes + 32 each). */
    long tableSize() {
        return tableSize;
    }

    int tableEntries() {
        return count;
    }

    /** Maximum size set by the last table size update (4096 until one is seen). */
    long maxTableSize() {
        return maxTableSize;
    }

    /**
     * Decodes one complete header block {@code block[offset, offset+length)}.
     *
     * @param notes receives anomalies that did not stop decoding
     */
    List<HeaderField> decode(byte[] block, int offset, int length, List<String> notes) throws HpackException {
        Reader in = new Reader(block, offset, offset + length);
        List<HeaderField> fields = new ArrayList<>();
        long listSize = 0;
        boolean updateNoted = false;
        boolean aboveNoted = false;
        while (in.more()) {
            int b = in.peek();
            HeaderField f;
            if ((b & 0x80) != 0) {
                // 6.1 indexed header field
                f = lookup(in.integer(7));
            } else if ((b & 0xc0) == 0x40) {
                // 6.2.1 literal with incremental indexing
                f = literal(in, 6);
                add(f);
            } else if ((b & 0xe0) == 0x20) {
                // 6.3 dynamic table size update
                long size = in.integer(5);
                if (!fields.isEmpty() && !updateNoted) {
                    updateNoted = true;
                    notes.add("HPACK table size update after the first header field");
                }
                if (size > hardMaxTableSize) {
                    throw new HpackException("HPACK table size update to " + size + " exceeds the limit of "
                            + hardMaxTableSize);
                }
                if (size > announcedMaxTableSize && !aboveNoted) {
                    aboveNoted = true;
                    notes.add("HPACK table size update to " + size + " above the announced "
                            + announcedMaxTableSize);
                }
                maxTableSize = size;
                evict(0);
                continue;
            } else {
                // 6.2.2 without indexing, 6.2.3 never indexed: both 4-bit prefixes
                f = literal(in, 4);
            }
            listSize += f.size();
            if (listSize > maxHeaderListSize) {
                throw new HpackException("header list larger than " + maxHeaderListSize + " bytes");
            }
            fields.add(f);
        }
        return fields;
    }

    private HeaderField literal(Reader in, int prefixBits) throws HpackException {
        long index = in.integer(prefixBits);
        String name;
        if (index == 0) {
            name = in.string(maxHeaderListSize);
        } else {
            name = lookup(index).name();
        }
        String value = in.string(maxHeaderListSize);
        return new HeaderField(name, value);
    }

    private HeaderField lookup(long index) throws HpackException {
        if (index <= 0) {
            throw new HpackException("HPACK index 0");
        }
        if (index <= HpackStaticTable.LENGTH) {
            return HpackStaticTable.get((int) index);
        }
        long d = index - HpackStaticTable.LENGTH;
        if (d > count) {
            throw new HpackException("HPACK index " + index + " beyond the dynamic table (" + count
                    + " entries)");
        }
        return ring[(int) ((head + count - d) % ring.length)];
    }

    /** RFC 7541 4.4: evict until the entry fits; an entry larger than the table empties it and is not added. */
    private void add(HeaderField f) {
        evict(f.size());
        if (f.size() <= maxTableSize) {
            ring[(head + count) % ring.length] = f;
            count++;
            tableSize += f.size();
        }
    }

    private void evict(long room) {
        while (count > 0 && tableSize + room > maxTableSize) {
            tableSize -= ring[head].size();
            ring[head] = null;
            head = (head + 1) % ring.length;
            count--;
        }
    }

    /** Reads primitives from a header block. */
    private static final class Reader {
        private final byte[] data;
        private int pos;
        private final int end;

        Reader(byte[] data, int pos, int end) {
            this.data = data;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int peek() {
            return data[pos] & 0xff;
        }

        /** RFC 7541 5.1, values up to 2^31 - 1. */
        long integer(int prefixBits) throws HpackException {
            int max = (1 << prefixBits) - 1;
            long value = data[pos++] & max;
            if (value < max) {
                return value;
            }
            int shift = 0;
            while (true) {
                if (pos >= end) {
                    throw new HpackException("HPACK integer truncated");
                }
                int b = data[pos++] & 0xff;
                value += (long) (b & 0x7f) << shift;
                if (value > Integer.MAX_VALUE) {
                    throw new HpackException("HPACK integer too large");
                }
                if ((b & 0x80) == 0) {
                    return value;
                }
                shift += 7;
            }
        }

        /** RFC 7541 5.2, as ISO-8859-1 (one char per octet). */
        String string(int maxLength) throws HpackException {
            if (pos >= end) {
                throw new HpackException("HPACK string literal missing");
            }
            boolean huffman = (data[pos] & 0x80) != 0;
            long length = integer(7);
            if (length > end - pos) {
                throw new HpackException("HPACK string of " + length + " bytes runs past the header block");
            }
            if (length > maxLength) {
                throw new HpackException("HPACK string longer than " + maxLength + " bytes");
            }
            int start = pos;
            pos += (int) length;
            if (huffman) {
                byte[] decoded = HpackHuffman.decode(data, start, (int) length);
                return new String(decoded, java.nio.charset.StandardCharsets.ISO_8859_1);
            }
            return new String(data, start, (int) length, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }
}
