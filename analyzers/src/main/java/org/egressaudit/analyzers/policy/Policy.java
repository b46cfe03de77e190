package org.egressaudit.analyzers.policy;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.egressaudit.analyzers.content.Category;

/**
 * A declared egress policy: which sample categories may leave the machine, how many undecodable bytes per
 * destination are tolerated, and which extra markers must never leave. Mechanism lives in the engine; this
 * record is the whole of what decides.
 *
 * @param allow             categories allowed to leave (metadata = transmissions carrying no planted content)
 * @param opaqueBytesBudget undecodable bytes per destination tolerated before an 'opaque' finding
 * @param markers           extra marker strings (canaries, banners) on top of the built-in classification banners
 * @param minFragmentBytes  shortest run of a planted file attributed to it as a fragment
 */
public record Policy(Set<Category> allow, long opaqueBytesBudget, List<String> markers, int minFragmentBytes) {

    public static final long DEFAULT_OPAQUE_BUDGET = 4096;
    public static final int DEFAULT_MIN_FRAGMENT = 4096;

    public Policy {
        allow = allow.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(allow));
        markers = List.copyOf(markers);
        if (opaqueBytesBudget < 0) {
            throw new IllegalArgumentException("opaqueBytesBudget must be >= 0, got " + opaqueBytesBudget);
        }
        if (minFragmentBytes < 64) {
            throw new IllegalArgumentException("minFragmentBytes must be >= 64, got " + minFragmentBytes);
        }
    }

    public boolean allows(Category c) {
        return allow.contains(c);
    }
}
