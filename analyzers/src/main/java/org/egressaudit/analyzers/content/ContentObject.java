package org.egressaudit.analyzers.content;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of the decode tree: bytes that left the machine, or bytes decoded from its parent
 * (chunked body, gzip payload, zip member, base64 run...). Knows nothing about the protocol it came from.
 * Holds a view of {@code data[offset, offset+length)}; the array is never modified after construction.
 * Analysis results (type, matches, entropy) are filled in by one thread, the one analysing its transmission.
 */
public final class ContentObject {
    private final ContentObject parent;
    private final String layer;
    private final String name;
    private final byte[] data;
    private final int offset;
    private final int length;
    private final long parentOffset;
    private final long declaredLength;
    private final boolean truncated;
    private final Map<String, String> hints;
    private final int depth;
    private final List<ContentObject> children = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    // analysis results
    private FileType type = FileType.UNKNOWN;
    private double entropy = Double.NaN;
    private final List<Object> results = new ArrayList<>();

    /**
     * @param parent         null for a transmission's root object
     * @param layer          how this object was obtained from its parent (decoder name), or the protocol
     *                       object kind for a root (e.g. "http-body", "tcp-stream", "dns-labels")
     * @param name           a file name when the carrier gives one (multipart filename, archive member path), or null
     * @param parentOffset   where this object starts in the parent when it is a plain slice of it, else -1
     * @param declaredLength the length the object really has when {@code truncated} (e.g. Content-Length), else length
     * @param hints          carrier metadata decoders may use: "content-type", "content-encoding", "transfer-encoding"
     */
    public ContentObject(ContentObject parent, String layer, String name, byte[] data, int offset, int length,
                         long parentOffset, long declaredLength, boolean truncated, Map<String, String> hints) {
        if (offset < 0 || length < 0 || offset + length > data.length) {
            throw new IllegalArgumentException("bad range " + offset + "+" + length + " of " + data.length);
        }
        this.parent = parent;
        this.layer = layer;
        this.name = name;
        this.data = data;
        this.offset = offset;
        this.length = length;
        this.parentOffset = parentOffset;
        this.declaredLength = Math.max(declaredLength, length);
        this.truncated = truncated;
        this.hints = hints == null || hints.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(hints));
        this.depth = parent == null ? 0 : parent.depth + 1;
    }

    /** A root object holding a whole byte array. */
    public static ContentObject root(String layer, String name, byte[] data, Map<String, String> hints) {
        return new ContentObject(null, layer, name, data, 0, data.length, -1, data.length, false, hints);
    }

    /** Creates and attaches a child. */
    public ContentObject addChild(String layer, String name, byte[] data, int offset, int length,
                                  long parentOffset, long declaredLength, boolean truncated, Map<String, String> hints) {
        ContentObject c = new ContentObject(this, layer, name, data, offset, length, parentOffset, declaredLength,
                truncated, hints);
        children.add(c);
        return c;
    }

    public ContentObject parent() {
        return parent;
    }

    public String layer() {
        return layer;
    }

    public String name() {
        return name;
    }

    public byte[] data() {
        return data;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public long parentOffset() {
        return parentOffset;
    }

    public long declaredLength() {
        return declaredLength;
    }

    public boolean truncated() {
        return truncated;
    }

    public Map<String, String> hints() {
        return hints;
    }

    public String hint(String key) {
        return hints.get(key);
    }

    public int depth() {
        return depth;
    }

    public List<ContentObject> children() {
        return children;
    }

    /** Decoder notes: corrupt input, limits reached, unsupported method. */
    public List<String> notes() {
        return notes;
    }

    public void addNote(String note) {
        notes.add(note);
    }

    public FileType type() {
        return type;
    }

    public void setType(FileType type) {
        this.type = type;
    }

    public double entropy() {
        return entropy;
    }

    public void setEntropy(double entropy) {
        this.entropy = entropy;
    }

    /** Detector results attached to this node (typed by the detect package). */
    public List<Object> results() {
        return results;
    }

    /**
     * Layers from the root to this node, each followed by the name it gave its child when it has one, e.g.
     * [http-chunked, gzip, 7z, docs/secret.docx]: read as "the 7z layer yielded docs/secret.docx".
     */
    public List<String> chain() {
        List<String> out = new ArrayList<>();
        for (ContentObject o = this; o != null; o = o.parent) {
            if (o.name != null && o.parent != null) {
                out.add(0, o.name);
            }
            out.add(0, o.layer);
        }
        return out;
    }

    /** True when {@code other} is this node or below it. */
    public boolean isAncestorOf(ContentObject other) {
        for (ContentObject o = other; o != null; o = o.parent) {
            if (o == this) {
                return true;
            }
        }
        return false;
    }

    /** Copy of the bytes (tests, evidence excerpts). */
    public byte[] toByteArray() {
        byte[] b = new byte[length];
        System.arraycopy(data, offset, b, 0, length);
        return b;
    }

    @Override
    public String toString() {
        return String.join(" > ", chain()) + " (" + length + " bytes" + (truncated ? ", truncated" : "") + ")";
    }
}
