package org.egressaudit.analyzers.decode;

import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;

/**
 * What a decoder may use while decoding one object: the limits, and accounting of decoded bytes for the whole
 * transmission. One context per transmission, used by one thread.
 */
public final class DecodeContext {
    private final DecodeLimits limits;
    private long decodedBytes;
    private boolean budgetExhausted;

    public DecodeContext(DecodeLimits limits) {
        this.limits = limits;
    }

    public DecodeLimits limits() {
        return limits;
    }

    /** Decoded bytes still allowed for this transmission, capped by the per-object limit. */
    public int remainingObjectBytes() {
        long left = limits.maxTotalBytes() - decodedBytes;
        return (int) Math.max(0, Math.min(left, limits.maxObjectBytes()));
    }

    public long decodedBytes() {
        return decodedBytes;
    }

    public boolean budgetExhausted() {
        return budgetExhausted;
    }

    /**
     * Attaches a decoded child to {@code parent} and accounts for its bytes. Returns null (and notes why on the
     * parent) when the transmission's decode budget is spent or the depth limit is reached.
     */
    public ContentObject child(ContentObject parent, String layer, String name, byte[] data, int offset, int length,
                               long parentOffset, long declaredLength, boolean truncated, Map<String, String> hints) {
        if (parent.depth() + 1 > limits.maxDepth()) {
            parent.addNote("decode-limit: depth " + limits.maxDepth() + " reached, " + layer + " not expanded");
            return null;
        }
        boolean slice = parentOffset >= 0 && data == parent.data();
        if (!slice) {
            // Slices share the parent's bytes and cost nothing; only new bytes count.
            if (decodedBytes + length > limits.maxTotalBytes()) {
                budgetExhausted = true;
                parent.addNote("decode-limit: " + limits.maxTotalBytes() + " decoded bytes per transmission reached, "
                        + layer + " not expanded");
                return null;
            }
            decodedBytes += length;
        }
        return parent.addChild(layer, name, data, offset, length, parentOffset, declaredLength, truncated, hints);
    }
}
