package org.egressaudit.harness.run;

import java.util.ArrayList;
import java.util.List;
import org.egressaudit.harness.sandbox.TestImages;

/** What a run may leave behind on the host: containers, networks and iptables rules of egress-audit. */
final class Leftovers {
    private Leftovers() {
    }

    static List<String> of(String runId) {
        List<String> out = new ArrayList<>();
        out.addAll(TestImages.lines("docker", "ps", "-a", "--filter", "label=egress-audit.run=" + runId,
                "--format", "container {{.ID}} {{.Names}}"));
        out.addAll(TestImages.lines("docker", "network", "ls", "--filter", "label=egress-audit.run=" + runId,
                "--format", "network {{.ID}} {{.Name}}"));
        out.addAll(TestImages.rulesOf(runId));
        return out;
    }
}
