package org.egressaudit.analyzers.decode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.ServiceLoader;
import org.egressaudit.analyzers.content.ContentObject;

/**
 * The decoders found on the class path, in priority order, and the "first decoder that adds a child wins" rule.
 * Immutable and thread-safe (decoders are stateless).
 */
public final class DecoderRegistry {
    private final List<ContentDecoder> decoders;

    /** A registry of exactly these decoders (tests, custom engines). */
    public DecoderRegistry(Collection<? extends ContentDecoder> decoders) {
        List<ContentDecoder> sorted = new ArrayList<>(decoders);
        sorted.sort(Comparator.comparingInt(ContentDecoder::priority).thenComparing(ContentDecoder::name));
        this.decoders = List.copyOf(sorted);
    }

    /** Every decoder registered in META-INF/services/org.egressaudit.analyzers.decode.ContentDecoder. */
    public static DecoderRegistry load() {
        List<ContentDecoder> found = new ArrayList<>();
        for (ContentDecoder d : ServiceLoader.load(ContentDecoder.class, DecoderRegistry.class.getClassLoader())) {
            found.add(d);
        }
        return new DecoderRegistry(found);
    }

    /** Decoders sorted by priority (then name, so that the order is stable). */
    public List<ContentDecoder> decoders() {
        return decoders;
    }

    /**
     * Tries the accepting decoders in order until one adds a child to {@code o}. A decoder that breaks its
     * contract and throws is noted on the object and skipped, so one bad decoder cannot stop the analysis.
     *
     * @return true when some decoder added at least one child
     */
    public boolean decodeOne(ContentObject o, DecodeContext ctx) {
        for (ContentDecoder d : decoders) {
            int before = o.children().size();
            try {
                if (!d.accepts(o)) {
                    continue;
                }
                d.decode(o, ctx);
            } catch (RuntimeException | StackOverflowError e) {
                o.addNote("decoder-error: " + d.name() + " failed: " + e);
            }
            if (o.children().size() > before) {
                return true;
            }
        }
        return false;
    }

    /**
     * Decodes {@code root} and, recursively, every child produced (depth-first, no recursion on the Java
     * stack). Depth and size limits are those of {@code ctx}. Returns the number of objects in the tree.
     */
    public int decodeTree(ContentObject root, DecodeContext ctx) {
        Deque<ContentObject> todo = new ArrayDeque<>();
        todo.push(root);
        int count = 0;
        while (!todo.isEmpty()) {
            ContentObject o = todo.pop();
            count++;
            if (o.children().isEmpty()) {
                decodeOne(o, ctx);
            }
            List<ContentObject> kids = o.children();
            for (int i = kids.size() - 1; i >= 0; i--) {
                todo.push(kids.get(i));
            }
        }
        return count;
    }
}
