package org.egressaudit.analyzers.protocol.http;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Pure parsers for the lines of an HTTP/1.x message, each over {@code data[offset, offset+length)} without the
 * line end. Tolerable deviations are appended to {@code notes}; real syntax errors throw
 * {@link HttpParseException}.
 */
final class HttpLineParser {

    record RequestLine(String method, String target, String version) {
    }

    record StatusLine(String version, int status, String reason) {
    }

    record HeaderField(String name, String value) {
    }

    /** A chunk-size line: the size and the raw extension text (from the first ';', "" when none). */
    record ChunkSize(long size, String extensions) {
    }

    private HttpLineParser() {
    }

    static RequestLine parseRequestLine(byte[] data, int offset, int length, List<String> notes)
            throws HttpParseException {
        int end = offset + length;
        int firstSp = indexOf(data, offset, end, HttpText.SP);
        if (firstSp <= offset) {
            throw new HttpParseException("malformed request line (no method)");
        }
        for (int i = offset; i < firstSp; i++) {
            if (!HttpText.isTchar(data[i])) {
                throw new HttpParseException("malformed request line (invalid character in method)");
            }
        }
        int lastSp = lastIndexOf(data, firstSp + 1, end, HttpText.SP);
        if (lastSp < 0) {
            throw new HttpParseException("malformed request line (no HTTP version)");
        }
        String version = ascii(data, lastSp + 1, end - lastSp - 1);
        if (!isHttp1Version(version)) {
            throw new HttpParseException("unsupported HTTP version in request line");
        }
        int targetStart = firstSp + 1;
        int targetEnd = lastSp;
        boolean extraSpace = false;
        while (targetStart < targetEnd && HttpText.isWhitespace(data[targetStart])) {
            targetStart++;
            extraSpace = true;
        }
        while (targetEnd > targetStart && HttpText.isWhitespace(data[targetEnd - 1])) {
            targetEnd--;
            extraSpace = true;
        }
        if (targetStart == targetEnd) {
            throw new HttpParseException("malformed request line (empty request target)");
        }
        for (int i = targetStart; i < targetEnd; i++) {
            if (HttpText.isWhitespace(data[i])) {
                extraSpace = true;
            } else if (HttpText.isCtl(data[i])) {
                throw new HttpParseException("malformed request line (control character in request target)");
            }
        }
        if (extraSpace) {
            notes.add("request line has extra whitespace around or inside the target");
        }
        return new RequestLine(ascii(data, offset, firstSp - offset),
                HttpText.decode(data, targetStart, targetEnd - targetStart), version);
    }

    static StatusLine parseStatusLine(byte[] data, int offset, int length) throws HttpParseException {
        int end = offset + length;
        // HTTP/1.d SP 3DIGIT [SP reason-phrase]
        if (length < 12 || !isHttp1Version(ascii(data, offset, 8)) || data[offset + 8] != HttpText.SP) {
            throw new HttpParseException("malformed status line");
        }
        int status = 0;
        for (int i = offset + 9; i < offset + 12; i++) {
            if (data[i] < '0' || data[i] > '9') {
                throw new HttpParseException("malformed status line (status code)");
            }
            status = status * 10 + data[i] - '0';
        }
        if (status < 100) {
            throw new HttpParseException("malformed status line (status code " + status + ")");
        }
        String reason = "";
        if (end > offset + 12) {
            if (data[offset + 12] != HttpText.SP) {
                throw new HttpParseException("malformed status line (after status code)");
            }
            for (int i = offset + 13; i < end; i++) {
                if (HttpText.isCtl(data[i])) {
                    throw new HttpParseException("malformed status line (control character in reason)");
                }
            }
            reason = HttpText.decode(data, offset + 13, end - offset - 13);
        }
        return new StatusLine(ascii(data, offset, 8), status, reason);
    }

    /** {@code field-name ":" OWS field-value OWS}; the name is returned lowercased. */
    static HeaderField parseHeaderLine(byte[] data, int offset, int length, List<String> notes)
            throws HttpParseException {
        int end = offset + length;
        int colon = indexOf(data, offset, end, (byte) ':');
        if (colon < 0) {
            throw new HttpParseException("malformed header line (no colon)");
        }
        int nameEnd = colon;
        while (nameEnd > offset && HttpText.isWhitespace(data[nameEnd - 1])) {
            nameEnd--;
        }
        if (nameEnd == offset) {
            throw new HttpParseException("malformed header line (empty field name)");
        }
        String name = ascii(data, offset, nameEnd - offset).toLowerCase(java.util.Locale.ROOT);
        if (nameEnd != colon) {
            // RFC 9112 §5.1 makes servers reject this: a request smuggling shape, kept as evidence.
            notes.add("whitespace between header name and colon: '" + name + "'");
        }
        for (int i = offset; i < nameEnd; i++) {
            if (!HttpText.isTchar(data[i])) {
                notes.add("invalid character in header name '" + name + "'");
                break;
            }
        }
        int valueStart = colon + 1;
        int valueEnd = end;
        while (valueStart < valueEnd && HttpText.isWhitespace(data[valueStart])) {
            valueStart++;
        }
        while (valueEnd > valueStart && HttpText.isWhitespace(data[valueEnd - 1])) {
            valueEnd--;
        }
        for (int i = valueStart; i < valueEnd; i++) {
            if (HttpText.isCtl(data[i])) {
                notes.add("control character in value of header '" + name + "'");
                break;
            }
        }
        return new HeaderField(name, HttpText.decode(data, valueStart, valueEnd - valueStart));
    }

    /** Trims an obs-fold continuation line (leading whitespace already identified it). */
    static String foldedContinuation(byte[] data, int offset, int length) {
        int start = offset;
        int end = offset + length;
        while (start < end && HttpText.isWhitespace(data[start])) {
            start++;
        }
        while (end > start && HttpText.isWhitespace(data[end - 1])) {
            end--;
        }
        return HttpText.decode(data, start, end - start);
    }

    /** {@code 1*HEXDIG [BWS] *( ";" chunk-ext )}. */
    static ChunkSize parseChunkSize(byte[] data, int offset, int length) throws HttpParseException {
        int end = offset + length;
        int i = offset;
        long size = 0;
        while (i < end && Character.digit(data[i], 16) >= 0) {
            if (size > (Long.MAX_VALUE >> 4)) {
                throw new HttpParseException("chunk size overflows");
            }
            size = (size << 4) | Character.digit(data[i], 16);
            i++;
        }
        if (i == offset) {
            throw new HttpParseException("malformed chunk-size line");
        }
        while (i < end && HttpText.isWhitespace(data[i])) {
            i++;
        }
        if (i == end) {
            return new ChunkSize(size, "");
        }
        if (data[i] != ';') {
            throw new HttpParseException("malformed chunk-size line (after size)");
        }
        for (int k = i; k < end; k++) {
            if (HttpText.isCtl(data[k])) {
                throw new HttpParseException("malformed chunk extension (control character)");
            }
        }
        return new ChunkSize(size, HttpText.decode(data, i, end - i));
    }

    static boolean isHttp1Version(String v) {
        return v.length() == 8 && v.startsWith("HTTP/1.") && v.charAt(7) >= '0' && v.charAt(7) <= '9';
    }

    private static int indexOf(byte[] data, int from, int end, byte b) {
        for (int i = from; i < end; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] data, int from, int end, byte b) {
        for (int i = end - 1; i >= from; i--) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String ascii(byte[] data, int offset, int length) {
        return new String(data, offset, length, StandardCharsets.ISO_8859_1);
    }
}
