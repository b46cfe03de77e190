package org.egressaudit.analyzers.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarkerMatchingTest {

    private static ContentScanner scanner(List<String> markers, boolean ignoreCase) {
        return new ContentScanner(new Corpus().index(new DetectConfig(4096, 2.5, markers, ignoreCase)));
    }

    private static Match marker(String text, long offset, long length) {
        return new Match(MatchKind.MARKER, null, text, offset, length, -1);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void overlappingMarkersAreAllReported() {
        ContentScanner s = scanner(DetectConfig.DEFAULT_MARKERS, true);
        assertEquals(List.of(marker("TOP SECRET//", 2, 12), marker("SECRET//", 6, 8), marker("//NOFORN", 12, 8)),
                s.scan(ascii("xxTOP SECRET//NOFORN")).matches());
    }

    @Test
    void repeatedOverlappingOccurrencesOfOneMarker() {
        ContentScanner s = scanner(List.of("abab"), false);
        assertEquals(List.of(marker("abab", 0, 4), marker("abab", 2, 4), marker("abab", 4, 4)),
                s.scan(ascii("abababab")).matches());
    }

    @Test
    void caseIsIgnoredOnlyWhenConfigured() {
        byte[] text = ascii("classification: top Secret//rel to usa");
        assertEquals(List.of(marker("TOP SECRET//", 16, 12), marker("SECRET//", 20, 8), marker("//REL TO", 26, 8)),
                scanner(DetectConfig.DEFAULT_MARKERS, true).scan(text).matches());
        assertEquals(List.of(), scanner(DetectConfig.DEFAULT_MARKERS, false).scan(text).matches());
        assertEquals(List.of(marker("SECRET//", 4, 8)),
                scanner(DetectConfig.DEFAULT_MARKERS, false).scan(ascii("top SECRET//")).matches());
    }

    @Test
    void utf16LittleAndBigEndianForms() {
        ContentScanner s = scanner(List.of("SECRET//"), true);
        ByteArrayOutputStream obj = new ByteArrayOutputStream();
        obj.writeBytes(new byte[] {1, 2, 3});
        obj.writeBytes("Secret//".getBytes(StandardCharsets.UTF_16LE));
        obj.writeBytes(new byte[] {9});
        obj.writeBytes("SECRET//".getBytes(StandardCharsets.UTF_16BE));
        assertEquals(List.of(marker("SECRET//", 3, 16), marker("SECRET//", 20, 16)), s.scan(obj.toByteArray()).matches());
    }

    @Test
    void markersAtTheVeryStartAndEndOfTheObject() {
        ContentScanner s = scanner(List.of("CANARY-1", "Z"), false);
        byte[] obj = ascii("CANARY-1 in the middle CANARY-1");
        assertEquals(List.of(marker("CANARY-1", 0, 8), marker("CANARY-1", 23, 8)), s.scan(obj).matches());
        // A one-byte marker as the last byte ends no byte pair; it is still found.
        assertEquals(List.of(marker("Z", 0, 1), marker("Z", 3, 1)), s.scan(ascii("ZabZ")).matches());
        assertEquals(List.of(marker("Z", 0, 1)), s.scan(ascii("Z")).matches());
        // Truncated at the end: no match.
        assertEquals(List.of(), s.scan(ascii("xxCANARY-")).matches());
    }

    @Test
    void markerOccurrencesBeyondTheCapAreCounted() {
        ContentScanner s = scanner(List.of("//ORCON"), true);
        String one = "//ORCON ";
        byte[] obj = ascii(one.repeat(1500));
        ScanResult result = s.scan(obj);
        assertEquals(ContentScanner.MAX_MARKER_MATCHES, result.matches().size());
        assertEquals(1500 - ContentScanner.MAX_MARKER_MATCHES, result.omittedMatches());
        assertEquals(marker("//ORCON", 999L * one.length(), 7), result.matches().get(999));
    }

    @Test
    void caseFoldingDoesNotTouchBytesOfNonAsciiUtf16Units() {
        // U+0141 is 41 01 in UTF-16LE; 61 01 is U+0161, a different letter, although 0x41/0x61 look like A/a.
        ContentScanner s = scanner(List.of("\u0141X"), true);
        byte[] exact = "\u0141x".getBytes(StandardCharsets.UTF_16LE);
        byte[] other = "\u0161x".getBytes(StandardCharsets.UTF_16LE);
        assertEquals(List.of(marker("\u0141X", 0, 4)), s.scan(exact).matches());
        assertEquals(List.of(), s.scan(other).matches());
        byte[] utf8 = "\u0141x".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of(marker("\u0141X", 0, 3)), s.scan(utf8).matches());
    }

    @Test
    void markersEqualUnderFoldingAreListedOnce() {
        CorpusIndex index = new Corpus().index(new DetectConfig(4096, 2.5, List.of("Canary", "CANARY", "x"), true));
        assertEquals(List.of("Canary", "x"), index.markers());
        CorpusIndex exact = new Corpus().index(new DetectConfig(4096, 2.5, List.of("Canary", "CANARY"), false));
        assertEquals(List.of("Canary", "CANARY"), exact.markers());
    }

    @Test
    void emptyMarkerIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new Corpus().index(new DetectConfig(4096, 2.5, List.of("ok", ""), true)));
    }

    @Test
    void manyMarkersSharingAPrefix() {
        List<String> markers = new java.util.ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            markers.add("CANARY-" + i);
        }
        ContentScanner s = scanner(markers, false);
        assertEquals(List.of(marker("CANARY-17", 3, 9), marker("CANARY-1", 3, 8), marker("CANARY-1999", 19, 11),
                marker("CANARY-199", 19, 10), marker("CANARY-19", 19, 9), marker("CANARY-1", 19, 8)),
                s.scan(ascii("...CANARY-17 and   CANARY-1999")).matches());
    }

    @Test
    void shortestStridedFormIsFoundAtEveryAlignmentAndAtBothEnds() {
        // Only forms of >= 7 bytes: the scanner tests filters at every fourth position only.
        ContentScanner s = scanner(List.of("//ORCON"), true);
        for (int lead = 0; lead < 8; lead++) {
            for (int trail = 0; trail < 8; trail++) {
                for (java.nio.charset.Charset cs : List.of(StandardCharsets.US_ASCII, StandardCharsets.UTF_16LE,
                        StandardCharsets.UTF_16BE)) {
                    byte[] m = "//orcon".getBytes(cs);
                    byte[] obj = new byte[lead + m.length + trail];
                    java.util.Arrays.fill(obj, (byte) '.');
                    System.arraycopy(m, 0, obj, lead, m.length);
                    assertEquals(List.of(marker("//ORCON", lead, m.length)), s.scan(obj).matches(),
                            cs + " lead " + lead + " trail " + trail);
                }
            }
        }
    }
}
