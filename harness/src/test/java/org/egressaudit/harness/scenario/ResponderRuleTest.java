package org.egressaudit.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResponderRuleTest {
    static ResponderRule rule(String host, String method, String path, int status) {
        return new ResponderRule(Optional.ofNullable(host), Optional.ofNullable(method), Optional.ofNullable(path),
                status, Map.of(), new byte[0], Optional.empty());
    }

    @Test
    void hostGlobIsCaseInsensitiveAndIgnoresPortAndTrailingDot() {
        ResponderRule r = rule("*.Vendor.example", null, null, 200);
        assertTrue(r.matches("cloud.vendor.example", "GET", "/"));
        assertTrue(r.matches("CLOUD.VENDOR.EXAMPLE:443", "GET", "/"));
        assertTrue(r.matches("a.b.vendor.example.", "GET", "/"));
        assertFalse(r.matches("vendor.example", "GET", "/"), "'*.' needs at least something before the dot");
        assertFalse(r.matches("evilvendor.example", "GET", "/"));
        assertFalse(r.matches("cloud.vendor.example.test", "GET", "/"));
        assertFalse(r.matches(null, "GET", "/"), "no Host/SNI cannot match a host rule");
        assertFalse(r.matches("", "GET", "/"));
    }

    @Test
    void globWildcardsAnywhere() {
        assertTrue(rule("api-*.vendor.example", null, null, 200).matches("api-eu1.vendor.example", "GET", "/"));
        assertFalse(rule("api-*.vendor.example", null, null, 200).matches("web-eu1.vendor.example", "GET", "/"));
        assertTrue(rule("*", null, null, 200).matches("anything.invalid", "GET", "/"));
        assertTrue(rule("192.0.2.*", null, null, 200).matches("192.0.2.10:8080", "GET", "/"));
        assertTrue(rule("a*b*c", null, null, 200).matches("axxbyyc", "GET", "/"));
        assertFalse(rule("a*b*c", null, null, 200).matches("axxbyy", "GET", "/"));
        assertTrue(rule("2001-db8", null, null, 200).matches("[2001-db8]:443", "GET", "/"));
    }

    @Test
    void pathExactOrPrefixWithoutQuery() {
        ResponderRule exact = rule(null, null, "/api/v1/lookup", 200);
        assertTrue(exact.matches("h.example", "POST", "/api/v1/lookup"));
        assertTrue(exact.matches("h.example", "POST", "/api/v1/lookup?hash=abc"));
        assertTrue(exact.matches("h.example", "POST", "http://h.example/api/v1/lookup"));
        assertFalse(exact.matches("h.example", "POST", "/api/v1/lookup/x"));
        assertFalse(exact.matches("h.example", "POST", "/API/v1/lookup"));
        assertFalse(exact.matches("h.example", "POST", null));
        ResponderRule prefix = rule(null, null, "/api/*", 200);
        assertTrue(prefix.matches("h.example", "GET", "/api/"));
        assertTrue(prefix.matches("h.example", "GET", "/api/v2/x?y=1"));
        assertFalse(prefix.matches("h.example", "GET", "/api"));
        assertFalse(prefix.matches("h.example", "GET", "/other/api/x"));
    }

    @Test
    void methodIsNormalisedAndComparedExactly() {
        ResponderRule post = rule(null, "post", null, 200);
        assertEquals(Optional.of("POST"), post.method());
        assertTrue(post.matches("h.example", "POST", "/"));
        assertFalse(post.matches("h.example", "GET", "/"));
        assertFalse(post.matches("h.example", null, "/"));
        assertTrue(rule(null, null, null, 200).matches(null, null, null), "a rule without matchers matches anything");
    }

    @Test
    void firstMatchWinsElseDefault() {
        ResponderRules rules = new ResponderRules(List.of(
                rule("*.vendor.example", "POST", "/api/v1/lookup", 201),
                rule("*.vendor.example", null, "/api/*", 404),
                rule(null, null, "/api/v1/lookup", 500)));
        assertEquals(201, rules.find("cloud.vendor.example", "POST", "/api/v1/lookup").status());
        assertEquals(404, rules.find("cloud.vendor.example", "GET", "/api/v1/lookup").status());
        assertEquals(500, rules.find("other.test", "POST", "/api/v1/lookup").status());
        ResponderRule fallback = rules.find("other.test", "GET", "/");
        assertSame(ResponderRule.DEFAULT, fallback);
        assertEquals(200, fallback.status());
        assertEquals(Map.of("Content-Type", "application/json"), fallback.headers());
        assertArrayEquals("{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8), fallback.body());
    }

    @Test
    void bodyCannotBeChangedFromOutside() {
        byte[] body = {1, 2, 3};
        ResponderRule r = new ResponderRule(Optional.empty(), Optional.empty(), Optional.empty(), 200, Map.of(), body,
                Optional.empty());
        body[0] = 9;
        r.body()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, r.body());
        assertEquals(r, new ResponderRule(Optional.empty(), Optional.empty(), Optional.empty(), 200, Map.of(),
                new byte[] {1, 2, 3}, Optional.empty()));
    }

    @Test
    void constructorChecksWhatTheLoaderChecks() {
        assertThrows(IllegalArgumentException.class, () -> rule("bad host", null, null, 200));
        assertThrows(IllegalArgumentException.class, () -> rule(null, null, null, 600));
        assertThrows(IllegalArgumentException.class, () -> rule(null, null, "/a*b", 200));
        assertThrows(IllegalArgumentException.class, () -> new ResponderRule(Optional.empty(), Optional.empty(),
                Optional.empty(), 200, Map.of("X-Bad", "a\r\nInjected: 1"), new byte[0], Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new ResponderRule(Optional.empty(), Optional.empty(),
                Optional.empty(), 200, Map.of(), new byte[ResponderRule.MAX_BODY_BYTES + 1], Optional.empty()));
    }
}
