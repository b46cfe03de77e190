package org.egressaudit.analyzers.detect;

import java.util.List;

/**
 * Detection settings.
 *
 * @param minFragmentBytes  shortest contiguous range of a planted file that must be attributed to it (default 4 KiB);
 *                          files shorter than this are recognised whole or by their markers
 * @param minBlockEntropy   blocks of planted files below this entropy (bits/byte) are not fingerprinted: zero
 *                          padding and repeated patterns say nothing about which file they came from
 * @param markers           marker strings (canaries, classification banners) matched everywhere
 * @param markersIgnoreCase ASCII case-insensitive marker matching
 */
public record DetectConfig(int minFragmentBytes, double minBlockEntropy, List<String> markers,
                           boolean markersIgnoreCase) {

    /** Classification banners matched even when the policy names no markers. */
    public static final List<String> DEFAULT_MARKERS = List.of(
            "TOP SECRET//", "SECRET//", "CONFIDENTIAL//", "//NOFORN", "//ORCON", "//REL TO");

    public DetectConfig {
        if (minFragmentBytes < 64) {
            throw new IllegalArgumentException("minFragmentBytes must be at least 64, got " + minFragmentBytes);
        }
        markers = List.copyOf(markers);
    }

    public static DetectConfig defaults(List<String> extraMarkers) {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(DEFAULT_MARKERS);
        all.addAll(extraMarkers);
        return new DetectConfig(4096, 2.5, List.copyOf(all), true);
    }
}
