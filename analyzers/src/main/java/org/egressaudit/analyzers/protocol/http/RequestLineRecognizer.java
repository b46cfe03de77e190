package org.egressaudit.analyzers.protocol.http;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.egressaudit.analyzers.protocol.TcpProtocol.Recognition;

/**
 * Decides from a stream prefix whether it starts with an HTTP/1.x request line
 * ({@code token SP request-target SP HTTP/1.d CRLF}). Every byte seen must fit the grammar, otherwise NO at once.
 * A registered method followed by the start of a target is enough for YES, so a request whose URL is longer than
 * the dispatcher's prefix (long query strings are a classic exfiltration shape) is still recognised; any other
 * token needs the whole line through its HTTP version.
 */
final class RequestLineRecognizer {

    /** Longest method token considered (the longest registered one, UPDATEREDIRECTREF, has 17). */
    static final int MAX_METHOD_LENGTH = 32;
    /** Empty lines tolerated before a request line (RFC 9112 §2.2 asks to ignore at least one). */
    private static final int MAX_LEADING_LINE_BYTES = 4;

    /** HTTP methods of the IANA registry (RFC 9110, WebDAV, DeltaV, CalDAV, ...) and common extensions. */
    static final Set<String> KNOWN_METHODS = Set.of(
            "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "QUERY",
            "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH",
            "REPORT", "CHECKOUT", "CHECKIN", "UNCHECKOUT", "MKWORKSPACE", "UPDATE", "LABEL", "MERGE",
            "BASELINE-CONTROL", "MKACTIVITY", "VERSION-CONTROL", "ORDERPATCH", "ACL", "BIND", "UNBIND", "REBIND",
            "MKCALENDAR", "MKREDIRECTREF", "UPDATEREDIRECTREF", "LINK", "UNLINK", "PURGE",
            "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "POLL", "BMOVE", "BCOPY", "BDELETE", "BPROPFIND", "BPROPPATCH");

    private static final byte[] VERSION_PREFIX = "HTTP/1.".getBytes(StandardCharsets.US_ASCII);

    private RequestLineRecognizer() {
    }

    /**
     * Cheap check for a decoder that already knows the stream is HTTP: false when {@code data[0, length)} cannot
     * begin a request line because its method token is bad. What follows the method is left to the full parser,
     * which tolerates more than recognition does.
     */
    static boolean plausibleStart(byte[] data, int length) {
        for (int i = 0; i < length; i++) {
            if (data[i] == HttpText.SP) {
                return i > 0;
            }
            if (!HttpText.isTchar(data[i]) || i >= MAX_METHOD_LENGTH) {
                return false;
            }
        }
        return true;
    }

    /** Looks at {@code data[offset, offset+length)}, which may include empty lines before the request line. */
    static Recognition recognize(byte[] data, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end && (data[i] == HttpText.CR || data[i] == HttpText.LF)) {
            if (++i - offset > MAX_LEADING_LINE_BYTES) {
                return Recognition.NO;
            }
        }
        // method token
        int methodStart = i;
        while (i < end && HttpText.isTchar(data[i])) {
            if (++i - methodStart > MAX_METHOD_LENGTH) {
                return Recognition.NO;
            }
        }
        if (i == end) {
            return Recognition.NEED_MORE;
        }
        if (data[i] != HttpText.SP || i == methodStart) {
            return Recognition.NO;
        }
        boolean known = KNOWN_METHODS.contains(new String(data, methodStart, i - methodStart,
                StandardCharsets.US_ASCII));
        i++;
        // request-target: visible bytes (obs-text tolerated, real clients send raw UTF-8)
        int targetStart = i;
        while (i < end && data[i] != HttpText.SP) {
            int b = data[i] & 0xff;
            if (b <= 0x20 || b == 0x7f) {
                return Recognition.NO;
            }
            i++;
        }
        if (i == end) {
            return known && i > targetStart ? Recognition.YES : Recognition.NEED_MORE;
        }
        if (i == targetStart) {
            return Recognition.NO;
        }
        i++;
        // HTTP-version
        for (int k = 0; k < VERSION_PREFIX.length; k++, i++) {
            if (i == end) {
                return known ? Recognition.YES : Recognition.NEED_MORE;
            }
            if (data[i] != VERSION_PREFIX[k]) {
                return Recognition.NO;
            }
        }
        if (i == end) {
            return known ? Recognition.YES : Recognition.NEED_MORE;
        }
        if (data[i] < '0' || data[i] > '9') {
            return Recognition.NO;
        }
        i++;
        if (i < end && data[i] == HttpText.CR) {
            i++;
        }
        if (i == end) {
            return known ? Recognition.YES : Recognition.NEED_MORE;
        }
        return data[i] == HttpText.LF ? Recognition.YES : Recognition.NO;
    }
}
