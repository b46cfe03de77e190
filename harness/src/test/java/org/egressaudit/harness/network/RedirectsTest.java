package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class RedirectsTest {

    @Test
    void tokenizesIptablesListingWithQuotedComments() {
        assertEquals(List.of("-A", "INPUT", "-i", "br-1", "-m", "comment", "--comment", "egress-audit:r 1", "-j",
                        "DROP"),
                Redirects.tokenize("-A INPUT -i br-1 -m comment --comment \"egress-audit:r 1\" -j DROP"));
        assertEquals(List.of("-A", "X", "--comment", ""), Redirects.tokenize("-A X --comment \"\""));
    }

    @Test
    void everyRuleIsScopedToTheBridgeAndTagged() {
        List<Redirects.Rule> rules = Redirects.rulesFor("run1", "br-abc", new Redirects.Ports(5353, 8443, 9999), true);
        for (Redirects.Rule r : rules) {
            List<String> s = r.spec();
            assertEquals("br-abc", s.get(s.indexOf("-i") + 1), r.toString());
            assertEquals("egress-audit:run1", s.get(s.indexOf("--comment") + 1), r.toString());
        }
        // DNS is redirected before the TCP/UDP catch-alls, and INPUT ends with a drop
        List<String> nat = rules.stream().filter(r -> r.table().equals("nat")).map(Redirects.Rule::toString).toList();
        assertTrue(nat.get(0).contains("-p udp --dport 53") && nat.get(0).endsWith("--to-ports 5353"), nat.get(0));
        assertTrue(nat.get(1).contains("-p tcp --dport 53") && nat.get(1).endsWith("--to-ports 5353"), nat.get(1));
        assertTrue(nat.get(2).endsWith("-j REDIRECT --to-ports 8443"), nat.get(2));
        assertTrue(nat.get(3).endsWith("-j REDIRECT --to-ports 9999"), nat.get(3));
        List<Redirects.Rule> input = rules.stream()
                .filter(r -> r.binary().equals("iptables") && r.chain().equals("INPUT")).toList();
        assertTrue(input.get(input.size() - 1).toString().endsWith("-j DROP"));
        assertTrue(rules.stream().anyMatch(r -> r.binary().equals("ip6tables") && r.chain().equals("INPUT")
                && r.toString().endsWith("-j DROP")));
        assertTrue(Redirects.rulesFor("run1", "br-abc", new Redirects.Ports(1, 2, 3), false).stream()
                .noneMatch(r -> r.binary().equals("ip6tables")));
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> new Redirects.Ports(0, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new Redirects.Ports(1, 65536, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Redirects.install("run;1", "br-abc", new Redirects.Ports(1, 2, 3)));
        assertThrows(IllegalArgumentException.class,
                () -> Redirects.install("run1", "br abc -j ACCEPT", new Redirects.Ports(1, 2, 3)));
    }
}
