package org.egressaudit.analyzers.decode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;

/**
 * Undoes a declared HTTP Content-Encoding ("gzip, br"), one coding per step, last applied first. The child
 * is named after the coding it undid and keeps the object's other hints, with the codings still to undo, so
 * that the next step applies to it in turn. "identity" is skipped; an unknown coding is noted and left.
 */
public final class ContentEncodingDecoder implements ContentDecoder {
    static final String HINT = "content-encoding";

    @Override
    public String name() {
        return "content-encoding";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public boolean accepts(ContentObject object) {
        return object.length() > 0 && !codings(object.hint(HINT)).isEmpty();
    }

    @Override
    public void decode(ContentObject o, DecodeContext ctx) {
        List<String> codings = codings(o.hint(HINT));
        if (codings.isEmpty()) {
            return;
        }
        String last = codings.get(codings.size() - 1);
        String layer = switch (last) {
            case "gzip", "x-gzip" -> "gzip";
            case "deflate" -> "deflate";
            case "br" -> "br";
            case "zstd" -> "zstd";
            case "compress", "x-compress" -> "compress";
            default -> null;
        };
        if (layer == null) {
            o.addNote("unsupported: content-encoding '" + last + "' cannot be decoded");
            return;
        }
        byte[] d = o.data();
        int off = o.offset();
        int len = o.length();
        BoundedSink sink = new BoundedSink(ctx, len);
        int maxMembers = ctx.limits().maxArchiveEntries();
        switch (layer) {
            case "gzip", "deflate" -> Decompressors.inflateAuto(d, off, len, sink, maxMembers);
            case "br" -> Decompressors.brotli(d, off, len, sink);
            case "zstd" -> Decompressors.zstd(d, off, len, sink);
            default -> Decompressors.lzw(d, off, len, sink);
        }
        Map<String, String> hints = new LinkedHashMap<>(o.hints());
        List<String> rest = codings.subList(0, codings.size() - 1);
        if (rest.isEmpty()) {
            hints.remove(HINT);
        } else {
            hints.put(HINT, String.join(", ", rest));
        }
        // The name (a download's file name) still applies: the coding is transport, not a container.
        sink.emit(o, layer, o.name(), sink.size(), hints);
    }

    /** Codings in the order they were applied, lower-cased, without "identity". */
    static List<String> codings(String header) {
        List<String> out = new ArrayList<>();
        if (header == null) {
            return out;
        }
        for (String part : header.split(",", 32)) {
            String c = part.trim().toLowerCase(Locale.ROOT);
            int semi = c.indexOf(';');
            if (semi >= 0) {
                c = c.substring(0, semi).trim();
            }
            if (!c.isEmpty() && !c.equals("identity")) {
                out.add(c);
            }
        }
        return out;
    }
}
