package org.egressaudit.analyzers.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;
import org.junit.jupiter.api.Test;

class ContentDetectorsTest {
    private static final ScanResult EMPTY = new ScanResult(List.of(), 4.0, 1.0);

    private static ContentObject object(String text) {
        byte[] b = ("xx" + text + "yy").getBytes(StandardCharsets.ISO_8859_1);
        // a slice of a larger array: offsets reported by detectors are relative to the object, not the array
        ContentObject parent = ContentObject.root("http-body", null, b, Map.of());
        return parent.addChild("base64", null, b, 2, text.length(), 2, text.length(), false, Map.of());
    }

    private static ContentDetector returning(String name, List<Match> matches) {
        return new ContentDetector() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<Match> detect(byte[] data, int off, int len, DetectContext ctx) {
                return matches;
            }
        };
    }

    @Test
    void serviceLoaderFindsTheTestRegisteredDetector() {
        assertTrue(ContentDetectors.load().detectors().stream().anyMatch(d -> d instanceof SsnDetector));
    }

    @Test
    void ssnDetectorFindsShapedStringsOnlyOutsideLongerDigitRuns() {
        ContentObject o = object("a 078-05-1120, 1078-05-1120, 078-05-11201 and 123-45-6789");
        ScanResult r = new ContentDetectors(List.of(new SsnDetector())).addTo(EMPTY, o);
        assertEquals(List.of(ContentDetector.marker("pii:ssn", 2, 11), ContentDetector.marker("pii:ssn", 46, 11)),
                r.matches());
        assertEquals(4.0, r.entropy());
    }

    @Test
    void detectorSeesTheObjectSliceAndItsContext() {
        List<DetectContext> seen = new ArrayList<>();
        ContentDetector d = new ContentDetector() {
            @Override
            public String name() {
                return "spy";
            }

            @Override
            public List<Match> detect(byte[] data, int off, int len, DetectContext ctx) {
                seen.add(ctx);
                assertEquals("abc", new String(data, off, len, StandardCharsets.ISO_8859_1));
                return List.of();
            }
        };
        ContentObject o = object("abc");
        assertSame(EMPTY, new ContentDetectors(List.of(d)).addTo(EMPTY, o));
        assertEquals(List.of("http-body", "base64"), seen.get(0).decodeChain());
    }

    @Test
    void noDetectorsLeavesTheScanUntouched() {
        assertSame(EMPTY, new ContentDetectors(List.of()).addTo(EMPTY, object("078-05-1120")));
    }

    @Test
    void matchesAreMergedInOffsetOrderWithTheScannersOwn() {
        Match scannerMarker = ContentDetector.marker("CANARY-", 5, 7);
        ScanResult scan = new ScanResult(List.of(scannerMarker), 3.0, 0.9, 2);
        ScanResult r = new ContentDetectors(List.of(returning("x", List.of(ContentDetector.marker("x:a", 8, 1),
                ContentDetector.marker("x:b", 0, 1))))).addTo(scan, object("0123456789"));
        assertEquals(List.of("x:b", "CANARY-", "x:a"), r.matches().stream().map(Match::marker).toList());
        assertEquals(2, r.omittedMatches());
    }

    @Test
    void throwingDetectorIsNotedAndTheOthersStillRun() {
        ContentDetector bad = new ContentDetector() {
            @Override
            public String name() {
                return "bad";
            }

            @Override
            public List<Match> detect(byte[] data, int off, int len, DetectContext ctx) {
                throw new IllegalStateException("boom");
            }
        };
        ContentObject o = object("078-05-1120");
        ScanResult r = new ContentDetectors(List.of(bad, new SsnDetector())).addTo(EMPTY, o);
        assertEquals(1, r.matches().size());
        assertTrue(o.notes().stream().anyMatch(n -> n.startsWith("detector-error: bad failed") && n.contains("boom")),
                o.notes().toString());
    }

    @Test
    void invalidMatchesAreDroppedAndNoted() {
        ContentObject o = object("0123456789");
        List<Match> junk = new ArrayList<>();
        junk.add(null);
        junk.add(new Match(MatchKind.FRAGMENT, null, "x", 0, 1, 0));        // not a marker
        junk.add(ContentDetector.marker(" ", 0, 1));                         // blank marker
        junk.add(ContentDetector.marker("x".repeat(201), 0, 1));             // over-long marker
        junk.add(ContentDetector.marker("x", -1, 2));                        // before the object
        junk.add(ContentDetector.marker("x", 5, 6));                         // past the end
        junk.add(ContentDetector.marker("x", 2, Long.MAX_VALUE));            // overflowing end
        junk.add(ContentDetector.marker("x", 3, 0));                         // empty
        junk.add(ContentDetector.marker("ok", 9, 1));                        // the only valid one
        ScanResult r = new ContentDetectors(List.of(returning("junk", junk))).addTo(EMPTY, o);
        assertEquals(List.of(ContentDetector.marker("ok", 9, 1)), r.matches());
        assertTrue(o.notes().stream().anyMatch(n -> n.startsWith("detector-error: junk returned 8 invalid")),
                o.notes().toString());
    }

    @Test
    void nullResultCountsAsNothingFound() {
        assertSame(EMPTY, new ContentDetectors(List.of(returning("null", null))).addTo(EMPTY, object("abc")));
    }

    @Test
    void matchesBeyondTheCapAreCountedNotListed() {
        List<Match> many = new ArrayList<>();
        for (int i = 0; i < ContentDetectors.MAX_MATCHES + 5; i++) {
            many.add(ContentDetector.marker("m", 0, 1));
        }
        ScanResult r = new ContentDetectors(List.of(returning("many", many))).addTo(EMPTY, object("a"));
        assertEquals(ContentDetectors.MAX_MATCHES, r.matches().size());
        assertEquals(5, r.omittedMatches());
    }
}
