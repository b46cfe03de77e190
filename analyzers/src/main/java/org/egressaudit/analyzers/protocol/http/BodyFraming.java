package org.egressaudit.analyzers.protocol.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the body of a message is delimited (RFC 9112 §6.3), decided from its head. Pure: anomalies are returned as
 * notes, unrecoverable framing as {@link Kind#INVALID} with a reason.
 *
 * @param kind            the framing
 * @param length          the Content-Length for {@link Kind#FIXED}, else -1
 * @param transferCodings transfer codings other than the final chunked ("gzip"), for the decode layer, or null
 * @param notes           anomalies worth reporting (duplicate Content-Length, CL with TE ...)
 * @param invalidReason   why the framing cannot be known, for {@link Kind#INVALID}
 */
record BodyFraming(Kind kind, long length, String transferCodings, List<String> notes, String invalidReason) {

    enum Kind {
        /** No body (a request without CL/TE, a HEAD response, 1xx/204/304). */
        NONE,
        FIXED,
        CHUNKED,
        /** Response body delimited by the end of the connection. */
        UNTIL_CLOSE,
        /** The connection stops being HTTP after this message (101 Switching Protocols, 2xx to CONNECT). */
        TUNNEL,
        /** Framing cannot be determined: the rest of the stream is analysed raw. */
        INVALID
    }

    BodyFraming {
        notes = List.copyOf(notes);
    }

    static BodyFraming forRequest(HttpHeaders headers, String version) {
        List<String> notes = new ArrayList<>();
        List<String> te = transferCodings(headers);
        if (te != null) {
            if (te.isEmpty()) {
                return invalid(notes, "empty Transfer-Encoding");
            }
            noteTeAnomalies(headers, version, notes);
            if (!te.get(te.size() - 1).equals("chunked") || te.indexOf("chunked") != te.size() - 1) {
                // RFC 9112 §6.3: a request whose final coding is not chunked has no determinable length.
                return invalid(notes, "Transfer-Encoding '" + String.join(", ", te) + "' does not end in chunked");
            }
            return new BodyFraming(Kind.CHUNKED, -1, otherCodings(te), notes, null);
        }
        return contentLengthOr(headers, notes, Kind.NONE);
    }

    /** @param requestMethod the method of the request this answers, or null when unknown */
    static BodyFraming forResponse(int status, String requestMethod, HttpHeaders headers, String version) {
        List<String> notes = new ArrayList<>();
        if (status == 101) {
            return new BodyFraming(Kind.TUNNEL, -1, null, notes, null);
        }
        if ("CONNECT".equals(requestMethod) && status / 100 == 2) {
            return new BodyFraming(Kind.TUNNEL, -1, null, notes, null);
        }
        if ("HEAD".equals(requestMethod) || status / 100 == 1 || status == 204 || status == 304) {
            return new BodyFraming(Kind.NONE, -1, null, notes, null);
        }
        List<String> te = transferCodings(headers);
        if (te != null && !te.isEmpty()) {
            noteTeAnomalies(headers, version, notes);
            if (te.get(te.size() - 1).equals("chunked") && te.indexOf("chunked") == te.size() - 1) {
                return new BodyFraming(Kind.CHUNKED, -1, otherCodings(te), notes, null);
            }
            // RFC 9112 §6.3 point 4: a response whose final coding is not chunked runs until close.
            notes.add("Transfer-Encoding '" + String.join(", ", te) + "' without final chunked: body read until close");
            return new BodyFraming(Kind.UNTIL_CLOSE, -1, String.join(", ", te), notes, null);
        }
        return contentLengthOr(headers, notes, Kind.UNTIL_CLOSE);
    }

    private static BodyFraming contentLengthOr(HttpHeaders headers, List<String> notes, Kind absent) {
        List<String> values = headers.all("content-length");
        if (values.isEmpty()) {
            return new BodyFraming(absent, -1, null, notes, null);
        }
        long length = -1;
        int count = 0;
        for (String field : values) {
            for (String part : field.split(",", -1)) {
                String v = part.trim();
                count++;
                if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return invalid(notes, "invalid Content-Length '" + field + "'");
                }
                long n = Long.parseLong(v);
                if (length >= 0 && n != length) {
                    return invalid(notes, "conflicting Content-Length values: " + String.join(", ", values));
                }
                length = n;
            }
        }
        if (count > 1) {
            notes.add("repeated Content-Length with one value (" + String.join(", ", values) + ")");
        }
        return new BodyFraming(length == 0 ? Kind.NONE : Kind.FIXED, length, null, notes, null);
    }

    private static void noteTeAnomalies(HttpHeaders headers, String version, List<String> notes) {
        if (headers.contains("content-length")) {
            notes.add("both Transfer-Encoding and Content-Length (request smuggling shape); "
                    + "Transfer-Encoding wins (RFC 9112 §6.3)");
        }
        if ("HTTP/1.0".equals(version)) {
            notes.add("Transfer-Encoding in an HTTP/1.0 message");
        }
        if (headers.all("transfer-encoding").size() > 1) {
            notes.add("repeated Transfer-Encoding header");
        }
    }

    /** Lowercased codings of all Transfer-Encoding fields, or null when there is none. */
    private static List<String> transferCodings(HttpHeaders headers) {
        String joined = headers.joined("transfer-encoding");
        if (joined == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String part : joined.split(",")) {
            String coding = part.trim().toLowerCase(Locale.ROOT);
            int params = coding.indexOf(';');
            if (params >= 0) {
                coding = coding.substring(0, params).trim();
            }
            if (!coding.isEmpty()) {
                out.add(coding);
            }
        }
        return out;
    }

    private static String otherCodings(List<String> te) {
        List<String> others = te.subList(0, te.size() - 1);
        return others.isEmpty() ? null : String.join(", ", others);
    }

    private static BodyFraming invalid(List<String> notes, String reason) {
        return new BodyFraming(Kind.INVALID, -1, null, notes, reason);
    }
}
