package org.egressaudit.analyzers.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ContentScannerTest {

    private static final int M = 4096;
    private static final DetectConfig CONFIG = new DetectConfig(M, 2.5, List.of(), true);

    /** Object = noise, then file[fileOff, fileOff+n), then noise; neighbours differ from the file's. */
    private static byte[] embed(Random r, byte[] file, int fileOff, int n, int before, int after) {
        byte[] obj = Corpus.random(r, before + n + after);
        System.arraycopy(file, fileOff, obj, before, n);
        if (before > 0 && fileOff > 0) {
            obj[before - 1] = (byte) ~file[fileOff - 1];
        }
        if (after > 0 && fileOff + n < file.length) {
            obj[before + n] = (byte) ~file[fileOff + n];
        }
        return obj;
    }

    private static List<Match> ofKind(ScanResult r, MatchKind kind) {
        return r.matches().stream().filter(m -> m.kind() == kind).toList();
    }

    private static Match fragment(PlantedFile f, long objectOffset, long length, long fileOffset) {
        return new Match(MatchKind.FRAGMENT, f, null, objectOffset, length, fileOffset);
    }

    @Test
    void blockArithmeticGuaranteesAFragmentOfMinimumLengthContainsABlock() {
        for (int m : new int[] {64, 65, 101, 4096, 4097}) {
            CorpusIndex index = new Corpus().index(new DetectConfig(m, 2.5, List.of(), true));
            assertEquals(m / 2, index.blockSize());
            assertEquals(2 * (m / 2) - 1, index.guaranteedFragmentBytes());
            assertTrue(index.guaranteedFragmentBytes() <= m - 1);
        }
    }

    @Test
    void minimumFragmentIsFoundWithItsExactRangeAtEveryPhaseOfTheBlockGrid() {
        Random r = new Random(1);
        Corpus corpus = new Corpus();
        byte[] file = Corpus.random(r, 64 * 1024 + 123);
        PlantedFile pf = corpus.add(file);
        ContentScanner scanner = new ContentScanner(corpus.index(CONFIG));
        int b = M / 2;
        List<Integer> starts = new ArrayList<>();
        for (int k = 0; k < b; k += 7) {
            starts.add(5 * b + k);
        }
        starts.add(5 * b + b - 1);
        starts.add(0);
        starts.add(file.length - M);
        for (int start : starts) {
            byte[] obj = embed(r, file, start, M, 100, 100);
            ScanResult result = scanner.scan(obj);
            assertEquals(List.of(fragment(pf, 100, M, start)), result.matches(), "start " + start);
        }
    }

    @Test
    void smallestConfigurationFindsEveryPhaseIncludingOddMinimum() {
        for (int m : new int[] {64, 101}) {
            Random r = new Random(m);
            Corpus corpus = new Corpus();
            byte[] file = Corpus.random(r, 2000);
            PlantedFile pf = corpus.add(file);
            ContentScanner scanner = new ContentScanner(corpus.index(new DetectConfig(m, 2.5, List.of(), true)));
            for (int start = 0; start + m <= file.length; start++) {
                byte[] obj = embed(r, file, start, m, 7, 9);
                assertEquals(List.of(fragment(pf, 7, m, start)), scanner.scan(obj).matches(),
                        "m " + m + " start " + start);
            }
        }
    }

    @Test
    void fragmentsAtRandomPositionsInNoiseAreFoundExactly() {
        Random r = new Random(2);
        Corpus corpus = new Corpus();
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            contents.add(Corpus.random(r, 100_000 + r.nextInt(200_000)));
            corpus.add(contents.get(i), i % 2 == 1);
        }
        ContentScanner scanner = new ContentScanner(corpus.index(CONFIG));
        for (int trial = 0; trial < 40; trial++) {
            int f = r.nextInt(contents.size());
            byte[] file = contents.get(f);
            int n = M + r.nextInt(40_000);
            int start = r.nextInt(file.length - n + 1);
            int before = r.nextInt(300_000);
            byte[] obj = embed(r, file, start, n, before, r.nextInt(100_000));
            assertEquals(List.of(fragment(corpus.files().get(f), before, n, start)), scanner.scan(obj).matches());
        }
    }

    @Test
    void fragmentOneByteShorterThanTheMinimumIsNotReported() {
        // Found (it still contains a complete block) but below minFragmentBytes, which is the reporting policy.
        Random r = new Random(3);
        Corpus corpus = new Corpus();
        byte[] file = Corpus.random(r, 50_000);
        corpus.add(file);
        ContentScanner scanner = new ContentScanner(corpus.index(CONFIG));
        for (int start : new int[] {0, 1, 2047, 2048, 10_000}) {
            assertEquals(List.of(), scanner.scan(embed(r, file, start, M - 1, 50, 50)).matches());
        }
    }

    @Test
    void twoFragmentsOfOneFileAndFragmentsOfTwoFiles() {
        Random r = new Random(4);
        Corpus corpus = new Corpus();
        byte[] a = Corpus.random(r, 100_000);
        byte[] b = Corpus.random(r, 100_000);
        PlantedFile fa = corpus.add(a);
        PlantedFile fb = corpus.add(b);
        ContentScanner scanner = new ContentScanner(corpus.index(CONFIG));

        ByteArrayOutputStream obj = new ByteArrayOutputStream();
        obj.writeBytes(embed(r, a, 60_000, 5000, 10, 10));   // a[60000..65000) at 10
        obj.writeBytes(embed(r, a, 1_000, 9000, 10, 10));    // a[1000..10000) at 5030
        obj.writeBytes(embed(r, b, 42_000, 4096, 10, 10));   // b[42000..46096) at 14050
        List<Match> expected = List.of(fragment(fa, 10, 5000, 60_000), fragment(fa, 5030, 9000, 1_000),
                fragment(fb, 14_050, 4096, 42_000));
        assertEquals(expected, scanner.scan(obj.toByteArray()).matches());
    }

    @Test
    void objectEqualToAFileIsWholeAndAnythingElseIsAFragment() {
        Random r = new Random(5);
        Corpus corpus = new Corpus();
        byte[] file = Corpus.random(r, 30_000);
        PlantedFile pf = corpus.add(file);
        ContentScanner scanner = new ContentScanner(corpus.index(CONFIG));

        assertEquals(List.of(new Match(MatchKind.WHOLE, pf, null, 0, file.length, 0)), scanner.scan(file).matches());

        byte[] prefixed = new byte[file.length + 1];
        prefixed[0] = (byte) ~file[0];
        System.arraycopy(file, 0, prefixed, 1, file.length);
        assertEquals(List.of(fragment(pf, 1, file.length, 0)), scanner.scan(prefixed).matches());

        assertEquals(List.of(fragment(pf, 0, file.length - 1, 0)),
                scanner.scan(Arrays.copyOf(file, file.length - 1)).matches());
    }

    @Test
    void smallFileIsFoundWholeByHash() {
        Random r = new Random(6);
        Corpus corpus = new Corpus();
        byte[] small = Corpus.random(r, 1000);
        PlantedFile pf = corpus.add(small);
        corpus.add(Corpus.random(r, 1000)); // same size, other content
        PlantedFile twin = corpus.add(small); // same content planted twice
        ContentScanner scanner = new ContentScanner(corpus.index(CONFIG));

        assertEquals(List.of(new Match(MatchKind.WHOLE, pf, null, 0, 1000, 0),
                new Match(MatchKind.WHOLE, twin, null, 0, 1000, 0)), scanner.scan(small).matches());
        byte[] changed = small.clone();
        changed[500] ^= 1;
        assertEquals(List.of(), scanner.scan(changed).matches());
    }

    @Test
    void lowEntropyBlocksSharedByFilesDoNotMatchAnObjectOfZeros() {
        Random r = new Random(7);
        Corpus corpus = new Corpus();
        for (int i = 0; i < 2; i++) {
            byte[] f = new byte[60_000];
            r.nextBytes(f);
            Arrays.fill(f, 10_000, 40_000, (byte) 0);
            corpus.add(f);
        }
        CorpusIndex index = corpus.index(CONFIG);
        assertTrue(index.lowEntropyBlocks() >= 2 * 13, index.toString());
        ScanResult result = new ContentScanner(index).scan(new byte[200_000]);
        assertEquals(List.of(), result.matches());
        assertEquals(0.0, result.entropy());
    }

    @Test
    void lowEntropyRegionIsAttributedByExtensionFromANeighbouringBlock() {
        Random r = new Random(8);
        Corpus corpus = new Corpus();
        byte[] file = Corpus.random(r, 24_576);
        Arrays.fill(file, 8192, 16_384, (byte) 0);
        PlantedFile pf = corpus.add(file);
        ContentScanner scanner = new ContentScanner(corpus.index(CONFIG));
        // Random [4096, 8192) holds the indexed block [4096, 6144); the match grows through the zeros.
        assertEquals(List.of(fragment(pf, 33, 16_384, 4096)),
                scanner.scan(embed(r, file, 4096, 16_384, 33, 44)).matches());
        // Only zeros: nothing to anchor on.
        assertEquals(List.of(), scanner.scan(embed(r, file, 8192, 8192, 33, 44)).matches());
    }

    @Test
    void contentSharedByTwoFilesIsAttributedToBoth() {
        Random r = new Random(9);
        Corpus corpus = new Corpus();
        byte[] shared = Corpus.random(r, 12_000);
        byte[] a = Corpus.random(r, 50_000);
        byte[] b = Corpus.random(r, 70_000);
        System.arraycopy(shared, 0, a, 1_000, shared.length);
        System.arraycopy(shared, 0, b, 33_333, shared.length);
        PlantedFile fa = corpus.add(a);
        PlantedFile fb = corpus.add(b);
        ContentScanner scanner = new ContentScanner(corpus.index(CONFIG));
        byte[] obj = Corpus.random(r, 20_000);
        System.arraycopy(shared, 0, obj, 500, shared.length);
        // Make sure neither file extends the range by chance.
        obj[499] = (byte) (~a[999] & 0x0F | ~b[33_332] & 0xF0);
        obj[500 + shared.length] = (byte) (~a[1000 + shared.length] & 0x0F | ~b[33_333 + shared.length] & 0xF0);
        assertEquals(List.of(fragment(fa, 500, shared.length, 1_000), fragment(fb, 500, shared.length, 33_333)),
                scanner.scan(obj).matches());
    }

    @Test
    void fiftyMegabytesOfRandomBytesMatchNothing() {
        Random r = new Random(10);
        Corpus corpus = new Corpus();
        for (int i = 0; i < 10; i++) {
            corpus.add(Corpus.random(r, 200_000));
        }
        ContentScanner scanner = new ContentScanner(corpus.index(DetectConfig.defaults(List.of("canary-7f3a"))));
        byte[] noise = Corpus.random(r, 50 << 20);
        ScanResult result = scanner.scan(noise);
        assertEquals(List.of(), result.matches());
        assertTrue(result.entropy() > 7.99, "entropy " + result.entropy());
    }

    @Test
    void offsetsAreRelativeToTheScannedRange() {
        Random r = new Random(11);
        Corpus corpus = new Corpus();
        byte[] file = Corpus.random(r, 40_000);
        PlantedFile pf = corpus.add(file);
        ContentScanner scanner = new ContentScanner(corpus.index(
                new DetectConfig(M, 2.5, List.of("CANARY"), true)));
        byte[] obj = embed(r, file, 1000, 9000, 200, 200);
        byte[] big = new byte[obj.length + 2000];
        System.arraycopy(obj, 0, big, 1000, obj.length);
        System.arraycopy("CANARY".getBytes(), 0, big, 1000 + obj.length - 6, 6);
        ScanResult result = scanner.scan(big, 1000, obj.length);
        assertEquals(List.of(fragment(pf, 200, 9000, 1000),
                new Match(MatchKind.MARKER, null, "CANARY", obj.length - 6, 6, -1)), result.matches());
        assertThrows(IndexOutOfBoundsException.class, () -> scanner.scan(big, 1000, big.length));
    }

    @Test
    void periodicContentStaysBoundedAndCompletes() {
        Random r = new Random(12);
        Corpus corpus = new Corpus();
        byte[] block = Corpus.random(r, M / 2);
        byte[] file = new byte[block.length * 200];
        for (int i = 0; i < 200; i++) {
            System.arraycopy(block, 0, file, i * block.length, block.length);
        }
        corpus.add(file);
        ContentScanner scanner = new ContentScanner(corpus.index(CONFIG));
        byte[] obj = new byte[block.length * 2000];
        for (int i = 0; i < 2000; i++) {
            System.arraycopy(block, 0, obj, i * block.length, block.length);
        }
        ScanResult result = scanner.scan(obj);
        assertTrue(result.matches().size() <= ContentScanner.MAX_FRAGMENT_MATCHES);
        assertTrue(result.matches().size() > 0);
        for (Match m : result.matches()) {
            assertTrue(m.length() >= M && m.length() <= file.length);
        }
    }

    @Test
    void entropyAndPrintableRatio() {
        ContentScanner scanner = new ContentScanner(new Corpus().index(CONFIG));
        byte[] all = new byte[256 * 16];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        ScanResult uniform = scanner.scan(all);
        assertEquals(8.0, uniform.entropy(), 1e-9);
        assertEquals((95 + 3) / 256.0, uniform.printableRatio(), 1e-9);
        ScanResult text = scanner.scan("hello,\tworld\r\n".getBytes());
        assertEquals(1.0, text.printableRatio());
        ScanResult empty = scanner.scan(new byte[0]);
        assertEquals(0.0, empty.entropy());
        assertEquals(List.of(), empty.matches());
    }

    @Test
    void concurrentScansGiveTheSameResults() throws Exception {
        Random r = new Random(13);
        Corpus corpus = new Corpus();
        List<byte[]> objects = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] file = Corpus.random(r, 300_000);
            corpus.add(file);
            byte[] obj = embed(r, file, 1000 * i, 50_000, 5000, 5000);
            System.arraycopy("TOP SECRET//".getBytes(), 0, obj, 10, 12);
            objects.add(obj);
        }
        ContentScanner scanner = new ContentScanner(corpus.index(DetectConfig.defaults(List.of())));
        List<ScanResult> expected = objects.stream().map(scanner::scan).toList();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Boolean>> runs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                runs.add(pool.submit(() -> {
                    for (int round = 0; round < 50; round++) {
                        for (int i = 0; i < objects.size(); i++) {
                            if (!scanner.scan(objects.get(i)).equals(expected.get(i))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> run : runs) {
                assertTrue(run.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(3, expected.get(0).matches().size()); // fragment, TOP SECRET//, SECRET//
    }

    @Test
    void stridedAndPerByteLoopsAgree() {
        // A one-byte marker forces the per-byte loop; everything else must come out the same.
        Random r = new Random(14);
        Corpus corpus = new Corpus();
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            files.add(Corpus.random(r, 80_000));
            corpus.add(files.get(i));
        }
        List<String> markers = new ArrayList<>(DetectConfig.DEFAULT_MARKERS);
        ContentScanner strided = new ContentScanner(corpus.index(new DetectConfig(M, 2.5, markers, true)));
        markers.add("\u0001");
        ContentScanner perByte = new ContentScanner(corpus.index(new DetectConfig(M, 2.5, markers, true)));
        for (int trial = 0; trial < 30; trial++) {
            ByteArrayOutputStream obj = new ByteArrayOutputStream();
            for (int part = 0; part < 4; part++) {
                byte[] file = files.get(r.nextInt(files.size()));
                int n = 1 + r.nextInt(20_000);
                int start = r.nextInt(file.length - n);
                obj.writeBytes(embed(r, file, start, n, r.nextInt(50), r.nextInt(50)));
                obj.writeBytes(DetectConfig.DEFAULT_MARKERS.get(r.nextInt(6)).getBytes(
                        r.nextBoolean() ? java.nio.charset.StandardCharsets.UTF_16LE
                                : java.nio.charset.StandardCharsets.US_ASCII));
            }
            byte[] bytes = obj.toByteArray();
            ScanResult a = strided.scan(bytes);
            ScanResult b = perByte.scan(bytes);
            List<Match> bWithout = b.matches().stream().filter(m -> !"\u0001".equals(m.marker())).toList();
            assertEquals(a.matches(), bWithout);
            assertTrue(a.matches().stream().anyMatch(m -> m.kind() == MatchKind.MARKER));
            assertEquals(a.entropy(), b.entropy());
        }
    }
}
