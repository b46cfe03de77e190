package org.egressaudit.harness.network;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A canned HTTP answer. Headers map a name to its values, so repeated headers such as Set-Cookie are possible.
 * Content-Length is always computed from {@code body}; Content-Length, Transfer-Encoding and Connection given
 * here are ignored (the service owns framing and keep-alive).
 */
public record HttpAnswer(int status, Map<String, List<String>> headers, byte[] body) {

    public HttpAnswer {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("HTTP answer status must be 200..599, was " + status);
        }
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            if (name == null || name.isBlank() || !name.chars().allMatch(HttpAnswer::tokenChar)) {
                throw new IllegalArgumentException("HTTP answer header name is not a token: '" + name + "'");
            }
            for (String v : Objects.requireNonNull(values, () -> "values of header " + name)) {
                if (v == null || v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
                    throw new IllegalArgumentException("HTTP answer header " + name + " has a null value or a line break");
                }
            }
            copy.put(name, List.copyOf(values));
        });
        headers = java.util.Collections.unmodifiableMap(copy);
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** A JSON answer. */
    public static HttpAnswer json(int status, String json) {
        return of(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** An answer with one Content-Type. */
    public static HttpAnswer of(int status, String contentType, byte[] body) {
        return new HttpAnswer(status, Map.of("Content-Type", List.of(contentType)), body);
    }

    private static boolean tokenChar(int c) {
        return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }
}
