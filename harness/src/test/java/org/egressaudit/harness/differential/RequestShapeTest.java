package org.egressaudit.harness.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestShapeTest {

    @Test
    void pathSegmentsThatAreIdentifiersBecomeId() {
        assertEquals("/v2/devices/{id}/events/{id}?id&ts", RequestShape.pathTemplate(
                "/v2/devices/3f2a9c1e-4b5d-4e6f-8a9b-0c1d2e3f4a5b/events/1700000000?ts=1&id=abc"));
        assertEquals("/files/{id}/chunks/{id}", RequestShape.pathTemplate("/files/8f3a9c21d0e4/chunks/17"));
        assertEquals("/blob/{id}", RequestShape.pathTemplate("/blob/aGVsbG8gd29ybGQgdGhpcyBpcw"));
        assertEquals("/blob/{id}", RequestShape.pathTemplate("/blob/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA=="));
        assertEquals("/jwt/{id}", RequestShape.pathTemplate("/jwt/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig"));
        assertEquals("/{id}", RequestShape.pathTemplate("/" + "x".repeat(65)));
        assertEquals("/report/{id}", RequestShape.pathTemplate("/report/2024-01-05"));
        // Names of the API stay: words, camel case, short hex-looking words, versions in a name.
        assertEquals("/api/v1/checkForUpdatesNow/definitions-v2/deadbeef",
                RequestShape.pathTemplate("/api/v1/checkForUpdatesNow/definitions-v2/deadbeef"));
        assertEquals("/", RequestShape.pathTemplate("/"));
        assertEquals("/a/?", RequestShape.pathTemplate("/a/?"));
        assertEquals("/q?a&b&{id}", RequestShape.pathTemplate("/q?b=1&a=2&b=3&c0ffee1234=x#frag"));
    }

    @Test
    void templatesAreBounded() {
        String many = "/s".repeat(100);
        String t = RequestShape.pathTemplate(many);
        assertTrue(t.endsWith("/…") && t.length() < 100, t);
        StringBuilder q = new StringBuilder("/q?");
        for (int i = 0; i < 50; i++) {
            q.append("name").append((char) ('a' + i % 26)).append(i / 26 == 0 ? "" : "z").append("=1&");
        }
        String qt = RequestShape.pathTemplate(q.toString());
        assertTrue(qt.endsWith("&…") && qt.split("&").length == RequestShape.MAX_QUERY_NAMES + 1, qt);
        assertTrue(RequestShape.pathTemplate("/" + "ab/".repeat(200)).length() <= RequestShape.MAX_TEMPLATE_CHARS);
    }

    @Test
    void httpShapeHasMethodTemplateAndHostWithPort() {
        Traffic t = new Traffic().http("Cloud.Vendor.Example", 443, "POST", "/v2/telemetry?id=5", 100, 0)
                .http("cloud.vendor.example", 80, "GET", "http://cloud.vendor.example/defs/123", 100, 0)
                .http("proxy.example", 3128, "CONNECT", "cloud.vendor.example:443", 100, 0);
        List<RequestShape> shapes = t.result().transmissions().stream()
                .map(at -> RequestShape.of(at.transmission())).toList();
        assertEquals("http cloud.vendor.example:443 POST /v2/telemetry?id", shapes.get(0).key());
        assertEquals("POST /v2/telemetry?id to cloud.vendor.example:443", shapes.get(0).describe());
        assertEquals("http cloud.vendor.example:80 GET /defs/{id}", shapes.get(1).key());
        assertEquals("CONNECT {authority}", shapes.get(2).request());
    }

    @Test
    void dnsNamesKeepTheRegisteredDomainAndCollapseEncodedLabels() {
        assertEquals("{x}.x.exfil.example",
                RequestShape.dnsTemplate("4a6f686e21a0.9b2e0c7d44ff.x.exfil.example", "exfil.example"));
        assertEquals("{x}.exfil.example", RequestShape.dnsTemplate(
                "mzxw6ytboi4tsmrqgq2a.nbswy3dpeb3w64tmmq.exfil.example", "exfil.example"));
        assertEquals("www.vendor.example", RequestShape.dnsTemplate("www.vendor.example", "vendor.example"));
        assertEquals("update.vendor.co.uk", RequestShape.dnsTemplate("Update.Vendor.co.uk", "vendor.co.uk"));
        assertEquals("{x}.t.vendor.example", RequestShape.dnsTemplate("1700000000.t.vendor.example", "vendor.example"));
        assertEquals("{x}.vendor.example",
                RequestShape.dnsTemplate("0123456789abcdef0123456789abcdef01.vendor.example", "vendor.example"));
        // A label with an escaped dot is one label.
        assertEquals("a\\.b.vendor.example", RequestShape.dnsTemplate("a\\.b.vendor.example", "vendor.example"));
        String deep = "l1.l2.l3.l4.l5.l6.l7.l8.l9.l10.vendor.example";
        assertEquals("….l3.l4.l5.l6.l7.l8.l9.l10.vendor.example", RequestShape.dnsTemplate(deep, "vendor.example"));
        RequestShape s = RequestShape.of(new Traffic().dns("a1b2c3d4e5f6.rep.vendor.example", "vendor.example", "TXT", 40)
                .result().transmissions().get(0).transmission());
        assertEquals("dns vendor.example TXT {x}.rep.vendor.example", s.key());
        assertEquals("DNS query TXT {x}.rep.vendor.example", s.describe());
    }

    @Test
    void rawAndTlsShapes() {
        Traffic t = new Traffic().raw(4444, 100, 200).tls("update.vendor.example", 5000);
        List<RequestShape> shapes = t.result().transmissions().stream()
                .map(at -> RequestShape.of(at.transmission())).toList();
        assertEquals("tcp 203.0.113.7:4444 raw", shapes.get(0).key());
        assertEquals("raw tcp data to 203.0.113.7:4444", shapes.get(0).describe());
        assertEquals("tls update.vendor.example:443 session", shapes.get(2).key());
    }

    @Test
    void idLikeRecognisesRandomnessNotWords() {
        assertTrue(IdLike.hex("a3f09c21"));
        assertFalse(IdLike.hex("fadedbed")); // all-letter and short: a word more often than an id
        assertTrue(IdLike.hex("fadedbedfadedbed"));
        assertTrue(IdLike.uuid("{3F2A9C1E-4B5D-4E6F-8A9B-0C1D2E3F4A5B}"));
        assertFalse(IdLike.uuid("3f2a9c1e-4b5d-4e6f-8a9b-0c1d2e3f4a5"));
        assertTrue(IdLike.token("dGhlIHF1aWNrIGJyb3du", 16));
        assertFalse(IdLike.token("checkForUpdatesNow", 16));
        assertFalse(IdLike.token("getlatestdefinitions", 16));
        assertTrue(IdLike.numeric("1.2.3") && IdLike.numeric("2024-01-05T10:00:00".replace("T", "-")));
        assertFalse(IdLike.numeric("v1"));
    }

    @Test
    void runTrafficCountsRequestsNotPiecesAndLeavesOutWhatDidNotLeave() {
        Traffic t = new Traffic().httpInPieces("cloud.vendor.example", 443, "PUT", "/big", 1 << 20, 1000)
                .raw(4444, 100, 200, 300)
                .httpWithQuery("cloud.vendor.example", "/l?h=abc", 300, 40)
                .inbound("cloud.vendor.example", 99_999)
                .tls("update.vendor.example", 5000);
        RunTraffic r = t.traffic("run-1");
        Map<RequestShape, RunTraffic.ShapeTraffic> s = r.shapes();
        assertEquals(4, s.size(), s.keySet().toString());
        RunTraffic.ShapeTraffic big = s.get(new RequestShape("http", "cloud.vendor.example:443", "PUT /big"));
        assertEquals(1, big.requests());
        assertEquals(2, big.transmissions());
        assertEquals((1 << 20) + 1000, big.bytes());
        assertEquals("PUT /big HTTP/1.1", big.example());
        RunTraffic.ShapeTraffic raw = s.get(new RequestShape("tcp", "203.0.113.7:4444", "raw"));
        assertEquals(1, raw.requests());
        assertEquals(600, raw.bytes());
        // The query root is a view of bytes the head already holds: counted once.
        assertEquals(300, s.get(new RequestShape("http", "cloud.vendor.example:80", "GET /l?h")).bytes());
        RunTraffic.ShapeTraffic tls = s.get(new RequestShape("tls", "update.vendor.example:443", "session"));
        assertEquals(5020, tls.bytes());
        assertEquals(5000, tls.opaqueBytes());
        assertEquals(List.of(), r.warnings());
    }

    @Test
    void runTrafficBoundsShapesAndEvidence() {
        Traffic t = new Traffic();
        for (int i = 0; i < RunTraffic.MAX_SHAPES + 50; i++) {
            t.http("h" + i + ".vendor.example", 80, "GET", "/", 10, 0);
        }
        for (int i = 0; i < 30; i++) {
            t.http("h0.vendor.example", 80, "GET", "/", 10, 0);
        }
        RunTraffic r = t.traffic("run-2");
        assertEquals(RunTraffic.MAX_SHAPES + 1, r.shapes().size());
        assertEquals(50, r.shapes().get(RunTraffic.OVERFLOW).requests());
        RunTraffic.ShapeTraffic h0 = r.shapes().get(new RequestShape("http", "h0.vendor.example:80", "GET /"));
        assertEquals(31, h0.requests());
        assertEquals(RunTraffic.MAX_EVIDENCE, h0.evidence().size());
        assertTrue(r.warnings().get(0).contains("more than " + RunTraffic.MAX_SHAPES + " request shapes"));
    }
}
