package org.egressaudit.analyzers.detect;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.content.FileType;

/**
 * What a {@link ContentDetector} may know about the object it looks at, besides its bytes.
 *
 * @param decodeChain layers from the wire to this object, e.g. [http-headers, base64] or [http-body, gzip]
 * @param type        the sniffed file type
 * @param name        the name the carrier gave the object (multipart file name, archive member), or null
 * @param hints       carrier metadata such as "content-type"
 */
public record DetectContext(List<String> decodeChain, FileType type, String name, Map<String, String> hints) {

    public DetectContext {
        decodeChain = List.copyOf(decodeChain);
        Objects.requireNonNull(type, "type");
        hints = hints == null ? Map.of() : Map.copyOf(hints);
    }

    /** The context of a decode-tree node (after sniffing). */
    public static DetectContext of(ContentObject o) {
        return new DetectContext(o.chain(), o.type(), o.name(), o.hints());
    }
}
