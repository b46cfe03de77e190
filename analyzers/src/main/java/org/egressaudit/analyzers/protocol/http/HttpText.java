package org.egressaudit.analyzers.protocol.http;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Byte-level helpers shared by the HTTP parsers: token characters, text decoding, host names. */
final class HttpText {

    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HTAB = '\t';

    private static final boolean[] TCHAR = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private HttpText() {
    }

    /** RFC 9110 tchar. */
    static boolean isTchar(int b) {
        return TCHAR[b & 0xff];
    }

    /** Control characters (CTL) other than HTAB, which field values may contain. */
    static boolean isCtl(int b) {
        int u = b & 0xff;
        return (u < 0x20 && u != HTAB) || u == 0x7f;
    }

    static boolean isWhitespace(int b) {
        return b == SP || b == HTAB;
    }

    /**
     * Decodes wire bytes for the report: UTF-8 when they are valid UTF-8 (what clients send in practice), else
     * ISO-8859-1 so that every byte still shows as one character.
     */
    static String decode(byte[] data, int offset, int length) {
        boolean ascii = true;
        for (int i = offset; i < offset + length; i++) {
            if (data[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(data, offset, length, StandardCharsets.US_ASCII);
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data, offset, length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return new String(data, offset, length, StandardCharsets.ISO_8859_1);
        }
    }

    /** See {@link org.egressaudit.analyzers.protocol.Authority#hostWithoutPort}. */
    static String hostWithoutPort(String authority) {
        return org.egressaudit.analyzers.protocol.Authority.hostWithoutPort(authority);
    }

    /** The authority of an absolute-form target ({@code http://host:port/path}), or null for other forms. */
    static String absoluteFormAuthority(String target) {
        int scheme = target.indexOf("://");
        if (scheme <= 0) {
            return null;
        }
        for (int i = 0; i < scheme; i++) {
            char c = target.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) {
                return null;
            }
        }
        int start = scheme + 3;
        int end = start;
        while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
            end++;
        }
        return target.substring(start, end);
    }
}
