package org.egressaudit.analyzers.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.egressaudit.analyzers.content.Category;
import org.junit.jupiter.api.Test;

class PolicyLoaderTest {

    @Test
    void readsTheMinimalContract() throws Exception {
        Policy p = PolicyLoader.parse("p.yaml", """
                allow: [executable, metadata]   # categories that may leave the machine
                opaqueBytesBudget: 4096
                markers: ["CANARY-", "TOP SECRET//"]
                """);
        assertEquals(Set.of(Category.EXECUTABLE, Category.METADATA), p.allow());
        assertEquals(4096, p.opaqueBytesBudget());
        assertEquals(List.of("CANARY-", "TOP SECRET//"), p.markers());
        assertEquals(Policy.DEFAULT_MIN_FRAGMENT, p.minFragmentBytes());
    }

    @Test
    void defaultsWhenOptionalKeysAreAbsent() throws Exception {
        Policy p = PolicyLoader.parse("p.yaml", "allow: []\n");
        assertTrue(p.allow().isEmpty());
        assertEquals(Policy.DEFAULT_OPAQUE_BUDGET, p.opaqueBytesBudget());
    }

    @Test
    void unknownKeyIsRejectedWithFileLineAndKey() {
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.parse("site.yaml", """
                # comment
                alow: [executable]
                """));
        assertTrue(e.getMessage().startsWith("site.yaml:2: unknown key 'alow'"), e.getMessage());
    }

    @Test
    void unknownCategoryIsRejectedListingValidOnes() {
        PolicyException e = assertThrows(PolicyException.class,
                () -> PolicyLoader.parse("p.yaml", "allow: [executables]\n"));
        assertTrue(e.getMessage().contains("p.yaml:1") && e.getMessage().contains("'executables'")
                && e.getMessage().contains("source-code"), e.getMessage());
    }

    @Test
    void badValuesAreRejected() {
        assertThrows(PolicyException.class, () -> PolicyLoader.parse("p.yaml", "allow: executable\n"));
        PolicyException neg = assertThrows(PolicyException.class,
                () -> PolicyLoader.parse("p.yaml", "allow: []\nopaqueBytesBudget: -1\n"));
        assertTrue(neg.getMessage().startsWith("p.yaml:2: key 'opaqueBytesBudget'"), neg.getMessage());
        assertThrows(PolicyException.class, () -> PolicyLoader.parse("p.yaml", "allow: []\nmarkers: [ab]\n"));
        assertThrows(PolicyException.class, () -> PolicyLoader.parse("p.yaml", "allow: []\nopaqueBytesBudget: lots\n"));
        assertThrows(PolicyException.class, () -> PolicyLoader.parse("p.yaml", "allow: [\n"));
        assertThrows(PolicyException.class, () -> PolicyLoader.parse("p.yaml", ""));
        assertThrows(PolicyException.class, () -> PolicyLoader.parse("p.yaml", "- a\n- b\n"));
    }

    @Test
    void missingAllowIsAnError() {
        PolicyException e = assertThrows(PolicyException.class,
                () -> PolicyLoader.parse("p.yaml", "opaqueBytesBudget: 10\n"));
        assertTrue(e.getMessage().contains("missing key 'allow'"), e.getMessage());
    }
}
