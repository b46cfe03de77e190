package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class HostBridgeTest {

    @Test
    void namesAndMacsFollowFromTheHash() {
        HostBridge.Identity a = HostBridge.Identity.derive("run-1", 4242, 0);
        assertEquals(a, HostBridge.Identity.derive("run-1", 4242, 0));
        assertTrue(a.bridge().matches("eab-[0-9a-f]{8}"), a.bridge());
        assertEquals("eat-" + a.bridge().substring(4), a.tap());
        assertTrue(a.bridge().length() <= 15);
        assertTrue(a.guestMac().toString().startsWith("52:54:00:"), a.guestMac().toString());
        assertFalse(a.guestMac().isMulticast());
        assertFalse(a.gatewayMac().isMulticast());
        assertEquals(0x02, a.gatewayMac().bytes()[0] & 0x03, "locally administered, unicast");
        assertNotEquals(a.bridge(), HostBridge.Identity.derive("run-1", 4242, 1).bridge());
        assertNotEquals(a.bridge(), HostBridge.Identity.derive("run-1", 4243, 0).bridge());
    }

    @Test
    void readsOwnersFromAliases() {
        assertEquals(Optional.of(new HostBridge.Owner("run-1.a_b", 123)),
                HostBridge.Owner.parse(HostBridge.alias("run-1.a_b", 123)));
        assertEquals(Optional.of(new HostBridge.Owner("r", 7)), HostBridge.Owner.parse("egress-audit:r:7\n"));
        for (String bad : new String[]{"", "something else", "egress-audit:", "egress-audit:run", "egress-audit::5",
                "egress-audit:run:", "egress-audit:run:x", "egress-audit:bad run:5"}) {
            assertEquals(Optional.empty(), HostBridge.Owner.parse(bad), bad);
        }
        assertTrue(new HostBridge.Owner("r", ProcessHandle.current().pid()).alive());
        assertFalse(new HostBridge.Owner("r", 99_999_999).alive()); // above any pid_max
    }

    @Test
    void rejectsUnsafeRunIdsBeforeTouchingTheHost() {
        assertThrows(IllegalArgumentException.class, () -> HostBridge.create("a b"));
        assertThrows(IllegalArgumentException.class, () -> HostBridge.create("x:y"));
        assertThrows(IllegalArgumentException.class, () -> HostBridge.removeRun("-x"));
    }
}
