package org.egressaudit.analyzers.decode;

import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.content.FileType;
import org.egressaudit.analyzers.content.FileTypeSniffer;

/**
 * Encoded runs inside text (JSON, XML, HTML, CSV, prose, scripts, form values, DNS names, header blocks): each
 * base64, base64url, base32, hex or dense percent-escaped run becomes a child whose layer names the encoding.
 *
 * <p>One decoder handles all these encodings together, rather than one decoder each, because the engine keeps
 * only the first decoder that adds children: a JSON body holding an escaped URL and a base64 blob must yield
 * both. The runs never overlap (percent runs are claimed first), so no byte is decoded twice.
 */
public final class EmbeddedTextDecoder implements ContentDecoder {

    @Override
    public String name() {
        return "embedded-text";
    }

    @Override
    public int priority() {
        return 200;
    }

    @Override
    public boolean accepts(ContentObject o) {
        if (o.length() < 8) {
            return false;
        }
        FileType t = o.type() != FileType.UNKNOWN ? o.type()
                : FileTypeSniffer.sniff(o.data(), o.offset(), o.length(), o.name());
        return switch (t) {
            case JSON, XML, HTML, CSV, TEXT, SCRIPT, SOURCE_CODE -> true;
            default -> false;
        };
    }

    @Override
    public void decode(ContentObject o, DecodeContext ctx) {
        boolean dns = o.layer() != null && o.layer().startsWith("dns");
        // Each header line is its own field: a base64 value must not run on into the next header's name.
        boolean joinLines = !"http-headers".equals(o.layer());
        EncodedRunFinder.Found found = EncodedRunFinder.find(o.data(), o.offset(), o.length(),
                ctx.limits().minEmbeddedRun(), dns, joinLines, ctx.limits().maxArchiveEntries());
        for (EncodedRunFinder.Run r : found.runs()) {
            byte[] b = r.decoded();
            if (ctx.child(o, r.encoding(), null, b, 0, b.length, -1, b.length, false, null) == null) {
                return; // budget or depth reached, already noted
            }
        }
        if (found.overflow()) {
            o.addNote("decode-limit: more than " + ctx.limits().maxArchiveEntries()
                    + " encoded runs in one object, the rest not decoded");
        }
    }
}
