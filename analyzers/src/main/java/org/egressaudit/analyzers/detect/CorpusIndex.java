package org.egressaudit.analyzers.detect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Everything the {@link ContentScanner} recognises, compiled once from the planted corpus: SHA-256 and sizes for
 * whole files, block fingerprints for fragments ({@link FragmentIndex} documents the block grid and exactly which
 * fragments are guaranteed to be found), and the marker set ({@link MarkerSet}). Immutable and thread-safe; the
 * planted files' content buffers are only read with absolute operations.
 */
public final class CorpusIndex {

    private final List<PlantedFile> files;
    private final DetectConfig config;
    private final FragmentIndex fragments;
    private final MarkerSet markers;
    /** Object length -> files of exactly that size (empty files are never matched whole). */
    private final Map<Integer, int[]> filesBySize;
    private final byte[][] sha256;

    private CorpusIndex(List<PlantedFile> files, DetectConfig config, FragmentIndex fragments, MarkerSet markers,
                        Map<Integer, int[]> filesBySize, byte[][] sha256) {
        this.files = files;
        this.config = config;
        this.fragments = fragments;
        this.markers = markers;
        this.filesBySize = filesBySize;
        this.sha256 = sha256;
    }

    /**
     * Indexes the planted files. Internally a file is identified by its position in {@code files}.
     *
     * @throws IllegalArgumentException if a file's content is shorter than its size, its SHA-256 is not 64 hex
     *                                  digits, or a marker is empty
     */
    public static CorpusIndex build(List<PlantedFile> files, DetectConfig config) {
        List<PlantedFile> list = List.copyOf(files);
        byte[][] sha = new byte[list.size()][];
        Map<Integer, List<Integer>> bySize = new HashMap<>();
        for (int f = 0; f < list.size(); f++) {
            PlantedFile file = list.get(f);
            if (file.size() < 0 || file.content().capacity() < file.size()) {
                throw new IllegalArgumentException("content of " + file.name() + " holds "
                        + file.content().capacity() + " bytes, size says " + file.size());
            }
            if (file.sha256() == null || file.sha256().length() != 64) {
                throw new IllegalArgumentException("SHA-256 of " + file.name() + " is not 64 hex digits");
            }
            sha[f] = HexFormat.of().parseHex(file.sha256());
            if (file.size() > 0 && file.size() <= Integer.MAX_VALUE) {
                bySize.computeIfAbsent((int) file.size(), k -> new ArrayList<>()).add(f);
            }
        }
        Map<Integer, int[]> filesBySize = new HashMap<>();
        bySize.forEach((size, ids) -> filesBySize.put(size, ids.stream().mapToInt(Integer::intValue).toArray()));
        FragmentIndex fragments = FragmentIndex.build(list, config.minFragmentBytes() / 2, config.minBlockEntropy());
        MarkerSet markers = MarkerSet.build(config.markers(), config.markersIgnoreCase());
        return new CorpusIndex(list, config, fragments, markers, Map.copyOf(filesBySize), sha);
    }

    public List<PlantedFile> files() {
        return files;
    }

    public DetectConfig config() {
        return config;
    }

    /** The markers searched for, in configuration order, without duplicates (under case folding if ignored). */
    public List<String> markers() {
        return markers.markers;
    }

    /** Fingerprint block size B = minFragmentBytes / 2. */
    public int blockSize() {
        return fragments.blockSize;
    }

    /**
     * Shortest fragment guaranteed to contain a complete indexed-grid block: {@code 2B - 1}. Fragments at least
     * this long are found (see {@link FragmentIndex}); only those of {@code minFragmentBytes} or more are reported.
     */
    public int guaranteedFragmentBytes() {
        return 2 * fragments.blockSize - 1;
    }

    /** Blocks fingerprinted. */
    public int indexedBlocks() {
        return fragments.indexedBlocks;
    }

    /** Blocks skipped because their entropy is below {@code minBlockEntropy}. */
    public int lowEntropyBlocks() {
        return fragments.lowEntropyBlocks;
    }

    FragmentIndex fragments() {
        return fragments;
    }

    MarkerSet markerSet() {
        return markers;
    }

    /** Files whose size is exactly {@code length}, or null. */
    int[] filesOfSize(int length) {
        return filesBySize.get(length);
    }

    byte[] sha256(int file) {
        return sha256[file];
    }

    @Override
    public String toString() {
        return "CorpusIndex[" + files.size() + " files, " + fragments.indexedBlocks + " blocks of "
                + fragments.blockSize + " B (" + fragments.lowEntropyBlocks + " low-entropy skipped), "
                + markers.markers.size() + " markers]";
    }
}
